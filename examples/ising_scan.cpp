// Scan the 2-D Ising model through its transition and compare each estimate with the exact
// finite-lattice value (Kaufman 1949) and Onsager's infinite-lattice energy.
// Run: ./build/example_ising_scan [L=32] [sweeps=20000]
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "gibbs/physics/ising.hpp"

int main(int argc, char** argv) {
    using namespace gibbs::physics;
    const int L = argc > 1 ? std::atoi(argv[1]) : 32;
    const std::size_t sweeps = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 20000;
    std::printf("L = %d, %zu Wolff sweeps per temperature; z = (estimate - exact) / error\n", L,
                sweeps);
    std::printf("%7s %21s %10s %6s %21s %10s %6s %10s\n", "T", "e ± err", "exact", "z", "C ± err",
                "exact", "z", "Onsager e");
    uint64_t seed = 0;  // NOTE: one seed per temperature; a shared seed correlates the errors
    for (double T = 1.6; T < 3.21; T += 0.2) {
        const double t = (T > 2.19 && T < 2.39) ? kIsingCriticalTemperature : T;
        const IsingRunResult r = ising_run(L, t, {.sweeps = sweeps, .seed = ++seed});
        const IsingExact x = ising_exact(L, t);
        const auto& e = r.energy_per_spin;
        const auto& c = r.specific_heat;
        std::printf("%7.4f %10.5f ± %-8.5f %10.5f %+6.2f %10.4f ± %-8.4f %10.4f %+6.2f %10.5f\n", t,
                    e.mean, e.error, x.energy_per_spin, (e.mean - x.energy_per_spin) / e.error,
                    c.mean, c.error, x.specific_heat, (c.mean - x.specific_heat) / c.error,
                    onsager_energy_per_spin(t));
    }
}
