// Runs the `gibbs` command ($GIBBS_CLI, set by CTest) with arguments and captures its exit
// status and its output (stdout and stderr together), for the end-to-end CLI tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gibbs::test {

struct CliOutput {
    int status;        // exit status, −1 when the command could not run or was killed
    std::string text;  // stdout and stderr together
};

inline CliOutput run_cli(const std::string& args) {
    const char* cli = std::getenv("GIBBS_CLI");
    if (cli == nullptr) return {-1, "GIBBS_CLI is not set (run the tests through ctest)"};
    FILE* pipe = popen((std::string(cli) + " " + args + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return {-1, "popen failed"};
    CliOutput out{0, ""};
    std::array<char, 4096> buf;
    while (const size_t got = std::fread(buf.data(), 1, buf.size(), pipe))
        out.text.append(buf.data(), got);
    const int status = pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

}  // namespace gibbs::test
