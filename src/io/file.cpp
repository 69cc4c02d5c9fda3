// Whole-file reads and atomic writes with POSIX calls (open, write, fsync, rename).
#include "gibbs/io/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "gibbs/tensor/error.hpp"

namespace gibbs::io {
namespace {

std::atomic<int64_t> g_fault_after{-1};  // -1: no simulated fault
std::atomic<uint64_t> g_temp_counter{0};

std::string errno_text() { return std::strerror(errno); }

// Closes a descriptor on scope exit unless released.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::vector<std::byte> read_file(const std::string& path) {
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    check(f.fd >= 0, path, ": cannot open for reading: ", errno_text());
    std::vector<std::byte> bytes;
    std::byte chunk[1 << 16];
    for (;;) {
        const ssize_t got = ::read(f.fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        check(got >= 0, path, ": read failed: ", errno_text());
        if (got == 0) break;
        bytes.insert(bytes.end(), chunk, chunk + got);
    }
    return bytes;
}

void set_atomic_write_fault_for_testing(std::optional<size_t> fail_after_bytes) {
    g_fault_after = fail_after_bytes ? static_cast<int64_t>(*fail_after_bytes) : -1;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
    write_file_atomic(path, std::span<const std::string_view>(&bytes, 1));
}

void write_file_atomic(const std::string& path, std::span<const std::string_view> pieces) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    check(!path.empty(), "write_file_atomic: empty file name");
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // A hidden name beside the target: ".NAME.tmp.PID.COUNTER".
    std::string temp_name =
        cat(".", target.filename().string(), ".tmp.", ::getpid(), ".", g_temp_counter++);
    const std::string temp = (folder / temp_name).string();

    Fd f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)};
    check(f.fd >= 0, path, ": cannot create temporary file '", temp, "': ", errno_text());
    // From here on, any failure removes the temp file before throwing.
    auto fail_and_clean = [&](const std::string& what) {
        const std::string reason = errno_text();
        ::close(f.fd);
        f.fd = -1;
        ::unlink(temp.c_str());
        fail(path, ": ", what, ": ", reason);
    };

    // With the test fault set, only the first `fault` bytes are written, then the write fails.
    size_t total = 0;
    for (std::string_view piece : pieces) total += piece.size();
    const int64_t fault = g_fault_after;
    const bool simulate = fault >= 0 && static_cast<size_t>(fault) < total;
    size_t budget = simulate ? static_cast<size_t>(fault) : total;
    for (std::string_view piece : pieces) {
        const size_t limit = std::min(budget, piece.size());
        size_t written = 0;
        while (written < limit) {
            const ssize_t put = ::write(f.fd, piece.data() + written, limit - written);
            if (put < 0 && errno == EINTR) continue;
            if (put <= 0) fail_and_clean("write failed");
            written += static_cast<size_t>(put);
        }
        budget -= limit;
    }
    if (simulate) {
        errno = ENOSPC;
        fail_and_clean("write failed (simulated fault)");
    }
    if (::fsync(f.fd) != 0) fail_and_clean("fsync failed");
    if (::close(f.fd) != 0) {
        f.fd = -1;
        const std::string reason = errno_text();
        ::unlink(temp.c_str());
        fail(path, ": close failed: ", reason);
    }
    f.fd = -1;
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = errno_text();
        ::unlink(temp.c_str());
        fail(path, ": cannot rename temporary file into place: ", reason);
    }
    // Make the rename itself durable; a failure here loses nothing, so it is not an error.
    Fd dir{::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir.fd >= 0) ::fsync(dir.fd);
}

}  // namespace gibbs::io
