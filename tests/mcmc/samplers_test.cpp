// Metropolis and parallel tempering on a model-free energy: an open chain of 3 Ising spins in a
// field, F(x) = −J Σ_i s_i s_{i+1} − h Σ_i s_i with s = 2x − 1, whose 8 probabilities e^{−F}/Z are
// summed directly. Pearson's χ² with 7 degrees of freedom (0.999 quantile 24.32), fixed seeds,
// samples thinned to every 5th sweep.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/mcmc/metropolis.hpp"
#include "gibbs/mcmc/tempering.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs;

namespace {

double chain_energy(std::span<const uint8_t> x) {
    const double J = 1.0, h = 0.3;
    double F = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double s = x[i] ? 1 : -1;
        F -= h * s;
        if (i + 1 < x.size()) F -= J * s * (x[i + 1] ? 1 : -1);
    }
    return F;
}

std::vector<double> exact() {
    std::vector<double> p(8);
    double Z = 0;
    for (int s = 0; s < 8; ++s) {
        const uint8_t x[3] = {uint8_t(s & 1), uint8_t((s >> 1) & 1), uint8_t((s >> 2) & 1)};
        p[s] = std::exp(-chain_energy(x));
        Z += p[s];
    }
    for (double& v : p) v /= Z;
    return p;
}

double chi2(const std::vector<int64_t>& counts) {
    const auto p = exact();
    int64_t n = 0;
    for (auto c : counts) n += c;
    double c2 = 0;
    for (int s = 0; s < 8; ++s) c2 += (counts[s] - n * p[s]) * (counts[s] - n * p[s]) / (n * p[s]);
    return c2;
}

int index(std::span<const uint8_t> x) { return x[0] | x[1] << 1 | x[2] << 2; }

}  // namespace

TEST(Metropolis, SingleFlipMatchesExactProbabilities) {
    mcmc::FunctionFlipEnergy F(3, chain_energy);
    Generator gen(1);
    std::vector<int64_t> counts(8, 0);
    for (int s = 0; s < 100; ++s) mcmc::metropolis_sweep(F, gen);
    for (int rec = 0; rec < 20000; ++rec) {
        for (int s = 0; s < 5; ++s) mcmc::metropolis_sweep(F, gen);
        ++counts[index(F.state())];
    }
    EXPECT_LT(chi2(counts), 24.32);
}

TEST(ParallelTempering, ColdReplicaMatchesExactProbabilities) {
    mcmc::ParallelTempering pt(mcmc::geometric_betas(3, 0.3));
    std::vector<mcmc::FunctionFlipEnergy> rep(3, mcmc::FunctionFlipEnergy(3, chain_energy));
    Generator gen(2);
    std::vector<int64_t> counts(8, 0);
    for (int rec = 0; rec < 20100; ++rec) {
        for (int s = 0; s < 5; ++s) {
            for (int k = 0; k < 3; ++k)
                mcmc::metropolis_sweep(rep[pt.state_at(k)], gen, 1.0 / pt.beta(k));
            pt.swap([&](int64_t st) { return chain_energy(rep[st].state()); }, gen);
        }
        if (rec >= 100) ++counts[index(rep[pt.state_at(0)].state())];
    }
    EXPECT_LT(chi2(counts), 24.32);
    EXPECT_GT(pt.acceptance(0), 0.2);
    EXPECT_GT(pt.acceptance(1), 0.2);
}

TEST(ParallelTempering, BetasAreGeometricAndChecked) {
    const auto b = mcmc::geometric_betas(5, 0.0625);
    ASSERT_EQ(b.size(), 5u);
    EXPECT_DOUBLE_EQ(b[0], 1.0);
    EXPECT_DOUBLE_EQ(b[2], 0.25);  // 0.0625^(2/4)
    EXPECT_DOUBLE_EQ(b[4], 0.0625);
    EXPECT_THROW(mcmc::ParallelTempering({0.5, 0.2}), Error);
    EXPECT_THROW(mcmc::ParallelTempering({1.0, 0.2, 0.3}), Error);
    EXPECT_THROW(mcmc::geometric_betas(3, 0.0), Error);
}
