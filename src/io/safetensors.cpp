// The safetensors reader validates every field of the header before it touches the data, the
// writer lays the tensors out contiguously in the order given. Format: see safetensors.hpp.
#include "gibbs/io/safetensors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace gibbs::io {
namespace {

using Json = nlohmann::ordered_json;

// The reference implementation refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

std::string json_type(const Json& j) { return j.type_name(); }

// a·b for non-negative a, b, or -1 when it exceeds int64_t.
int64_t checked_mul(int64_t a, int64_t b) {
    if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) return -1;
    return a * b;
}

// A non-negative JSON integer, or -1 for anything else (negative, fractional, not a number,
// beyond int64_t).
int64_t json_count(const Json& j) {
    if (j.is_number_unsigned()) {
        const uint64_t v = j.get<uint64_t>();
        return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                   ? -1
                   : static_cast<int64_t>(v);
    }
    if (j.is_number_integer()) {
        const int64_t v = j.get<int64_t>();
        return v < 0 ? -1 : v;
    }
    return -1;
}

struct Entry {
    std::string name;
    RawTensor tensor;  // data still empty
    int64_t begin = 0, end = 0;
};

// Validates one header entry; `where` is "<file>: tensor '<name>'".
Entry parse_entry(const std::string& where, const std::string& name, const Json& j) {
    check(j.is_object(), where, ": header entry must be an object, found ", json_type(j));
    for (const auto& [key, value] : j.items()) {
        (void)value;
        check(key == "dtype" || key == "shape" || key == "data_offsets", where,
              ": unexpected key '", key, "' (expected dtype, shape, data_offsets)");
    }
    for (const char* key : {"dtype", "shape", "data_offsets"})
        check(j.contains(key), where, ": missing key '", key, "'");

    Entry e{name, {}, 0, 0};
    const Json& dtype = j["dtype"];
    check(dtype.is_string(), where, ": dtype must be a string, found ", json_type(dtype));
    e.tensor.dtype = dtype.get<std::string>();
    const size_t itemsize = dtype_size(e.tensor.dtype);
    check(itemsize > 0, where, ": unknown dtype '", e.tensor.dtype, "'");

    const Json& shape = j["shape"];
    check(shape.is_array(), where, ": shape must be an array, found ", json_type(shape));
    int64_t numel = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t extent = json_count(shape[d]);
        check(extent >= 0, where, ": shape[", d, "] must be a non-negative integer");
        e.tensor.shape.push_back(extent);
        numel = numel < 0 ? -1 : checked_mul(numel, extent);
    }
    const int64_t nbytes = numel < 0 ? -1 : checked_mul(numel, static_cast<int64_t>(itemsize));
    check(nbytes >= 0, where, ": the shape's size in bytes overflows 64-bit integers");

    const Json& offsets = j["data_offsets"];
    check(offsets.is_array() && offsets.size() == 2, where,
          ": data_offsets must be an array of two integers [begin, end]");
    e.begin = json_count(offsets[0]);
    e.end = json_count(offsets[1]);
    check(e.begin >= 0 && e.end >= 0, where, ": data_offsets must be non-negative integers");
    check(e.begin <= e.end, where, ": data_offsets [", e.begin, ", ", e.end,
          "] end before they begin");
    check(e.end - e.begin == nbytes, where, ": data_offsets [", e.begin, ", ", e.end, "] hold ",
          e.end - e.begin, " bytes but shape and dtype ", e.tensor.dtype, " need ", nbytes);
    return e;
}

void check_tensor_for_writing(const std::string& where, const RawTensor& t) {
    const size_t itemsize = dtype_size(t.dtype);
    check(itemsize > 0, where, ": unknown dtype '", t.dtype, "'");
    int64_t numel = 1;
    for (int64_t extent : t.shape) {
        check(extent >= 0, where, ": negative extent ", extent, " in the shape");
        numel = numel < 0 ? -1 : checked_mul(numel, extent);
    }
    const int64_t nbytes = numel < 0 ? -1 : checked_mul(numel, static_cast<int64_t>(itemsize));
    check(nbytes >= 0, where, ": the shape's size in bytes overflows 64-bit integers");
    check(static_cast<uint64_t>(nbytes) == t.data.size(), where, ": holds ", t.data.size(),
          " bytes of data but shape and dtype ", t.dtype, " need ", nbytes);
}

}  // namespace

