// The samplers of src/mcmc on a small binary RBM (M = 4, N = 3): the empirical frequencies of the
// 16 visible states match the exact p(x) = e^{−F(x)}/Z by Pearson's χ² test (15 degrees of
// freedom; the 0.999 quantile is 37.70), at fixed seeds. Samples are thinned (every 5th sweep
// of many chains) so that they are close to independent, as the test assumes.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/boltzmann/rbm.hpp"
#include "gibbs/mcmc/gibbs.hpp"
#include "gibbs/mcmc/metropolis.hpp"
#include "gibbs/mcmc/tempering.hpp"

using namespace gibbs;
using namespace gibbs::boltzmann;

namespace {

constexpr double kChi2Df15Q999 = 37.70;

Rbm small_rbm() {
    Generator gen(21);
    Tensor W = randn({4, 3}, gen, DType::f64), a = randn({4}, gen, DType::f64) * 0.5,
           b = randn({3}, gen, DType::f64) * 0.5;
    return Rbm(Visible::kBinary, W, a, b);
}

// p(x) for x = bits of s, s = 0..15.
std::vector<double> exact_probabilities(const Rbm& rbm) {
    Tensor X = Tensor::zeros({16, 4}, DType::f64);
    for (int s = 0; s < 16; ++s)
        for (int i = 0; i < 4; ++i) X.set({s, i}, (s >> i) & 1);
    const double log_z = log_z_exact(rbm);
    std::vector<double> p;
    for (double f : rbm.free_energy(X).to_vector()) p.push_back(std::exp(-f - log_z));
    return p;
}

double chi_squared(const std::vector<int64_t>& counts, const std::vector<double>& p) {
    int64_t n = 0;
    for (int64_t c : counts) n += c;
    double chi2 = 0;
    for (size_t s = 0; s < p.size(); ++s) {
        const double e = n * p[s];
        chi2 += (counts[s] - e) * (counts[s] - e) / e;
    }
    return chi2;
}

int state_index(std::span<const uint8_t> x) {
    int s = 0;
    for (size_t i = 0; i < x.size(); ++i) s |= (x[i] ? 1 : 0) << i;
    return s;
}

}  // namespace

TEST(Sampling, BlockGibbsMatchesExactProbabilities) {
    const Rbm rbm = small_rbm();
    const Rbm f32 = rbm.to(DType::f32);
    Generator gen(5);
    Tensor x = bernoulli(Tensor::full({200, 4}, 0.5), gen), h;
    mcmc::block_gibbs(f32, x, h, 100, gen);
    std::vector<int64_t> counts(16, 0);
    for (int rec = 0; rec < 100; ++rec) {
        mcmc::block_gibbs(f32, x, h, 5, gen);
        const float* xp = x.data<float>();
        for (int c = 0; c < 200; ++c) {
            int s = 0;
            for (int i = 0; i < 4; ++i) s |= (xp[c * 4 + i] > 0.5f ? 1 : 0) << i;
            ++counts[s];
        }
    }
    EXPECT_LT(chi_squared(counts, exact_probabilities(f32.to(DType::f64))), kChi2Df15Q999);
}

TEST(Sampling, MetropolisMatchesExactProbabilities) {
    const Rbm rbm = small_rbm();
    Generator gen(6);
    std::vector<int64_t> counts(16, 0);
    for (int chain = 0; chain < 20; ++chain) {
        RbmFlipEnergy energy(rbm);
        for (int s = 0; s < 100; ++s) mcmc::metropolis_sweep(energy, gen);
        for (int rec = 0; rec < 1000; ++rec) {
            for (int s = 0; s < 5; ++s) mcmc::metropolis_sweep(energy, gen);
            ++counts[state_index(energy.state())];
        }
    }
    EXPECT_LT(chi_squared(counts, exact_probabilities(rbm)), kChi2Df15Q999);
}

// The incremental ΔF of RbmFlipEnergy equals F(x') − F(x) recomputed in full.
TEST(Sampling, RbmFlipEnergyDeltaIsFreeEnergyDifference) {
    const Rbm rbm = small_rbm();
    mcmc::FunctionFlipEnergy full(4, [&](std::span<const uint8_t> x) {
        Tensor t = Tensor::zeros({1, 4}, DType::f64);
        for (int i = 0; i < 4; ++i) t.set({0, i}, x[i]);
        return rbm.free_energy(t).item();
    });
    RbmFlipEnergy fast(rbm);
    const std::vector<uint8_t> x0 = {1, 0, 1, 1};
    full.reset(x0);
    fast.reset(x0);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(fast.flip_delta(i), full.flip_delta(i), 1e-12);
}

// Parallel tempering of p_β ∝ e^{−βF}, Metropolis moves at each β: the β = 1 replica samples p.
TEST(Sampling, ParallelTemperingMatchesExactProbabilities) {
    const Rbm rbm = small_rbm();
    Generator gen(8);
    std::vector<int64_t> counts(16, 0);
    auto F = [&](std::span<const uint8_t> x) {
        Tensor t = Tensor::zeros({1, 4}, DType::f64);
        for (int i = 0; i < 4; ++i) t.set({0, i}, x[i]);
        return rbm.free_energy(t).item();
    };
    for (int chain = 0; chain < 10; ++chain) {
        mcmc::ParallelTempering pt(mcmc::geometric_betas(4, 0.2));
        std::vector<RbmFlipEnergy> replicas(4, RbmFlipEnergy(rbm));
        auto round = [&] {
            for (int k = 0; k < 4; ++k)
                mcmc::metropolis_sweep(replicas[pt.state_at(k)], gen, 1.0 / pt.beta(k));
            pt.swap([&](int64_t s) { return F(replicas[s].state()); }, gen);
        };
        for (int s = 0; s < 100; ++s) round();
        for (int rec = 0; rec < 2000; ++rec) {
            for (int s = 0; s < 5; ++s) round();
            ++counts[state_index(replicas[pt.state_at(0)].state())];
        }
        EXPECT_GT(pt.acceptance(0), 0.1);
    }
    EXPECT_LT(chi_squared(counts, exact_probabilities(rbm)), kChi2Df15Q999);
}
