// RBM energies, conditionals and exact partition functions against enumeration.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/boltzmann/rbm.hpp"

using namespace gibbs;
using namespace gibbs::boltzmann;

namespace {

// A binary RBM with weights ~ N(0, s²) and biases ~ N(0, s²), float64.
Rbm random_rbm(int64_t M, int64_t N, uint64_t seed, double s = 1.0,
               Visible vis = Visible::kBinary) {
    Generator gen(seed);
    Tensor W = randn({M, N}, gen, DType::f64) * s;
    Tensor a = randn({M}, gen, DType::f64) * s;
    Tensor b = randn({N}, gen, DType::f64) * s;
    Tensor sigma = vis == Visible::kGaussian ? uniform({M}, 0.5, 1.5, gen, DType::f64) : Tensor();
    return Rbm(vis, W.detach(), a.detach(), b.detach(), sigma);
}

// Row t of the (2^n, n) table of all binary vectors, bit i of t in column i.
Tensor all_states(int64_t n) {
    Tensor x = Tensor::zeros({int64_t{1} << n, n}, DType::f64);
    for (int64_t t = 0; t < (int64_t{1} << n); ++t)
        for (int64_t i = 0; i < n; ++i) x.set({t, i}, (t >> i) & 1);
    return x;
}

}  // namespace

// F(x) = −log Σ_h e^{−E(x,h)}, by enumerating h.
TEST(Rbm, FreeEnergyIsMinusLogSumOverHiddenStates) {
    for (Visible vis : {Visible::kBinary, Visible::kGaussian}) {
        const Rbm rbm = random_rbm(4, 3, 7, 0.8, vis);
        Generator gen(1);
        const Tensor x = vis == Visible::kBinary ? all_states(4) : randn({5, 4}, gen, DType::f64);
        const Tensor H = all_states(3);  // (8, 3)
        const auto F = rbm.free_energy(x).to_vector();
        for (int64_t r = 0; r < x.size(0); ++r) {
            double sum = 0;
            for (int64_t t = 0; t < 8; ++t) {
                const Tensor xr = x.narrow(0, r, 1), ht = H.narrow(0, t, 1);
                sum += std::exp(-rbm.energy(xr, ht).item());
            }
            EXPECT_NEAR(F[r], -std::log(sum), 1e-12) << visible_name(vis) << " row " << r;
        }
    }
}

// p(h_j = 1 | x) = Σ_{h: h_j=1} e^{−E(x,h)} / Σ_h e^{−E(x,h)}, and E[x|h] = σ(a + Wh) checked
// by enumerating x the same way.
TEST(Rbm, ConditionalsMatchEnumeration) {
    const Rbm rbm = random_rbm(4, 3, 11);
    const Tensor X = all_states(4), H = all_states(3);
    Tensor E = Tensor::empty({16, 8}, DType::f64);  // E[x, h]
    for (int64_t s = 0; s < 16; ++s)
        for (int64_t t = 0; t < 8; ++t)
            E.set({s, t}, rbm.energy(X.narrow(0, s, 1), H.narrow(0, t, 1)).item());
    const Tensor ph = rbm.hidden_prob(X);   // (16, 3)
    const Tensor mx = rbm.visible_mean(H);  // (8, 4)
    for (int64_t s = 0; s < 16; ++s)
        for (int64_t j = 0; j < 3; ++j) {
            double num = 0, den = 0;
            for (int64_t t = 0; t < 8; ++t) {
                den += std::exp(-E.at({s, t}));
                if ((t >> j) & 1) num += std::exp(-E.at({s, t}));
            }
            EXPECT_NEAR(ph.at({s, j}), num / den, 1e-12);
        }
    for (int64_t t = 0; t < 8; ++t)
        for (int64_t i = 0; i < 4; ++i) {
            double num = 0, den = 0;
            for (int64_t s = 0; s < 16; ++s) {
                den += std::exp(-E.at({s, t}));
                if ((s >> i) & 1) num += std::exp(-E.at({s, t}));
            }
            EXPECT_NEAR(mx.at({t, i}), num / den, 1e-12);
        }
}

