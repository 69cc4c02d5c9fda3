// libFuzzer harness for the IDX reader (see docs/fuzzing.md). Every input goes through both
// paths: parse_idx from memory, and read_idx from a file (an in-memory memfd) through zlib's
// gzread, which inflates gzip input and passes other input through unchanged. Each must either
// succeed or throw gibbs::Error; for input that is not gzip, both paths must agree.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gibbs/data/idx.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::data;

namespace {

struct Outcome {
    bool ok = false;
    IdxArray array;
};

template <typename F>
Outcome attempt(F&& f) {
    try {
        return {true, f()};
    } catch (const gibbs::Error&) {
        return {false, {}};
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Outcome memory = attempt([&] { return parse_idx(std::span(data, size), "fuzz"); });

    const int fd = ::memfd_create("idx", 0);
    if (fd < 0) return 0;
    size_t written = 0;
    while (written < size) {
        const ssize_t n = ::write(fd, data + written, size - written);
        if (n <= 0) break;
        written += static_cast<size_t>(n);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const Outcome file = attempt([&] { return read_idx(path); });
    ::close(fd);

    const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (!gzip && written == size &&
        (memory.ok != file.ok || memory.array.shape != file.array.shape ||
         memory.array.data != file.array.data)) {
        std::fprintf(stderr, "parse_idx and read_idx disagree\n");
        std::abort();
    }
    return 0;
}
