// Learning thermodynamics with RBMs (Torlai & Melko, PRB 94, 165134, 2016): for each temperature
// T, sample L = 8 Ising configurations with Wolff, train one binary RBM per T on them (0/1 spins),
// draw configurations from the RBM by block Gibbs, and compare E, |M|, C and χ per spin of the
// RBM's samples with those of the Monte Carlo training data and Kaufman's exact E and C.
//   build/example_ising_rbm_thermo [samples=10000] [epochs=100] [hidden=4,16,64]
// Prints a markdown table (docs/boltzmann.md holds one, with the settings).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "gibbs/boltzmann/train.hpp"
#include "gibbs/mcmc/gibbs.hpp"
#include "gibbs/physics/ising.hpp"

using namespace gibbs;

// e = E/N, |m| per spin of 0/1 configurations x (rows of N = L²) and the fluctuation observables
// C = N(⟨e²⟩ − ⟨e⟩²)/T², χ = N(⟨m²⟩ − ⟨|m|⟩²)/T.
struct Observables {
    double e, m, C, chi;
};

Observables measure(const float* x, int64_t rows, int L, double T) {
    const int64_t N = static_cast<int64_t>(L) * L;
    double se = 0, se2 = 0, sm = 0, sm2 = 0;
    for (int64_t r = 0; r < rows; ++r) {
        const float* s = x + r * N;
        auto spin = [&](int i, int j) {
            return s[((i + L) % L) * L + (j + L) % L] > 0.5f ? 1 : -1;
        };
        double E = 0, M = 0;
        for (int i = 0; i < L; ++i)
            for (int j = 0; j < L; ++j) {
                E -= spin(i, j) * (spin(i + 1, j) + spin(i, j + 1));
                M += spin(i, j);
            }
        const double e = E / N, m = std::fabs(M) / N;
        se += e;
        se2 += e * e;
        sm += m;
        sm2 += m * m;
    }
    se /= rows, se2 /= rows, sm /= rows, sm2 /= rows;
    return {se, sm, N * (se2 - se * se) / (T * T), N * (sm2 - sm * sm) / T};
}

int main(int argc, char** argv) {
    const int64_t samples = argc > 1 ? std::atoll(argv[1]) : 10000;
    const int64_t epochs = argc > 2 ? std::atoll(argv[2]) : 100;
    std::vector<int64_t> hidden;
    std::stringstream hs(argc > 3 ? argv[3] : "4,16,64");
    for (std::string tok; std::getline(hs, tok, ',');) hidden.push_back(std::atoll(tok.c_str()));
    const int L = 8;
    const int64_t N = L * L;
    const std::vector<double> temperatures = {1.5, 2.0, 2.269, 2.5, 3.0, 3.5};

    std::printf("| T | source | E/N | exact E/N | abs(M)/N | C | exact C | chi |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (double T : temperatures) {
        // Training data: Wolff, one configuration kept per sweep after 1000 sweeps.
        const auto run = physics::ising_run(
            L, T, {.sweeps = static_cast<size_t>(samples), .keep_every = 1, .seed = 7});
        Tensor x = Tensor::empty({samples, N});
        for (int64_t k = 0; k < samples * N; ++k) x.data<float>()[k] = run.configurations[k];
        const auto exact = physics::ising_exact(L, T);
        const Observables mc = measure(x.data<float>(), samples, L, T);
        std::printf("| %.3f | Monte Carlo (%lld) | %.4f | %.4f | %.4f | %.3f | %.3f | %.3f |\n", T,
                    static_cast<long long>(samples), mc.e, exact.energy_per_spin, mc.m, mc.C,
                    exact.specific_heat, mc.chi);
        for (int64_t nh : hidden) {
            Generator gen(11);
            boltzmann::Rbm rbm(N, nh, boltzmann::Visible::kBinary, gen);
            {
                boltzmann::RbmTrainer trainer(rbm, {.method = boltzmann::Method::kPcd,
                                                    .k = 5,
                                                    .chains = 100,
                                                    .batch = 100,
                                                    .lr = 0.05,
                                                    .momentum = 0.5,
                                                    .schedule = boltzmann::Schedule::kCosine,
                                                    .epochs = epochs,
                                                    .seed = 3});
                for (int64_t e = 0; e < epochs; ++e) trainer.epoch(x);
            }
            // Samples: 1000 chains from random states, 500 sweeps, then 10 records 20 sweeps apart.
            Tensor v = bernoulli(Tensor::full({1000, N}, 0.5), gen), h;
            mcmc::block_gibbs(rbm, v, h, 500, gen);
            Tensor all = Tensor::empty({10000, N});
            for (int rec = 0; rec < 10; ++rec) {
                mcmc::block_gibbs(rbm, v, h, 20, gen);
                std::copy_n(v.data<float>(), 1000 * N, all.data<float>() + rec * 1000 * N);
            }
            const Observables o = measure(all.data<float>(), 10000, L, T);
            std::printf("| %.3f | RBM N_h = %lld | %.4f | | %.4f | %.3f | | %.3f |\n", T,
                        static_cast<long long>(nh), o.e, o.m, o.C, o.chi);
            std::fflush(stdout);
        }
    }
    return 0;
}
