// xoshiro256++ seeding, the jump function, and the normal and integer distributions.
#include "gibbs/tensor/random.hpp"

#include <cinttypes>
#include <cstdio>
#include <numbers>

#include "gibbs/tensor/error.hpp"

namespace gibbs {

namespace {
uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
}  // namespace

void Generator::seed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
    has_spare_ = false;
    spare_ = 0.0;
}

double Generator::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    // u1 in (0, 1] so that log(u1) is finite.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
}

int64_t Generator::integer(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi - lo);
    if (range == 0) return lo;
    // Lemire (2019): multiply-shift with rejection of the biased low products.
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * range;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < range) {
        const uint64_t threshold = -range % range;
        while (low < threshold) {
            m = static_cast<unsigned __int128>(next()) * range;
            low = static_cast<uint64_t>(m);
        }
    }
    return lo + static_cast<int64_t>(m >> 64);
}

void Generator::jump() {
    static constexpr uint64_t kJump[] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                         0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    std::array<uint64_t, 4> t{};
    for (uint64_t word : kJump) {
        for (int b = 0; b < 64; ++b) {
            if (word & (uint64_t{1} << b)) {
                for (int i = 0; i < 4; ++i) t[i] ^= s_[i];
            }
            next();
        }
    }
    s_ = t;
}

Generator Generator::split() {
    Generator child = *this;
    child.has_spare_ = false;
    jump();  // this generator moves on; the child keeps the old position
    return child;
}

Generator& default_generator() {
    static Generator gen(0);
    return gen;
}

std::string generator_state_to_text(const Generator::State& s) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %d %a", s.s[0],
                  s.s[1], s.s[2], s.s[3], s.has_spare ? 1 : 0, s.spare);
    return buf;
}

Generator::State generator_state_from_text(const std::string& text, const std::string& source) {
    Generator::State s{};
    int spare = 0;
    const int got =
        std::sscanf(text.c_str(), "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %d %la", &s.s[0],
                    &s.s[1], &s.s[2], &s.s[3], &spare, &s.spare);
    check(got == 6, source, ": the generator state '", text, "' is malformed");
    s.has_spare = spare != 0;
    return s;
}

}  // namespace gibbs
