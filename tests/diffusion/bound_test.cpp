// The variational bound with the exact ε-predictor of 1-D Gaussian data approaches the true
// negative log-likelihood −E log N(x; m, s²): a check of the prior term, every KL term and the
// decoder term together.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "diffusion/exact_denoisers.hpp"
#include "gibbs/diffusion/bound.hpp"

namespace gibbs::diffusion {
namespace {

TEST(Bound, ExactGaussianPredictorGivesTheTrueNll) {
    const double m = 0.3, sd = 0.5;
    const int64_t n = 1000;
    Generator gen(7);
    Tensor x0 = randn({n, 1}, gen, DType::f64);
    double nll = 0;
    for (int64_t i = 0; i < n; ++i) {
        double& x = x0.data<double>()[i];
        x = m + sd * x;
        nll += 0.5 * std::log(2 * std::numbers::pi * sd * sd) + 0.5 * (x - m) * (x - m) / (sd * sd);
    }
    nll /= n;
    for (const char* name : {"linear", "cosine"}) {
        const NoiseSchedule s = NoiseSchedule::make(name, 1000);
        testing::MixtureEps eps = testing::gaussian_eps(s, Eigen::VectorXd::Constant(1, m),
                                                        Eigen::MatrixXd::Constant(1, 1, sd * sd));
        for (bool tilde : {false, true}) {
            const BoundResult b = variational_bound(eps, s, x0, gen, {.tilde_variance = tilde});
            // The expected bound in closed form: with Var(ε | x_t) = ᾱ_t s²/(ᾱ_t s² + 1 − ᾱ_t)
            // and k_t = β_t/(√α_t √(1 − ᾱ_t)), E (μ̃ − μ_θ)² = k_t² Var(ε | x_t), so
            //   E L_{t−1} = ½[log(σ²/β̃) + β̃/σ² − 1 + k_t² Var(ε | x_t)/σ²],
            //   E L_0 = ½ log(2π β_1) + ½ Var(ε | x_1)/α_1,  L_T from E x² = m² + s².
            const double s2 = sd * sd;
            const auto var_eps = [&](int64_t t) {
                const double ab = s.alpha_bar(t);
                return ab * s2 / (ab * s2 + 1 - ab);
            };
            double want =
                0.5 * std::log(2 * std::numbers::pi * s.beta(1)) + 0.5 * var_eps(1) / s.alpha(1);
            for (int64_t t = 2; t <= 1000; ++t) {
                const double bt = s.beta_tilde(t), var = tilde ? bt : s.beta(t);
                const double k2 = s.beta(t) * s.beta(t) / (s.alpha(t) * (1 - s.alpha_bar(t)));
                want += 0.5 * (std::log(var / bt) + bt / var - 1 + k2 * var_eps(t) / var);
            }
            const double abT = s.alpha_bar(1000);
            want += 0.5 * (abT * (m * m + s2) - abT - std::log(1 - abT));
            EXPECT_NEAR(b.nats, want, 3 * b.nats_se) << name << (tilde ? " β̃" : " β");
            EXPECT_LT(b.nats_se, 0.06);
            // With σ_t² = β_t the bound is tight: within 0.01 nats of the true NLL.
            const double true_nll = 0.5 * std::log(2 * std::numbers::pi * s2) + 0.5;
            if (!tilde) {
                EXPECT_NEAR(want, true_nll, 0.01) << name;
            }
            EXPECT_GT(want, true_nll);
            EXPECT_NEAR(b.bits_per_dim, b.nats / std::numbers::ln2, 1e-12);
            // The prior term in closed form: ½(ᾱ_T E x² + (1 − ᾱ_T) − 1 − log(1 − ᾱ_T)).
            double ex2 = 0;
            for (double x : x0.to_vector()) ex2 += x * x / n;
            EXPECT_NEAR(b.prior, 0.5 * (abT * ex2 - abT - std::log(1 - abT)), 1e-12);
        }
        // The unbiased estimate with random t agrees within its error.
        const BoundResult r = variational_bound(eps, s, x0, gen, {.t_samples = 20});
        EXPECT_NEAR(r.nats, nll, 0.01 + 4 * r.nats_se) << name;
        // A predictor for the wrong mean is much worse.
        testing::MixtureEps wrong = testing::gaussian_eps(s, Eigen::VectorXd::Constant(1, m + 1),
                                                          Eigen::MatrixXd::Constant(1, 1, sd * sd));
        EXPECT_GT(variational_bound(wrong, s, x0, gen).nats, nll + 1.0) << name;
    }
}

TEST(Bound, DiscretizedDecoderOfAnEightBitImageIsAProbability) {
    // Data on the grid of 8-bit pixels scaled to [−1, 1]: the discretized decoder gives
    // probabilities, so the bound in nats is ≥ 0 (it bounds −log P(x_0) of a discrete x_0),
    // and it is at most the entropy of the uniform pixel, log 256 per pixel, plus the gap
    // of a model that knows the data's Gaussian-ish spread.
    const NoiseSchedule s = NoiseSchedule::linear(1000);
    Generator gen(3);
    const int64_t n = 500;
    Tensor x0 = Tensor::empty({n, 1}, DType::f64);
    for (int64_t i = 0; i < n; ++i)
        x0.data<double>()[i] =
            std::clamp(std::round((0.4 * gen.normal() + 1) * 127.5), 0.0, 255.0) / 127.5 - 1;
    testing::MixtureEps eps =
        testing::gaussian_eps(s, Eigen::VectorXd::Zero(1), Eigen::MatrixXd::Constant(1, 1, 0.16));
    const BoundResult b = variational_bound(eps, s, x0, gen, {.discrete = true});
    // −log P of a N(0, 0.4²) pixel binned at width 2/255: ≈ ½ log(2πe 0.16) − log(2/255).
    const double expected =
        0.5 * std::log(2 * std::numbers::pi * std::numbers::e * 0.16) - std::log(2.0 / 255);
    EXPECT_NEAR(b.nats, expected, 0.05 + 3 * b.nats_se);
    EXPECT_GT(b.decoder, 0.0);
}

}  // namespace
}  // namespace gibbs::diffusion
