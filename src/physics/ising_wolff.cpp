// The Wolff single-cluster update (U. Wolff, Phys. Rev. Lett. 62, 361, 1989): from a random
// seed site, each bond to an equal neighbour is activated with probability
// p_add = 1 - exp(-2/T); the connected cluster is flipped. Detailed balance holds because the
// ratio of the probabilities of building the same cluster forward and backward,
// (1 - p_add)^{n_broken} / (1 - p_add)^{n_made}, equals exp(-ΔE/T).
#include <cmath>

#include "gibbs/physics/ising.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

Wolff::Wolff(double T) {
    check(T > 0 && std::isfinite(T), "Wolff: temperature must be positive, got ", T);
    const long double p_add = -std::expm1(-2.0L / T);
    // NOTE: p_add < 1 for every finite T; as a 64-bit threshold it is exact to 2^-64.
    const long double scaled = p_add * 18446744073709551616.0L;
    add_threshold_ =
        scaled >= 18446744073709551615.0L ? ~uint64_t{0} : static_cast<uint64_t>(scaled);
}

std::size_t Wolff::step(IsingLattice& lattice, Generator& gen) {
    const uint32_t L = static_cast<uint32_t>(lattice.L());
    const uint32_t N = static_cast<uint32_t>(lattice.size());
    int8_t* s = lattice.spins().data();
    const uint32_t seed = static_cast<uint32_t>(gen.integer(0, N));
    const int8_t s0 = s[seed];
    // Sites are flipped as they join, so "equal to s0" also means "not yet in the cluster".
    s[seed] = static_cast<int8_t>(-s0);
    stack_.clear();
    stack_.push_back(seed);
    std::size_t size = 1;
    auto try_add = [&](uint32_t n) {
        if (s[n] == s0 && gen.next() < add_threshold_) {
            s[n] = static_cast<int8_t>(-s0);
            stack_.push_back(n);
            ++size;
        }
    };
    while (!stack_.empty()) {
        const uint32_t i = stack_.back();
        stack_.pop_back();
        const uint32_t c = i % L;
        try_add(c + 1 == L ? i + 1 - L : i + 1);
        try_add(c == 0 ? i + L - 1 : i - 1);
        try_add(i + L >= N ? i + L - N : i + L);
        try_add(i < L ? i + N - L : i - L);
    }
    return size;
}

}  // namespace gibbs::physics