// log Z summed over the smaller layer equals the sum over all 2^(M+N) joint states (to 1e-10),
// whichever layer is smaller.
TEST(Partition, ExactEqualsBruteForce) {
    const int64_t sizes[][2] = {{6, 5}, {3, 9}, {10, 8}, {1, 1}, {11, 10}};
    for (const auto& mn : sizes) {
        const Rbm rbm = random_rbm(mn[0], mn[1], 100 + mn[0] * 31 + mn[1], 0.7);
        EXPECT_NEAR(log_z_exact(rbm), log_z_brute_force(rbm), 1e-10)
            << "M = " << mn[0] << ", N = " << mn[1];
    }
}

// Large weights: the product form of Σ softplus must stay finite and exact.
TEST(Partition, ExactLargeWeightsStayFinite) {
    const Rbm rbm = random_rbm(10, 9, 5, 6.0);  // |inputs| up to ~60: softplus must not overflow
    EXPECT_NEAR(log_z_exact(rbm), log_z_brute_force(rbm), 1e-9 * std::fabs(log_z_brute_force(rbm)));
}

// Gaussian–binary: Z = Σ_h ∫ e^{−E(x,h)} dx, here by the trapezoid rule on a 2-D grid
// (M = 2; the integrand is a Gaussian, so the rule is accurate to far below the tolerance).
TEST(Partition, GaussianExactEqualsQuadrature) {
    const Rbm rbm = random_rbm(2, 3, 9, 0.6, Visible::kGaussian);
    const Tensor H = all_states(3);
    const int n = 801;
    const double lo = -12, hi = 12, dx = (hi - lo) / (n - 1);
    Tensor X = Tensor::empty({n * n, 2}, DType::f64);
    for (int p = 0; p < n; ++p)
        for (int q = 0; q < n; ++q) {
            X.set({p * n + q, 0}, lo + p * dx);
            X.set({p * n + q, 1}, lo + q * dx);
        }
    const auto F = rbm.free_energy(X).to_vector();  // e^{−F(x)} = Σ_h e^{−E(x,h)}
    double Z = 0;
    for (int p = 0; p < n; ++p)
        for (int q = 0; q < n; ++q) {
            const double w =
                (p == 0 || p == n - 1 ? 0.5 : 1.0) * (q == 0 || q == n - 1 ? 0.5 : 1.0);
            Z += w * std::exp(-F[p * n + q]) * dx * dx;
        }
    EXPECT_NEAR(log_z_exact(rbm), std::log(Z), 1e-8);
}

TEST(Partition, RefusesTooLargeLayers) {
    Generator gen(0);
    const Rbm rbm(30, 26, Visible::kBinary, gen);
    EXPECT_THROW(log_z_exact(rbm), Error);
}

// AIS on a small RBM: the ±3σ interval holds the exact log Z (fixed seed), and the estimate is
// within 0.05 nats of it.
TEST(Ais, SmallRbmWithinInterval) {
    const Rbm rbm = random_rbm(20, 10, 3, 0.5);
    const double exact = log_z_exact(rbm);
    const AisResult r = ais_log_z(rbm, {.distributions = 3000, .runs = 100, .seed = 4});
    EXPECT_LE(r.log_z_low, exact);
    EXPECT_GE(r.log_z_high, exact);
    EXPECT_NEAR(r.log_z, exact, 0.05);
}

TEST(Ais, BetaScheduleIsSalakhutdinovMurray) {
    const auto b = ais_betas(15000);
    ASSERT_EQ(b.size(), 15001u);
    EXPECT_EQ(b[0], 0.0);
    EXPECT_DOUBLE_EQ(b[1000], 0.5);
    EXPECT_DOUBLE_EQ(b[5000], 0.9);
    EXPECT_EQ(b[15000], 1.0);
    EXPECT_THROW(ais_log_z(random_rbm(3, 2, 1), {.betas = {0.0, 0.7, 0.5, 1.0}}), Error);
}
