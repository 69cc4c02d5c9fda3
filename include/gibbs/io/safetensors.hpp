// safetensors checkpoints, as publicly specified (huggingface/safetensors, docs "Format"):
//
//   [8 bytes: N, unsigned little-endian] [N bytes: UTF-8 JSON header] [data bytes]
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}, offsets
// relative to the first data byte, plus an optional "__metadata__" string -> string map. Tensors
// lie contiguously, without gaps or overlaps, and the data is little-endian and row-major.
// Files written here are padded with spaces so that the data starts at a multiple of 8 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "gibbs/io/file.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::io {

// One tensor as stored: dtype name ("F32", "I64", ...), shape, and its raw little-endian bytes.
struct RawTensor {
    std::string dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> data;

    int64_t numel() const;  // product of the shape (1 for a scalar)
};

struct SafetensorsFile {
    std::vector<std::pair<std::string, RawTensor>> tensors;  // in file order
    std::map<std::string, std::string> metadata;
    const RawTensor* find(std::string_view name) const;  // nullptr when absent
};

// Bytes per element of a safetensors dtype, or 0 when the name is not a dtype.
// Known: F64 F32 F16 BF16 F8_E4M3 F8_E5M2 I64 I32 I16 I8 U64 U32 U16 U8 BOOL.
size_t dtype_size(std::string_view dtype);

// Reads and validates a file; throws gibbs::Error naming the file (and tensor) and the problem.
SafetensorsFile read_safetensors(const std::string& path);
// The same from bytes in memory; `name` is used in error messages.
SafetensorsFile parse_safetensors(std::span<const std::byte> bytes, const std::string& name);

// Writes atomically (temp file in the same folder, fsync, rename). Throws gibbs::Error for an
// unknown dtype, a data size that does not match the shape, or a duplicate name.
void write_safetensors(const std::string& path, const SafetensorsFile& f);
// The file's bytes, as write_safetensors would write them.
std::string serialize_safetensors(const SafetensorsFile& f, const std::string& name = "<memory>");

// The dtype name of a C++ element type: float -> "F32", double -> "F64", int64_t -> "I64", ...
template <typename T>
constexpr std::string_view dtype_of() {
    if constexpr (std::is_same_v<T, float>)
        return "F32";
    else if constexpr (std::is_same_v<T, double>)
        return "F64";
    else if constexpr (std::is_same_v<T, int64_t>)
        return "I64";
    else if constexpr (std::is_same_v<T, int32_t>)
        return "I32";
    else if constexpr (std::is_same_v<T, int16_t>)
        return "I16";
    else if constexpr (std::is_same_v<T, int8_t>)
        return "I8";
    else if constexpr (std::is_same_v<T, uint64_t>)
        return "U64";
    else if constexpr (std::is_same_v<T, uint32_t>)
        return "U32";
    else if constexpr (std::is_same_v<T, uint16_t>)
        return "U16";
    else if constexpr (std::is_same_v<T, uint8_t>)
        return "U8";
    else if constexpr (std::is_same_v<T, bool>)
        return "BOOL";
    else
        static_assert(sizeof(T) == 0, "no safetensors dtype for this type");
}

// A RawTensor holding a copy of `values` (row-major, product(shape) elements).
// NOTE: the bytes are copied as they lie in memory; gibbs targets little-endian machines only.
template <typename T>
RawTensor make_raw_tensor(std::vector<int64_t> shape, std::span<const T> values) {
    RawTensor t{std::string(dtype_of<T>()), std::move(shape), {}};
    check(static_cast<size_t>(t.numel()) == values.size(), "make_raw_tensor: ", values.size(),
          " values do not fill the shape (", t.numel(), " elements)");
    t.data.resize(values.size_bytes());
    if (!values.empty()) std::memcpy(t.data.data(), values.data(), values.size_bytes());
    return t;
}

// The values of a RawTensor as type T (BOOL as uint8_t); throws gibbs::Error when the dtype is not
// T's.
template <typename T>
std::vector<T> raw_tensor_values(const RawTensor& t) {
    static_assert(!std::is_same_v<T, bool>, "read BOOL tensors as uint8_t");
    const bool as_bool = std::is_same_v<T, uint8_t> && t.dtype == "BOOL";
    check(as_bool || t.dtype == dtype_of<T>(), "tensor has dtype ", t.dtype, ", not ",
          dtype_of<T>());
    check(t.data.size() % sizeof(T) == 0, "tensor data size is not a multiple of ", sizeof(T));
    std::vector<T> values(t.data.size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), t.data.data(), t.data.size());
    return values;
}

}  // namespace gibbs::io
