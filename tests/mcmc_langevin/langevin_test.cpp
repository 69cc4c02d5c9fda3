// Batched ULA and MALA on Gaussian energies with known moments. Each chain is run long past its
// relaxation time and its last state kept, so the B final states are independent draws and the
// error bars are the i.i.d. ones: SE(mean_i) = √(Σ_ii/B), SE(S_ij) = √((Σ_ii Σ_jj + Σ_ij²)/B).
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/mcmc/langevin.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::mcmc {
namespace {

// E(x) = ½ (x − m)ᵀ P (x − m) in 2-D with P = Σ⁻¹; ∇E = P (x − m).
struct Gaussian2d {
    double m[2] = {1.0, -0.5};
    double S[2][2] = {{1.0, 0.6}, {0.6, 0.5}};  // Σ, correlation 0.85
    double P[2][2];
    Gaussian2d() {
        const double det = S[0][0] * S[1][1] - S[0][1] * S[1][0];
        P[0][0] = S[1][1] / det, P[1][1] = S[0][0] / det;
        P[0][1] = P[1][0] = -S[0][1] / det;
    }
    EnergyAndGrad operator()(const Tensor& x) const {
        const int64_t B = x.size(0);
        Tensor e = Tensor::empty({B}, DType::f64), g = Tensor::empty({B, 2}, DType::f64);
        const double* p = x.data<double>();
        for (int64_t b = 0; b < B; ++b) {
            const double d0 = p[2 * b] - m[0], d1 = p[2 * b + 1] - m[1];
            const double g0 = P[0][0] * d0 + P[0][1] * d1, g1 = P[1][0] * d0 + P[1][1] * d1;
            e.data<double>()[b] = 0.5 * (d0 * g0 + d1 * g1);
            g.data<double>()[2 * b] = g0, g.data<double>()[2 * b + 1] = g1;
        }
        return {e, g};
    }
};

struct Moments {
    double mean[2] = {0, 0};
    double cov[2][2] = {{0, 0}, {0, 0}};
};

Moments moments(const Tensor& x) {
    const std::vector<double> v = x.to_vector();
    const auto B = static_cast<double>(x.size(0));
    Moments r;
    for (size_t i = 0; i < v.size(); i += 2) r.mean[0] += v[i] / B, r.mean[1] += v[i + 1] / B;
    for (size_t i = 0; i < v.size(); i += 2)
        for (int a = 0; a < 2; ++a)
            for (int c = 0; c < 2; ++c)
                r.cov[a][c] += (v[i + a] - r.mean[a]) * (v[i + c] - r.mean[c]) / (B - 1);
    return r;
}

TEST(Langevin, MalaMatchesTheMeanAndCovarianceOfACorrelatedGaussian) {
    const Gaussian2d target;
    const int64_t B = 4000;
    Generator gen(11);
    Tensor x = randn({B, 2}, gen, DType::f64);
    // ε = 0.1 against the smallest variance 0.14 of Σ; the slowest direction (variance 1.36)
    // relaxes by (1 − ε/2·1.36) per step, so 600 steps leave e^{−22} of the start.
    const LangevinStats s =
        langevin(x, target, 600, {.kind = LangevinKind::mala, .step_size = 0.1}, gen);
    EXPECT_GT(s.acceptance, 0.8);
    EXPECT_LT(s.acceptance, 1.0);
    const Moments r = moments(x);
    for (int a = 0; a < 2; ++a) {
        EXPECT_NEAR(r.mean[a], target.m[a], 3 * std::sqrt(target.S[a][a] / B)) << a;
        for (int c = 0; c < 2; ++c) {
            const double se =
                std::sqrt((target.S[a][a] * target.S[c][c] + target.S[a][c] * target.S[a][c]) / B);
            EXPECT_NEAR(r.cov[a][c], target.S[a][c], 3 * se) << a << c;
        }
    }
}

// 1-D N(0, s²): E = x²/2s². ULA's chain x' = (1 − ε/2s²) x + √ε η is an AR(1) process with
// stationary variance ε / (1 − (1 − ε/2s²)²) = s² / (1 − ε/4s²); MALA's is s² for any ε.
TEST(Langevin, UlaShowsItsStepSizeBiasAndMalaRemovesIt) {
    const double s = 1.0, eps = 1.0;  // ULA variance 4/3
    const int64_t B = 20000, steps = 200;
    const EnergyFn energy = [s](const Tensor& x) -> EnergyAndGrad {
        return {(square(x) * (0.5 / (s * s))).reshape({x.size(0)}), x * (1 / (s * s))};
    };
    const double ula_var = s * s / (1 - eps / (4 * s * s));
    for (LangevinKind kind : {LangevinKind::ula, LangevinKind::mala}) {
        Generator gen(12);
        Tensor x = randn({B, 1}, gen, DType::f64);
        langevin(x, energy, steps, {.kind = kind, .step_size = eps}, gen);
        double var = 0;
        for (double v : x.to_vector()) var += v * v / B;
        const double expected = kind == LangevinKind::ula ? ula_var : s * s;
        // Var(ŝ²) = 2σ⁴/B for B independent normal draws (mean known to be 0).
        EXPECT_NEAR(var, expected, 3 * expected * std::sqrt(2.0 / B))
            << (kind == LangevinKind::ula ? "ULA" : "MALA");
        if (kind == LangevinKind::ula) {  // and the bias is far outside the error bars of s²
            EXPECT_GT(std::abs(var - s * s), 10 * s * s * std::sqrt(2.0 / B));
        }
    }
}

TEST(Langevin, AutogradEnergyGivesTheAnalyticGradient) {
    const Gaussian2d target;
    Generator gen(13);
    const Tensor x = randn({5, 2}, gen, DType::f64);
    const Tensor P =
        Tensor::from({target.P[0][0], target.P[0][1], target.P[1][0], target.P[1][1]}, {2, 2});
    const Tensor m = Tensor::from({target.m[0], target.m[1]}, {1, 2});
    const EnergyFn by_autograd = autograd_energy([&](const Tensor& y) {
        const Tensor d = y - m;
        return (d.matmul(P) * d).sum(1) * 0.5;
    });
    const EnergyAndGrad a = by_autograd(x), b = target(x);
    for (int64_t i = 0; i < 5; ++i) EXPECT_NEAR(a.energy.at({i}), b.energy.at({i}), 1e-12);
    for (int64_t i = 0; i < 10; ++i)
        EXPECT_NEAR(a.grad.to_vector()[i], b.grad.to_vector()[i], 1e-12);
}

TEST(Langevin, ClipBoxAndReproducibility) {
    const Gaussian2d target;
    Generator g1(14), g2(14);
    Tensor x1 = Tensor::zeros({64, 2}, DType::f64), x2 = x1.clone();
    const LangevinOptions o{
        .step_size = 0.5, .noise_scale = 0.5, .grad_clip = 0.1, .lo = -0.2, .hi = 0.2};
    langevin(x1, target, 20, o, g1);
    langevin(x2, target, 20, o, g2);
    EXPECT_EQ(x1.to_vector(), x2.to_vector());
    for (double v : x1.to_vector()) {
        EXPECT_GE(v, -0.2);
        EXPECT_LE(v, 0.2);
    }
    // MALA in a box only ever accepts points inside it.
    Tensor x3 = Tensor::zeros({64, 2}, DType::f64);
    langevin(x3, target, 50, {.kind = LangevinKind::mala, .step_size = 0.5, .lo = -0.3, .hi = 0.3},
             g1);
    for (double v : x3.to_vector()) EXPECT_LE(std::abs(v), 0.3);
}

TEST(Langevin, BadOptionsAndShapesAreErrors) {
    const Gaussian2d target;
    Generator gen;
    Tensor x = Tensor::zeros({4, 2}, DType::f64);
    EXPECT_THROW(langevin(x, target, 1, {.step_size = 0}, gen), Error);
    EXPECT_THROW(langevin(x, target, 1, {.noise_scale = -1}, gen), Error);
    EXPECT_THROW(langevin(x, target, 1, {.grad_clip = -1}, gen), Error);
    EXPECT_THROW(langevin(x, target, 1, {.lo = 1.0}, gen), Error);
    EXPECT_THROW(langevin(x, target, -1, {}, gen), Error);
    const EnergyFn wrong = [](const Tensor& y) -> EnergyAndGrad {
        return {Tensor::zeros({y.size(0), 1}, DType::f64), y};
    };
    EXPECT_THROW(langevin(x, wrong, 1, {}, gen), Error);
}

}  // namespace
}  // namespace gibbs::mcmc
