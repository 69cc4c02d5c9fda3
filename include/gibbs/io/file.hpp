// Whole-file reading and atomic writing. An atomic write puts the bytes in a temporary file in
// the same folder, flushes it to disk (fsync) and renames it over the target, so a crash or a
// failed write leaves the previous file whole (DESIGN.md, Errors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gibbs::io {

// The whole file as bytes; throws gibbs::Error naming the file when it cannot be read.
std::vector<std::byte> read_file(const std::string& path);

// Writes `bytes` to `path` atomically: temp file beside it, fsync, rename, fsync of the folder.
// On failure the temp file is removed, the previous `path` is untouched, and gibbs::Error names
// the file and the reason.
void write_file_atomic(const std::string& path, std::string_view bytes);
// The same for bytes given in pieces, written one after another (no copy into one buffer).
void write_file_atomic(const std::string& path, std::span<const std::string_view> pieces);

// Test hook: when set, atomic writes fail as if the disk filled up after this many bytes of the
// temp file were written. std::nullopt (the default) turns the fault off.
void set_atomic_write_fault_for_testing(std::optional<size_t> fail_after_bytes);

}  // namespace gibbs::io
