// The library's one exception type and a helper that builds its message from parts.
// Every failure a user can cause (bad shapes, bad files, NaN, divergence) throws gibbs::Error
// with one message that names the op, file or tensor involved.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace gibbs {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Concatenates the arguments with operator<< into one string.
template <typename... Args>
std::string cat(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
}

// Throws gibbs::Error with the concatenated arguments as its message.
template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
    throw Error(cat(args...));
}

// Throws gibbs::Error unless `condition` holds.
template <typename... Args>
void check(bool condition, const Args&... args) {
    if (!condition) fail(args...);
}

}  // namespace gibbs
