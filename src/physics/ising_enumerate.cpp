// Exact Ising averages by brute force over all 2^N states of a small torus. The states are
// visited in Gray-code order, so each differs from the last by one spin and E, M update in O(1);
// the density of states g(E, M) is counted once and then weighted by exp(-E/T).
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gibbs/physics/ising_exact.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

IsingEnumeration ising_enumerate(int L, double T) {
    check(L >= 2 && L <= 5, "ising_enumerate: L must be between 2 and 5, got ", L);
    check(T > 0 && std::isfinite(T), "ising_enumerate: temperature must be positive, got ", T);
    const int N = L * L;
    std::vector<int> s(N, 1);
    std::vector<int> nb(4 * N);  // (N, 4): right, left, down, up
    for (int i = 0; i < L; ++i) {
        for (int j = 0; j < L; ++j) {
            const int site = i * L + j;
            nb[4 * site + 0] = i * L + (j + 1) % L;
            nb[4 * site + 1] = i * L + (j + L - 1) % L;
            nb[4 * site + 2] = ((i + 1) % L) * L + j;
            nb[4 * site + 3] = ((i + L - 1) % L) * L + j;
        }
    }
    // All spins +1: E = -2N (2N bonds), M = N.
    int E = -2 * N, M = N;
    const int n_e = 4 * N + 1, n_m = 2 * N + 1;
    std::vector<uint64_t> g(static_cast<std::size_t>(n_e) * n_m, 0);  // (E + 2N, M + N)
    auto count = [&] { ++g[static_cast<std::size_t>(E + 2 * N) * n_m + (M + N)]; };
    count();
    const uint64_t states = uint64_t{1} << N;
    for (uint64_t k = 1; k < states; ++k) {
        const int i = std::countr_zero(k);
        const int h = s[nb[4 * i]] + s[nb[4 * i + 1]] + s[nb[4 * i + 2]] + s[nb[4 * i + 3]];
        E += 2 * s[i] * h;  // ΔE = 2 s_i h_i for s_i -> -s_i
        M -= 2 * s[i];
        s[i] = -s[i];
        count();
    }
    // Weights exp(-β(E - E_min)) in long double; Z = exp(-β E_min) Σ.
    using real = long double;
    const real beta = 1 / static_cast<real>(T);
    real z = 0, e1 = 0, e2 = 0, m_abs = 0, m2 = 0;
    for (int ei = 0; ei < n_e; ++ei) {
        const real energy = ei - 2 * N;
        const real w = std::exp(-beta * (energy + 2 * N));
        for (int mi = 0; mi < n_m; ++mi) {
            const uint64_t c = g[static_cast<std::size_t>(ei) * n_m + mi];
            if (c == 0) continue;
            const real p = w * static_cast<real>(c), m = mi - N;
            z += p;
            e1 += p * energy;
            e2 += p * energy * energy;
            m_abs += p * std::fabs(m);
            m2 += p * m * m;
        }
    }
    e1 /= z;
    e2 /= z;
    m_abs /= z * N;
    m2 /= z * static_cast<real>(N) * N;
    IsingEnumeration out;
    out.log_z = static_cast<double>(std::log(z) + beta * 2 * N);
    out.energy_per_spin = static_cast<double>(e1 / N);
    out.specific_heat = static_cast<double>(beta * beta * (e2 - e1 * e1) / N);
    out.abs_magnetization = static_cast<double>(m_abs);
    out.magnetization_sq = static_cast<double>(m2);
    out.susceptibility = static_cast<double>(N * beta * (m2 - m_abs * m_abs));
    return out;
}

}  // namespace gibbs::physics
