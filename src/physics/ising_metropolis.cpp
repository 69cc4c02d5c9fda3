// Single-spin-flip Metropolis for the Ising model: flip s_i with probability
// min(1, exp(-ΔE/T)), ΔE = 2 s_i h_i, h_i = Σ_{j ~ i} s_j ∈ {-4, -2, 0, 2, 4}.
// Only five values of s_i h_i occur, so the acceptance test is one table lookup and one
// integer comparison; each 64-bit random number serves two sites.
#include <cmath>

#include "gibbs/physics/ising.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

Metropolis::Metropolis(double T) {
    check(T > 0 && std::isfinite(T), "Metropolis: temperature must be positive, got ", T);
    for (int k = 0; k < 5; ++k) {
        const int sh = 2 * k - 4;
        // P(flip) = min(1, e^{-2 s h / T}) ≈ threshold / 2^32 for a uniform 32-bit integer.
        const long double p = sh <= 0 ? 1.0L : std::exp(-2.0L * sh / T);
        threshold_[k] = static_cast<uint64_t>(std::llround(p * 4294967296.0L));
    }
}

std::size_t Metropolis::sweep(IsingLattice& lattice, Generator& gen) const {
    const int L = lattice.L();
    int8_t* s = lattice.spins().data();
    // NOTE: int8_t stores may alias anything, so the generator state and the table are copied
    // to locals.
    Generator g = gen;
    uint64_t threshold[5];
    for (int k = 0; k < 5; ++k) threshold[k] = threshold_[k];
    std::size_t accepted = 0;
    uint64_t bits = 0;
    bool half = false;
    // Updates site j of `row`, given its neighbour sum h.
    auto update = [&](int8_t* row, int j, int h) {
        uint32_t r;
        if (half) {
            r = static_cast<uint32_t>(bits >> 32);
        } else {
            bits = g.next();
            r = static_cast<uint32_t>(bits);
        }
        half = !half;
        const int s_j = row[j];
        const int flip = r < threshold[(s_j * h + 4) >> 1];
        accepted += flip;
        row[j] = static_cast<int8_t>(s_j * (1 - 2 * flip));
    };
    // Row by row; within a row the even columns first, then the odd ones. Every single update
    // keeps p invariant, so any fixed order is a valid sweep; this one makes the updates within
    // a pass independent of each other (no chain through the left neighbour), which lets the
    // processor overlap them.
    for (int i = 0; i < L; ++i) {
        int8_t* row = s + static_cast<std::size_t>(i) * L;
        const int8_t* up = s + static_cast<std::size_t>((i + L - 1) % L) * L;
        const int8_t* down = s + static_cast<std::size_t>((i + 1) % L) * L;
        for (int parity = 0; parity < 2; ++parity) {
            for (int j = parity; j < L; j += 2) {
                const int left = j == 0 ? L - 1 : j - 1, right = j == L - 1 ? 0 : j + 1;
                update(row, j, row[left] + row[right] + up[j] + down[j]);
            }
        }
    }
    gen = g;
    return accepted;
}

}  // namespace gibbs::physics
