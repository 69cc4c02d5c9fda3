// Samplers with exact ε-predictors: Gaussian data's mean and covariance come back (DDPM with
// either variance, DDIM with η = 0 and 1), DDIM with 50 steps gives its own exactly known
// covariance, and a Gaussian mixture passes a two-sample test.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/exact_denoisers.hpp"
#include "gibbs/autograd/ops.hpp"
#include "gibbs/diffusion/sampler.hpp"
#include "gibbs/gen/metrics.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {
namespace {

struct Moments {
    Eigen::Vector2d mean;
    Eigen::Matrix2d cov;
};

Moments moments(const Tensor& x) {
    const std::vector<double> v = x.to_vector();
    const int64_t n = x.size(0);
    Moments m{Eigen::Vector2d::Zero(), Eigen::Matrix2d::Zero()};
    for (int64_t i = 0; i < n; ++i) m.mean += Eigen::Vector2d(v[2 * i], v[2 * i + 1]);
    m.mean /= n;
    for (int64_t i = 0; i < n; ++i) {
        const Eigen::Vector2d d = Eigen::Vector2d(v[2 * i], v[2 * i + 1]) - m.mean;
        m.cov += d * d.transpose();
    }
    m.cov /= n - 1;
    return m;
}

// DDIM with η = 0 and the exact predictor of N(0, Σ) is linear: along an eigenvector of Σ with
// eigenvalue λ, ε̂ = √(1 − ᾱ_t) x / (ᾱ_t λ + 1 − ᾱ_t), so each step multiplies x by
// a_i = √ᾱ_s x̂_0/x + √(1 − ᾱ_s) ε̂/x and x_0 = (Π a_i) x_T: Var x_0 = (Π a_i)². Few steps
// shrink the variance (the ODE's discretization error); K = T nearly removes it.
double ddim_variance(const NoiseSchedule& s, int64_t K, double lambda) {
    const std::vector<int64_t> tau = ddim_time_steps(s.T(), K);
    double A = 1;
    for (int64_t i = K - 1; i >= 0; --i) {
        const double at = s.alpha_bar(tau[i]), as = s.alpha_bar(i > 0 ? tau[i - 1] : 0);
        const double e = std::sqrt(1 - at) / (at * lambda + 1 - at);
        A *= std::sqrt(as) * (1 - std::sqrt(1 - at) * e) / std::sqrt(at) + std::sqrt(1 - as) * e;
    }
    return A * A;
}

TEST(Sampler, ExactGaussianPredictorReproducesMeanAndCovariance) {
    const NoiseSchedule s = NoiseSchedule::linear(1000);
    const Eigen::Vector2d m(1.0, -0.5);
    Eigen::Matrix2d S;
    S << 0.5, 0.3, 0.3, 0.8;
    testing::MixtureEps eps = testing::gaussian_eps(s, m, S);
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(S);
    const int64_t n = 4000;
    const SamplerOptions cases[] = {{.sampler = "ddpm"},
                                    {.sampler = "ddpm-tilde"},
                                    {.sampler = "ddim", .steps = 50, .eta = 0},
                                    {.sampler = "ddim", .steps = 1000, .eta = 0},
                                    {.sampler = "ddim", .steps = 1000, .eta = 1}};
    for (const SamplerOptions& o : cases) {
        Generator gen(11);
        const Moments got = moments(sample(eps, s, {2}, n, gen, o));
        const std::string what = o.sampler + " K=" + std::to_string(o.steps);
        // The covariance the sampler should give: Σ, or for 50 DDIM steps its exact shrinkage.
        Eigen::Matrix2d want = S;
        if (o.sampler == "ddim" && o.steps == 50) {
            Eigen::Vector2d v;
            for (int i = 0; i < 2; ++i) v[i] = ddim_variance(s, 50, eig.eigenvalues()[i]);
            want = eig.eigenvectors() * v.asDiagonal() * eig.eigenvectors().transpose();
            EXPECT_LT(want(0, 0), 0.95 * S(0, 0));  // a real effect, which the test resolves
        }
        for (int i = 0; i < 2; ++i) {
            EXPECT_NEAR(got.mean[i], m[i], 3 * std::sqrt(S(i, i) / n)) << what;
            for (int j = 0; j < 2; ++j) {
                // SE of a sample covariance: √((S_ii S_jj + S_ij²)/(n − 1)).
                const double se =
                    std::sqrt((want(i, i) * want(j, j) + want(i, j) * want(i, j)) / (n - 1));
                EXPECT_NEAR(got.cov(i, j), want(i, j), 3 * se) << what << " (" << i << j << ")";
            }
        }
    }
}

// The permutation p-value of the energy distance between x and y (n rows each): the fraction of
// random relabelings of the pooled rows whose distance is at least the observed one.
double permutation_p_value(const Tensor& x, const Tensor& y, int permutations, Generator& gen) {
    const int64_t n = x.size(0);
    const double observed = gen::energy_distance(x, y);
    const Tensor pooled = cat({x.to(DType::f64), y.to(DType::f64)}, 0).contiguous();
    int as_large = 0;
    for (int k = 0; k < permutations; ++k) {
        const std::vector<int64_t> perm = randperm(2 * n, gen);
        const std::vector<int64_t> first(perm.begin(), perm.begin() + n),
            second(perm.begin() + n, perm.end());
        as_large += gen::energy_distance(index_select(pooled, 0, first),
                                         index_select(pooled, 0, second)) >= observed;
    }
    return (as_large + 1.0) / (permutations + 1.0);
}

TEST(Sampler, ExactMixturePredictorPassesATwoSampleTest) {
    // eight-gaussians: modes c_k on the circle of radius 2, σ = 0.1.
    const NoiseSchedule s = NoiseSchedule::cosine(1000);
    const Tensor c = gen::eight_gaussians_centers();
    std::vector<Eigen::VectorXd> means;
    std::vector<Eigen::MatrixXd> covs;
    for (int k = 0; k < 8; ++k) {
        means.push_back(Eigen::Vector2d(c.at({k, 0}), c.at({k, 1})));
        covs.push_back(gen::kEightGaussiansSigma * gen::kEightGaussiansSigma *
                       Eigen::MatrixXd::Identity(2, 2));
    }
    testing::MixtureEps eps(s, means, covs, std::vector<double>(8, 1.0 / 8));
    const int64_t n = 800;
    Generator gen(5);
    const Tensor data = gen::sample_toy("eight-gaussians", n, gen);
    // Energy-distance permutation test at level 2% (49 relabelings): the exact predictor's samples
    // pass it.
    for (const SamplerOptions& o :
         {SamplerOptions{.sampler = "ddpm"}, SamplerOptions{.sampler = "ddim", .steps = 50}}) {
        const Tensor x = sample(eps, s, {2}, n, gen, o);
        EXPECT_GT(permutation_p_value(x, data, 49, gen), 0.02) << o.sampler;
        EXPECT_EQ(gen::mode_coverage(x, c, 0.3).covered, 8) << o.sampler;
    }
    // A wrong predictor (the modes shrunk by 10%) fails the same test.
    std::vector<Eigen::VectorXd> shrunk = means;
    for (auto& v : shrunk) v *= 0.9;
    testing::MixtureEps wrong(s, shrunk, covs, std::vector<double>(8, 1.0 / 8));
    const Tensor bad = sample(wrong, s, {2}, n, gen, {.sampler = "ddim", .steps = 50});
    EXPECT_LE(permutation_p_value(bad, data, 49, gen), 0.02);
}

TEST(Sampler, OptionsAreChecked) {
    const NoiseSchedule s = NoiseSchedule::linear(20);
    testing::MixtureEps eps =
        testing::gaussian_eps(s, Eigen::Vector2d::Zero(), Eigen::Matrix2d::Identity());
    Generator gen;
    EXPECT_THROW(sample(eps, s, {2}, 4, gen, {.sampler = "euler"}), Error);
    EXPECT_THROW(sample(eps, s, {2}, 4, gen, {.sampler = "ddim", .steps = 21}), Error);
    EXPECT_THROW(sample(eps, s, {2}, 4, gen, {.sampler = "ddpm", .steps = 5}), Error);
    EXPECT_THROW(sample(eps, s, {2}, 4, gen, {.sampler = "ddim", .eta = 1.5}), Error);
    EXPECT_EQ(ddim_time_steps(1000, 50).front(), 1);
    EXPECT_EQ(ddim_time_steps(1000, 50)[1], 21);
    EXPECT_EQ(ddim_time_steps(1000, 50).back(), 981);
    EXPECT_EQ(ddim_time_steps(7, 7), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
    // Same seed, same samples.
    Generator g1(3), g2(3);
    EXPECT_EQ(sample(eps, s, {2}, 8, g1).to_vector(), sample(eps, s, {2}, 8, g2).to_vector());
}

}  // namespace
}  // namespace gibbs::diffusion
