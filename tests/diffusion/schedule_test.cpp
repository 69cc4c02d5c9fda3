// The forward process: β schedules, the closed-form marginals q(x_t | x_0) against the chain of
// one-step transitions, and the posterior q(x_{t−1} | x_t, x_0) against Gaussian conditioning.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gibbs/diffusion/schedule.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {
namespace {

TEST(Schedule, LinearRunsFromBeta1ToBetaT) {
    const NoiseSchedule s = NoiseSchedule::linear(1000);
    EXPECT_DOUBLE_EQ(s.beta(1), 1e-4);
    EXPECT_DOUBLE_EQ(s.beta(1000), 0.02);
    EXPECT_NEAR(s.beta(500) - s.beta(499), (0.02 - 1e-4) / 999, 1e-15);
    double ab = 1;
    for (int64_t t = 1; t <= 1000; ++t) ab *= 1 - s.beta(t);
    EXPECT_NEAR(s.alpha_bar(1000), ab, 1e-15);
    // Ho et al.: ᾱ_T ≈ 4.0e-5, so x_T is nearly N(0, I).
    EXPECT_NEAR(s.alpha_bar(1000), 4.04e-5, 1e-6);
    EXPECT_EQ(s.alpha_bar(0), 1.0);
}

TEST(Schedule, CosineAlphaBarFollowsItsFormula) {
    const int64_t T = 1000;
    const double s0 = 0.008;
    const NoiseSchedule s = NoiseSchedule::cosine(T);
    const auto f = [&](double t) {
        const double c = std::cos((t / T + s0) / (1 + s0) * std::numbers::pi / 2);
        return c * c;
    };
    // Unclipped up to the last steps, ᾱ_t = f(t)/f(0) exactly.
    for (int64_t t : {1, 10, 250, 500, 900, 990}) {
        EXPECT_LT(s.beta(t), 0.999);
        EXPECT_NEAR(s.alpha_bar(t), f(t) / f(0), 1e-12) << t;
    }
    for (int64_t t = 1; t <= T; ++t) EXPECT_LE(s.beta(t), 0.999);
    EXPECT_DOUBLE_EQ(s.beta(T), 0.999);  // f(T) = 0: clipped
    EXPECT_THROW(NoiseSchedule::make("quadratic", 10), Error);
}

TEST(Schedule, PosteriorIsGaussianConditioning) {
    // q(x_{t−1} | x_0) = N(√ᾱ_{t−1} x_0, 1 − ᾱ_{t−1}) times q(x_t | x_{t−1}) = N(√α_t x_{t−1}, β_t)
    // gives precision 1/(1 − ᾱ_{t−1}) + α_t/β_t and mean var·(√ᾱ_{t−1} x_0/(1 − ᾱ_{t−1})
    // + √α_t x_t/β_t).
    for (const char* name : {"linear", "cosine"}) {
        const NoiseSchedule s = NoiseSchedule::make(name, 1000);
        for (int64_t t : {2, 3, 50, 500, 999, 1000}) {
            const double ab1 = s.alpha_bar(t - 1), beta = s.beta(t), a = s.alpha(t);
            const double var = 1 / (1 / (1 - ab1) + a / beta);
            EXPECT_NEAR(s.beta_tilde(t), var, 1e-12 * var) << name << " t=" << t;
            EXPECT_NEAR(s.beta_tilde(t), (1 - ab1) * beta / (1 - s.alpha_bar(t)), 1e-15);
            EXPECT_NEAR(s.posterior_c0(t), var * std::sqrt(ab1) / (1 - ab1), 1e-10);
            EXPECT_NEAR(s.posterior_ct(t), var * std::sqrt(a) / beta, 1e-10);
        }
        EXPECT_EQ(s.beta_tilde(1), 0.0);
    }
    // The tensor form agrees with the coefficients.
    const NoiseSchedule s = NoiseSchedule::linear(100);
    const Tensor x0 = Tensor::from({1.0, -2.0}, {2, 1}), xt = Tensor::from({0.5, 0.25}, {2, 1});
    const auto p = s.posterior(x0, xt, Tensor::from({7.0, 80.0}, {2}, DType::f32));
    EXPECT_NEAR(p.mean.at({1, 0}), s.posterior_c0(80) * -2.0 + s.posterior_ct(80) * 0.25, 1e-14);
    EXPECT_NEAR(p.variance.at({0}), s.beta_tilde(7), 1e-18);
}

TEST(Schedule, ForwardMarginalsMatchTheChainOfTransitions) {
    // Run x_s = √α_s x_{s−1} + √β_s z for s = 1..t from x_0 and compare the moments of many
    // draws with q(x_t | x_0) = N(√ᾱ_t x_0, 1 − ᾱ_t), within three standard errors, and with
    // the draws of q_sample.
    const int64_t n = 20000;
    for (const char* name : {"linear", "cosine"}) {
        const NoiseSchedule s = NoiseSchedule::make(name, 1000);
        for (int64_t t : {1, 20, 300, 1000}) {
            Generator gen(static_cast<uint64_t>(t));
            const double x0 = 1.5;
            const double mean = std::sqrt(s.alpha_bar(t)) * x0, var = 1 - s.alpha_bar(t);
            double m = 0, m2 = 0;
            for (int64_t i = 0; i < n; ++i) {
                double x = x0;
                for (int64_t k = 1; k <= t; ++k)
                    x = std::sqrt(s.alpha(k)) * x + std::sqrt(s.beta(k)) * gen.normal();
                m += x, m2 += x * x;
            }
            m /= n;
            const double v = m2 / n - m * m;
            EXPECT_NEAR(m, mean, 3 * std::sqrt(var / n)) << name << " t=" << t;
            EXPECT_NEAR(v, var, 3 * var * std::sqrt(2.0 / (n - 1))) << name << " t=" << t;
            // q_sample: the same moments.
            const Tensor xt = s.q_sample(Tensor::full({n, 1}, x0, DType::f64),
                                         Tensor::full({n}, static_cast<double>(t)), gen);
            const std::vector<double> q = xt.to_vector();
            double qm = 0, qm2 = 0;
            for (double x : q) qm += x, qm2 += x * x;
            qm /= n;
            EXPECT_NEAR(qm, mean, 3 * std::sqrt(var / n));
            EXPECT_NEAR(qm2 / n - qm * qm, var, 3 * var * std::sqrt(2.0 / (n - 1)));
        }
    }
    const NoiseSchedule s = NoiseSchedule::linear(10);
    Generator gen;
    EXPECT_THROW(s.q_sample(Tensor::zeros({2, 1}), Tensor::from({1.0, 11.0}, {2}), gen), Error);
}

}  // namespace
}  // namespace gibbs::diffusion