int64_t RawTensor::numel() const {
    int64_t n = 1;
    for (int64_t extent : shape) n *= extent;
    return n;
}

const RawTensor* SafetensorsFile::find(std::string_view name) const {
    for (const auto& [key, tensor] : tensors)
        if (key == name) return &tensor;
    return nullptr;
}

size_t dtype_size(std::string_view dtype) {
    static const std::map<std::string_view, size_t> sizes = {
        {"F64", 8},     {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F8_E4M3", 1},
        {"F8_E5M2", 1}, {"I64", 8}, {"I32", 4}, {"I16", 2},  {"I8", 1},
        {"U64", 8},     {"U32", 4}, {"U16", 2}, {"U8", 1},   {"BOOL", 1}};
    const auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

namespace {

// The header length N from the first 8 bytes of a file of `size` bytes, checked against the size.
uint64_t header_length(const std::byte* first8, uint64_t size, const std::string& name) {
    check(size >= 8, name, ": file is ", size,
          " bytes long, shorter than the 8-byte header length of a safetensors file");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(first8[i]);
    check(n <= size - 8, name, ": header length ", n, " exceeds the ", size - 8,
          " bytes that follow it (truncated file, or not a safetensors file)");
    check(n <= kMaxHeaderBytes, name, ": header length ", n, " exceeds the limit of ",
          kMaxHeaderBytes, " bytes");
    return n;
}

struct Layout {
    std::map<std::string, std::string> metadata;
    std::vector<Entry> entries;  // in data order, contiguous from 0 to the data size
};

// Parses and validates the N-byte header of a file whose data part has `data_size` bytes.
Layout parse_header(const char* header, uint64_t n, uint64_t data_size, const std::string& name) {
    check(n >= 2 && header[0] == '{', name, ": header must be a JSON object starting with '{'");

    // Parse, keeping the file's key order and noting the first duplicate key at any depth.
    std::vector<std::set<std::string>> open_objects;
    std::string duplicate;
    const auto on_event = [&](int, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::object_start)
            open_objects.emplace_back();
        else if (event == Json::parse_event_t::object_end)
            open_objects.pop_back();
        else if (event == Json::parse_event_t::key && !open_objects.empty()) {
            const std::string& key = parsed.get_ref<const std::string&>();
            if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
        }
        return true;
    };
    Json j;
    try {
        j = Json::parse(header, header + n, on_event);
    } catch (const Json::exception& e) {
        fail(name, ": malformed JSON header: ", e.what());
    }
    check(duplicate.empty(), name, ": duplicate key '", duplicate, "' in the header");
    check(j.is_object(), name, ": header must be a JSON object");

    Layout layout;
    std::vector<Entry>& entries = layout.entries;
    for (const auto& [key, value] : j.items()) {
        if (key == "__metadata__") {
            check(value.is_object(), name, ": __metadata__ must be an object of strings");
            for (const auto& [mkey, mvalue] : value.items()) {
                check(mvalue.is_string(), name, ": __metadata__ value '", mkey,
                      "' must be a string, found ", json_type(mvalue));
                layout.metadata[mkey] = mvalue.get<std::string>();
            }
            continue;
        }
        entries.push_back(parse_entry(cat(name, ": tensor '", key, "'"), key, value));
    }

    // The data: tensors back to back, from offset 0 to the end of the file.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    int64_t expected = 0;
    const Entry* previous = nullptr;
    for (const Entry& e : entries) {
        const std::string where = cat(name, ": tensor '", e.name, "'");
        check(static_cast<uint64_t>(e.end) <= data_size, where, ": data_offsets [", e.begin, ", ",
              e.end, "] lie beyond the ", data_size, " data bytes of the file");
        check(e.begin >= expected, where, ": data_offsets [", e.begin, ", ", e.end,
              "] overlap tensor '", previous ? previous->name : "", "'");
        check(e.begin == expected, where, ": data_offsets [", e.begin, ", ", e.end,
              "] leave a gap of ", e.begin - expected, " bytes after ",
              previous ? cat("tensor '", previous->name, "'") : std::string("the header"));
        expected = e.end;
        previous = &e;
    }
    check(static_cast<uint64_t>(expected) == data_size, name, ": ", data_size - expected,
          " bytes after the last tensor are not described by the header");
    return layout;
}

// Reads exactly `n` bytes at `offset` of the open file `path`.
void read_at(int fd, std::byte* dst, uint64_t n, uint64_t offset, const std::string& path) {
    while (n > 0) {
        const ssize_t got = ::pread(fd, dst, std::min<uint64_t>(n, 1 << 30), offset);
        if (got < 0 && errno == EINTR) continue;
        check(got >= 0, path, ": read failed: ", std::strerror(errno));
        check(got > 0, path, ": file ended early (changed while being read?)");
        dst += got;
        n -= got;
        offset += got;
    }
}

}  // namespace

SafetensorsFile parse_safetensors(std::span<const std::byte> bytes, const std::string& name) {
    const uint64_t size = bytes.size();
    const uint64_t n = header_length(bytes.data(), size, name);
    Layout layout =
        parse_header(reinterpret_cast<const char*>(bytes.data() + 8), n, size - 8 - n, name);
    SafetensorsFile file{{}, std::move(layout.metadata)};
    const std::byte* data = bytes.data() + 8 + n;
    file.tensors.reserve(layout.entries.size());
    for (Entry& e : layout.entries) {
        e.tensor.data.assign(data + e.begin, data + e.end);
        file.tensors.emplace_back(std::move(e.name), std::move(e.tensor));
    }
    return file;
}

// Reads the header first and then each tensor straight into its own buffer, so that the file is
// held in memory once, not twice.
SafetensorsFile read_safetensors(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    check(fd >= 0, path, ": cannot open for reading: ", std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    check(::fstat(fd, &info) == 0, path, ": cannot stat: ", std::strerror(errno));
    check(S_ISREG(info.st_mode), path, ": not a regular file");
    const uint64_t size = static_cast<uint64_t>(info.st_size);

    std::byte first8[8] = {};
    read_at(fd, first8, std::min<uint64_t>(size, 8), 0, path);
    const uint64_t n = header_length(first8, size, path);
    std::string header(n, '\0');
    read_at(fd, reinterpret_cast<std::byte*>(header.data()), n, 8, path);
    Layout layout = parse_header(header.data(), n, size - 8 - n, path);

    SafetensorsFile file{{}, std::move(layout.metadata)};
    file.tensors.reserve(layout.entries.size());
    for (Entry& e : layout.entries) {
        e.tensor.data.resize(static_cast<size_t>(e.end - e.begin));
        read_at(fd, e.tensor.data.data(), e.tensor.data.size(), 8 + n + e.begin, path);
        file.tensors.emplace_back(std::move(e.name), std::move(e.tensor));
    }
    return file;
}

namespace {

// The 8-byte header length and the header, padded with spaces to a multiple of 8 bytes.
std::string header_bytes(const SafetensorsFile& f, const std::string& name) {
    Json header = Json::object();
    if (!f.metadata.empty()) header["__metadata__"] = f.metadata;
    std::set<std::string_view> seen;
    uint64_t offset = 0;
    for (const auto& [key, t] : f.tensors) {
        const std::string where = cat(name, ": tensor '", key, "'");
        check(key != "__metadata__", where, ": this name is reserved for the metadata");
        check(seen.insert(key).second, where, ": duplicate tensor name");
        check_tensor_for_writing(where, t);
        header[key] = {{"dtype", t.dtype},
                       {"shape", t.shape},
                       {"data_offsets", {offset, offset + t.data.size()}}};
        offset += t.data.size();
    }
    std::string text;
    try {
        text = header.dump(-1, ' ', false, Json::error_handler_t::strict);
    } catch (const Json::exception&) {
        fail(name, ": tensor names and metadata must be valid UTF-8");
    }
    text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
    const uint64_t n = text.size();
    std::string out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    return out + text;
}

std::string_view bytes_of(const RawTensor& t) {
    return {reinterpret_cast<const char*>(t.data.data()), t.data.size()};
}

}  // namespace

std::string serialize_safetensors(const SafetensorsFile& f, const std::string& name) {
    std::string out = header_bytes(f, name);
    for (const auto& [key, t] : f.tensors) out += bytes_of(t);
    return out;
}

void write_safetensors(const std::string& path, const SafetensorsFile& f) {
    const std::string header = header_bytes(f, path);
    std::vector<std::string_view> pieces = {header};
    for (const auto& [key, t] : f.tensors) pieces.push_back(bytes_of(t));
    write_file_atomic(path, pieces);
}

}  // namespace gibbs::io
