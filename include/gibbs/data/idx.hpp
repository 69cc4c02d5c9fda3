// IDX arrays (LeCun et al., the MNIST file format): a big-endian header, then raw data.
//
//   bytes 0-1: 0x00 0x00   byte 2: element type (0x08 = unsigned byte)   byte 3: ndim
//   then ndim big-endian uint32 extents, then product(extents) elements, row-major
//
// Files may be gzip-compressed (.gz, read with zlib) or plain. Only unsigned bytes are supported,
// which is what MNIST and Fashion-MNIST use; other types are refused with a message saying so.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gibbs::data {

struct IdxArray {
    std::vector<int64_t> shape;
    std::vector<uint8_t> data;  // product(shape) bytes, row-major

    int64_t numel() const;
};

// The most data bytes an IDX file may declare (4 GiB); larger dimensions are taken as corruption.
inline constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 32;

// Reads a gzip-compressed or plain IDX file. Throws gibbs::Error naming the file for a missing
// file, bad magic number, unsupported type, absurd dimensions, truncated data, trailing bytes or
// corrupt gzip data.
IdxArray read_idx(const std::string& path);

// The same from (uncompressed) bytes in memory; `name` is used in error messages.
IdxArray parse_idx(std::span<const uint8_t> bytes, const std::string& name);

}  // namespace gibbs::data
