// The seeded random generator: xoshiro256++ (Blackman & Vigna 2018) seeded through splitmix64.
// Same seed, same calls -> same numbers on every machine: the distributions below are written
// here rather than taken from <random>, whose distributions differ between standard libraries.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace gibbs {

class Generator {
  public:
    explicit Generator(uint64_t seed = 0) { this->seed(seed); }

    void seed(uint64_t seed);

    // 64 random bits.
    uint64_t next() {
        const uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform on [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform on [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Standard normal by the Box-Muller transform; the second value of each pair is kept.
    double normal();
    double normal(double mean, double sd) { return mean + sd * normal(); }
    // 1 with probability p, else 0.
    bool bernoulli(double p) { return uniform() < p; }
    // Uniform integer on [lo, hi), without modulo bias (Lemire's method).
    int64_t integer(int64_t lo, int64_t hi);

    // A generator whose stream does not overlap this one's for 2^128 draws (the xoshiro jump),
    // for per-chain or per-thread streams that are reproducible whatever the thread count.
    Generator split();

    // The full state, for checkpoints that resume bit for bit.
    struct State {
        std::array<uint64_t, 4> s;
        bool has_spare;
        double spare;
    };
    State state() const { return {s_, has_spare_, spare_}; }
    void set_state(const State& st) {
        s_ = st.s;
        has_spare_ = st.has_spare;
        spare_ = st.spare;
    }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    void jump();

    std::array<uint64_t, 4> s_{};
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// The process-wide default generator (seed 0 unless reseeded); the only global state besides
// the thread count.
Generator& default_generator();

// A generator state as text and back, exactly (hex words, the spare normal as %a), for the
// metadata of checkpoints; `source` names the file in the error for malformed text.
std::string generator_state_to_text(const Generator::State& state);
Generator::State generator_state_from_text(const std::string& text, const std::string& source);

}  // namespace gibbs
