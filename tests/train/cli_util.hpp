// Helpers for the `gibbs train` / `gibbs eval` tests: running the command ($GIBBS_CLI) with an
// environment, a small synthetic Fashion-MNIST in IDX form, and CSV tables.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::testing {

struct CliOutput {
    int status;
    std::string text;  // stdout and stderr together
};

// Runs `env $GIBBS_CLI args` through the shell, with stderr joined to stdout.
inline CliOutput run_cli(const std::string& args, const std::string& env = "") {
    const char* cli = std::getenv("GIBBS_CLI");
    if (cli == nullptr) return {-1, "GIBBS_CLI is not set"};
    const std::string command = env + (env.empty() ? "" : " ") + cli + " " + args + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return {-1, "popen failed"};
    CliOutput out{0, ""};
    std::array<char, 4096> buf;
    while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) out.text += buf.data();
    const int status = pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

inline int count_lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

inline void put_u32_be(std::string& s, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xff);
}

// Writes N synthetic 28x28 "clothes" to `dir` as the four uncompressed IDX files Fashion-MNIST
// uses: the image of class k is noise in 0..59 with rows 2k+2..2k+4 bright (200..255), so the
// classes are linearly separable. Labels cycle 0..9.
inline void write_synthetic_fashion_mnist(const std::string& dir, int64_t n_train, int64_t n_test,
                                          uint64_t seed = 1) {
    Generator gen(seed);
    for (const auto& [prefix, n] : {std::pair<std::string, int64_t>{"train", n_train},
                                    std::pair<std::string, int64_t>{"t10k", n_test}}) {
        std::string images, labels;
        put_u32_be(images, 0x00000803);
        put_u32_be(images, static_cast<uint32_t>(n));
        put_u32_be(images, 28);
        put_u32_be(images, 28);
        put_u32_be(labels, 0x00000801);
        put_u32_be(labels, static_cast<uint32_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            const int k = static_cast<int>((i * 7 + i / 10) % 10);
            labels += static_cast<char>(k);
            for (int r = 0; r < 28; ++r)
                for (int c = 0; c < 28; ++c) {
                    const bool bright = r >= 2 * k + 2 && r < 2 * k + 5;
                    const int v = bright ? static_cast<int>(gen.integer(200, 256))
                                         : static_cast<int>(gen.integer(0, 60));
                    images += static_cast<char>(v);
                }
        }
        write_text(dir + "/" + prefix + "-images-idx3-ubyte", images);
        write_text(dir + "/" + prefix + "-labels-idx1-ubyte", labels);
    }
}

}  // namespace gibbs::testing
