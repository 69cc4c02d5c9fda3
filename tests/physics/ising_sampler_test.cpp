// Both Ising samplers against exact results, within three standard errors:
//   <e> and C = N(<e²> - <e>²)/T² against Kaufman's finite torus (L = 4, 16),
//   <|m|> and χ = N(<m²> - <|m|>²)/T against brute-force enumeration (L = 3, 4).
// The errors are the estimators' own (blocking for means, block jackknife for C and χ); seeds
// are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gibbs/physics/ising.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::physics;

namespace {

std::string describe(const char* sampler, int L, double T) {
    return std::string(sampler) + " L=" + std::to_string(L) + " T=" + std::to_string(T);
}

void expect_within_three_errors(const gibbs::mcmc::Estimate& est, double exact,
                                const std::string& what) {
    EXPECT_GT(est.error, 0.0) << what;
    EXPECT_NEAR(est.mean, exact, 3 * est.error) << what << " (error " << est.error << ")";
}

void check_run(IsingSampler sampler, int L, double T, std::size_t sweeps, uint64_t seed) {
    const char* name = sampler == IsingSampler::kWolff ? "wolff" : "metropolis";
    const IsingRunResult r = ising_run(
        L, T, {.sampler = sampler, .thermalization = 1000, .sweeps = sweeps, .seed = seed});
    const IsingExact exact = ising_exact(L, T);
    expect_within_three_errors(r.energy_per_spin, exact.energy_per_spin,
                               describe(name, L, T) + " energy");
    expect_within_three_errors(r.specific_heat, exact.specific_heat,
                               describe(name, L, T) + " specific heat");
    if (L <= 4) {
        const IsingEnumeration e = ising_enumerate(L, T);
        expect_within_three_errors(r.abs_magnetization, e.abs_magnetization,
                                   describe(name, L, T) + " |m|");
        expect_within_three_errors(r.susceptibility, e.susceptibility,
                                   describe(name, L, T) + " susceptibility");
    }
}

}  // namespace

TEST(IsingSamplers, MetropolisMatchesExactSmallLattices) {
    uint64_t seed = 100;
    for (int L : {3, 4}) {
        for (double T : {1.5, kIsingCriticalTemperature, 3.0}) {
            check_run(IsingSampler::kMetropolis, L, T, 100000, ++seed);
        }
    }
}

TEST(IsingSamplers, WolffMatchesExactSmallLattices) {
    uint64_t seed = 200;
    for (int L : {3, 4}) {
        for (double T : {1.5, kIsingCriticalTemperature, 3.0}) {
            check_run(IsingSampler::kWolff, L, T, 100000, ++seed);
        }
    }
}

TEST(IsingSamplers, MetropolisMatchesKaufmanAtL16) {
    uint64_t seed = 300;
    for (double T : {2.0, kIsingCriticalTemperature, 3.0}) {
        check_run(IsingSampler::kMetropolis, 16, T, 100000, ++seed);
    }
}

TEST(IsingSamplers, WolffMatchesKaufmanAtL16) {
    uint64_t seed = 400;
    for (double T : {2.0, kIsingCriticalTemperature, 3.0}) {
        check_run(IsingSampler::kWolff, 16, T, 50000, ++seed);
    }
}

TEST(IsingSamplers, SameSeedSameChain) {
    const IsingRunOptions options{.thermalization = 10, .sweeps = 100, .seed = 7};
    const IsingRunResult a = ising_run(8, 2.5, options), b = ising_run(8, 2.5, options);
    EXPECT_EQ(a.energy_series, b.energy_series);
    const IsingRunResult c = ising_run(8, 2.5, {.thermalization = 10, .sweeps = 100, .seed = 8});
    EXPECT_NE(a.energy_series, c.energy_series);
}

TEST(IsingSamplers, KeptConfigurationsAreZeroOneAndMatchTheSeries) {
    // keep_every = 5 over 100 sweeps keeps 20 configurations; |m| of each kept configuration
    // is the measured |m| of its sweep.
    const int L = 6;
    const IsingRunResult r = ising_run(
        L, 2.3, {.sampler = IsingSampler::kMetropolis, .sweeps = 100, .keep_every = 5, .seed = 3});
    ASSERT_EQ(r.configurations.size(), 20u * L * L);
    for (std::size_t k = 0; k < 20; ++k) {
        int sum = 0;
        for (int i = 0; i < L * L; ++i) {
            const uint8_t v = r.configurations[k * L * L + i];
            ASSERT_TRUE(v == 0 || v == 1);
            sum += 2 * v - 1;
        }
        EXPECT_DOUBLE_EQ(std::fabs(sum) / (L * L), r.abs_magnetization_series[5 * k + 4]);
    }
}

TEST(IsingLattice, EnergyAndMagnetizationOfSimpleStates) {
    // All up: E = -2N, M = N. Checkerboard (L even): every bond unsatisfied, E = +2N, M = 0.
    IsingLattice lattice(6);
    EXPECT_EQ(lattice.energy(), -72);
    EXPECT_EQ(lattice.magnetization(), 36);
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 6; ++j) lattice(i, j) = (i + j) % 2 ? 1 : -1;
    }
    EXPECT_EQ(lattice.energy(), 72);
    EXPECT_EQ(lattice.magnetization(), 0);
}

TEST(IsingSamplers, BadInputThrows) {
    EXPECT_THROW(ising_run(1, 2.0), gibbs::Error);
    EXPECT_THROW(ising_run(4, 0.0), gibbs::Error);
    EXPECT_THROW(ising_run(4, -2.0), gibbs::Error);
    EXPECT_THROW(ising_run(4, NAN), gibbs::Error);
    EXPECT_THROW(ising_run(4, 2.0, {.sweeps = 2}), gibbs::Error);
    EXPECT_THROW(Metropolis(0.0), gibbs::Error);
    EXPECT_THROW(Wolff(-1.0), gibbs::Error);
}
