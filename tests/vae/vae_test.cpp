// The VAE's mathematics: the KL term in closed form, the importance-weighted bound (k = 1 is the
// ELBO estimate, it grows with k), the exact log-likelihood of probabilistic PCA, gradients
// against finite differences, the fused Bernoulli cost against its composition.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>

#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/vae/vae.hpp"

namespace gibbs::vae {
namespace {

// A handle sharing the storage of the parameter called `name`.
Tensor param(Vae& vae, const std::string& name) {
    for (auto& [n, t] : vae.named_parameters())
        if (n == name) return t;
    fail("no parameter ", name);
}

void set_values(Tensor t, const std::vector<double>& v) {
    ASSERT_EQ(t.numel(), static_cast<int64_t>(v.size()));
    t.copy_(Tensor::from(v, t.shape(), t.dtype()));
}

double mean_of(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// KL(N(μ, σ²) ‖ N(0, 1)) = −½ (1 + log σ² − μ² − σ²): with μ = (0.5, −1), σ² = (0.25, 2),
// KL = −½ (1 + ln 0.25 − 0.25 − 0.25) − ½ (1 + ln 2 − 1 − 2) = 0.44314718 + 0.65342641.
TEST(Vae, KlTermIsTheClosedForm) {
    Generator gen(1);
    Vae vae({.input = {3}, .hidden = {}, .latent = 2, .dtype = DType::f64, .generator = &gen});
    param(vae, "encoder.0.weight").fill_(0.0);  // (4, 3): μ and log σ² independent of x
    set_values(param(vae, "encoder.0.bias"), {0.5, -1.0, std::log(0.25), std::log(2.0)});
    const Tensor x = Tensor::from({0.1, 0.9, 0.4, 1.0, 0.0, 0.5}, {2, 3});
    const ElboTerms t = vae.elbo(x, gen);
    const double expected =
        -0.5 * (1 + std::log(0.25) - 0.25 - 0.25) - 0.5 * (1 + std::log(2.0) - 1 - 2);
    EXPECT_NEAR(t.kl.item(), expected, 1e-12);
    EXPECT_NEAR(expected, 0.44314718 + 0.65342641, 1e-7);
}

// With k = 1, L_1 = log w = log p(x|z) + log p(z) − log q(z|x) at z = μ + σε: the one-sample ELBO
// estimate. Written out here from the encoder and decoder outputs.
TEST(Vae, ImportanceWeightWithOneSampleIsTheElboEstimate) {
    Generator gen(2);
    Vae vae({.input = {5}, .hidden = {6}, .latent = 3, .dtype = DType::f64, .generator = &gen});
    const Tensor x = rand({4, 5}, gen, DType::f64);
    const Tensor eps = randn({1, 4, 3}, gen, DType::f64);
    const std::vector<double> lw = vae.log_weights(x, eps).to_vector();
    NoGradGuard no_grad;
    const auto [mu, logvar] = vae.encode(x);
    const Tensor e = eps.reshape({4, 3});
    const Tensor z = mu + exp(logvar * 0.5) * e;
    const std::vector<double> lpx = vae.log_likelihood(x, vae.decode(z)).to_vector();
    const double log2pi = std::log(2 * std::numbers::pi);
    for (int64_t n = 0; n < 4; ++n) {
        double log_pz = 0, log_q = 0;
        for (int64_t l = 0; l < 3; ++l) {
            const double zz = z.at({n, l}), lv = logvar.at({n, l}), ee = e.at({n, l});
            log_pz += -0.5 * zz * zz - 0.5 * log2pi;
            log_q += -0.5 * ee * ee - 0.5 * lv - 0.5 * log2pi;
        }
        EXPECT_NEAR(lw[n], lpx[n] + log_pz - log_q, 1e-10) << "example " << n;
    }
    // And the k = 1 bound through iw_log_likelihood is the same number for the same ε.
    Generator a(7), b(7);
    const std::vector<double> l1 = vae.iw_log_likelihood(x, 1, a);
    const std::vector<double> w1 = vae.log_weights(x, randn({1, 4, 3}, b, DType::f64)).to_vector();
    for (int64_t n = 0; n < 4; ++n) EXPECT_DOUBLE_EQ(l1[n], w1[n]);
}

// E[log w] over ε is the ELBO with the analytic KL; L_k grows with k (Burda et al., Theorem 1).
TEST(Vae, ImportanceBoundAveragesToTheElboAndGrowsWithK) {
    Generator gen(3);
    Vae vae({.input = {8}, .hidden = {10}, .latent = 2, .dtype = DType::f64, .generator = &gen});
    const Tensor x = bernoulli(Tensor::full({1, 8}, 0.5, DType::f64), gen);
    // The analytic ELBO: the reconstruction term averaged over many ε, plus the exact KL.
    const int64_t R = 20000;
    const Tensor xr = x.expand({R, 8}).contiguous();
    double analytic = 0;
    {
        NoGradGuard no_grad;
        analytic = vae.elbo(xr, gen).elbo();
    }
    const std::vector<double> lw =
        vae.log_weights(x, randn({R, 1, 2}, gen, DType::f64)).to_vector();  // R draws of log w
    const double m = mean_of(lw);
    double var = 0;
    for (double v : lw) var += (v - m) * (v - m);
    const double se = std::sqrt(var / (R - 1) / R);
    // Both are Monte Carlo estimates of the same ELBO: the difference has ≈ √2 standard errors.
    EXPECT_NEAR(m, analytic, 3 * std::sqrt(2.0) * se);
    // L_1 < L_10 < L_100, each averaged over 400 replicas (a model far from its posterior has
    // gaps of several standard errors).
    std::vector<double> bounds;
    for (int64_t k : {1, 10, 100}) {
        const Tensor xs = x.expand({400, 8}).contiguous();
        bounds.push_back(mean_of(vae.iw_log_likelihood(xs, k, gen)));
    }
    EXPECT_LT(bounds[0], bounds[1]);
    EXPECT_LT(bounds[1], bounds[2]);
    EXPECT_LT(bounds[2], 0.0);  // a probability of a binary vector
}

// Probabilistic PCA (Tipping & Bishop 1999): z ~ N(0, I_L), x = Wz + b + N(0, s² I_D) has
// p(x) = N(x; b, C), C = W Wᵀ + s² I. With orthogonal columns of W, M = WᵀW + s²I is diagonal
// and the exact posterior q(z|x) = N(M⁻¹Wᵀ(x − b), s² M⁻¹) is a diagonal Gaussian: then every
// importance weight equals p(x). With another encoder L_k → log p(x) as k grows.
class ProbabilisticPca : public ::testing::Test {
  protected:
    static constexpr double s = 0.5;
    // W (3, 2) with orthogonal columns (1, 2, 0) and (−2, 1, 1), b = (0.3, −0.2, 0.1).
    const std::vector<double> W = {1, -2, 2, 1, 0, 1}, b = {0.3, -0.2, 0.1};

    // log N(x; b, C) by hand: C is 3×3 symmetric positive definite; Cholesky C = LLᵀ.
    double exact_log_px(const std::vector<double>& x) const {
        double C[3][3];
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                C[i][j] = W[i * 2] * W[j * 2] + W[i * 2 + 1] * W[j * 2 + 1] + (i == j ? s * s : 0);
        double L[3][3] = {};
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j <= i; ++j) {
                double v = C[i][j];
                for (int k = 0; k < j; ++k) v -= L[i][k] * L[j][k];
                L[i][j] = i == j ? std::sqrt(v) : v / L[j][j];
            }
        double y[3], quad = 0, logdet = 0;
        for (int i = 0; i < 3; ++i) {
            double v = x[i] - b[i];
            for (int k = 0; k < i; ++k) v -= L[i][k] * y[k];
            y[i] = v / L[i][i];
            quad += y[i] * y[i];
            logdet += 2 * std::log(L[i][i]);
        }
        return -0.5 * (quad + logdet + 3 * std::log(2 * std::numbers::pi));
    }

    Vae make(Generator& gen) const {
        Vae vae({.input = {3},
                 .hidden = {},
                 .latent = 2,
                 .likelihood = Likelihood::gaussian,
                 .sigma = s,
                 .dtype = DType::f64,
                 .generator = &gen});
        set_values(param(vae, "decoder.0.weight"), W);
        set_values(param(vae, "decoder.0.bias"), b);
        // Encoder rows: μ = A(x − b), A = M⁻¹Wᵀ; log σ² = log(s²/M_ll).
        const double M[2] = {1 + 4 + s * s, 4 + 1 + 1 + s * s};
        std::vector<double> enc(4 * 3, 0.0), bias(4, 0.0);
        for (int l = 0; l < 2; ++l) {
            for (int d = 0; d < 3; ++d) {
                enc[l * 3 + d] = W[d * 2 + l] / M[l];
                bias[l] -= W[d * 2 + l] / M[l] * b[d];
            }
            bias[2 + l] = std::log(s * s / M[l]);
        }
        set_values(param(vae, "encoder.0.weight"), enc);
        set_values(param(vae, "encoder.0.bias"), bias);
        return vae;
    }
};

TEST_F(ProbabilisticPca, ExactPosteriorGivesTheExactLikelihoodForEveryEpsilon) {
    Generator gen(4);
    Vae vae = make(gen);
    const std::vector<double> xs = {0.5, 1.0, -0.3, -2.0, 0.4, 1.2, 0.0, 0.0, 0.0};
    const Tensor x = Tensor::from(xs, {3, 3});
    const std::vector<double> lw =
        vae.log_weights(x, randn({5, 3, 2}, gen, DType::f64)).to_vector();  // (5, 3)
    for (int64_t n = 0; n < 3; ++n) {
        const double exact = exact_log_px({xs[n * 3], xs[n * 3 + 1], xs[n * 3 + 2]});
        for (int64_t j = 0; j < 5; ++j) EXPECT_NEAR(lw[j * 3 + n], exact, 1e-10);
        // And the ELBO with the analytic KL is tight: E_q[log w] = log p(x) − KL(q ‖ p(z|x)).
    }
    const Tensor xr = x.narrow(0, 0, 1).expand({4000, 3}).contiguous();
    NoGradGuard no_grad;
    EXPECT_NEAR(vae.elbo(xr, gen).elbo(), exact_log_px({xs[0], xs[1], xs[2]}), 0.05);
}

TEST_F(ProbabilisticPca, ImportanceWeightingConvergesToTheExactLikelihood) {
    Generator gen(5);
    Vae vae = make(gen);
    // A worse encoder: means shifted by about one posterior standard deviation, variances
    // doubled (q ≠ p(z|x)).
    Tensor eb = param(vae, "encoder.0.bias");
    eb.copy_(eb + Tensor::from({0.2, -0.15, std::log(2.0), std::log(2.0)}, {4}));
    const std::vector<double> xs = {0.5, 1.0, -0.3, -2.0, 0.4, 1.2};
    const Tensor x = Tensor::from(xs, {2, 3});
    const int64_t k = 20000;
    const std::vector<double> lw =
        vae.log_weights(x, randn({k, 2, 2}, gen, DType::f64)).to_vector();  // (k, 2)
    for (int64_t n = 0; n < 2; ++n) {
        const double exact = exact_log_px({xs[n * 3], xs[n * 3 + 1], xs[n * 3 + 2]});
        // L_k = log of the mean of w_j = e^{log w_j}; its standard error is, to first order,
        // sd(w)/(√k mean(w)), and its bias, −var(w)/(2k mean(w)²), is far smaller.
        double m = -INFINITY;
        for (int64_t j = 0; j < k; ++j) m = std::max(m, lw[j * 2 + n]);
        double s1 = 0, s2 = 0;
        for (int64_t j = 0; j < k; ++j) {
            const double w = std::exp(lw[j * 2 + n] - m);
            s1 += w;
            s2 += w * w;
        }
        const double mean = s1 / k, var = s2 / k - mean * mean;
        const double lk = m + std::log(mean), se = std::sqrt(var / k) / mean;
        EXPECT_NEAR(lk, exact, 3 * se + 1e-3) << "example " << n << ", se " << se;
        EXPECT_LT(se, 0.02);
    }
    // The single-sample bound is far below: the test above is not trivially satisfied.
    NoGradGuard no_grad;
    const Tensor xr = x.narrow(0, 0, 1).expand({4000, 3}).contiguous();
    EXPECT_LT(vae.elbo(xr, gen).elbo(), exact_log_px({xs[0], xs[1], xs[2]}) - 0.1);
}

// ∂(loss)/∂θ by backward against central differences, float64, fixed ε, every parameter.
void check_elbo_gradient(VaeOptions o, const Tensor& x) {
    Generator gen(6);
    o.dtype = DType::f64;
    o.generator = &gen;
    Vae vae(o);
    const Tensor eps = randn({x.size(0), o.latent}, gen, DType::f64);
    vae.zero_grad();
    vae.elbo(x, eps).loss.backward();
    const double h = 1e-6;
    for (auto& [name, p] : vae.named_parameters()) {
        const std::vector<double> analytic = p.grad().to_vector();
        double* v = p.data<double>();
        for (int64_t i = 0; i < p.numel(); ++i) {
            NoGradGuard no_grad;
            const double saved = v[i];
            v[i] = saved + h;
            const double plus = vae.elbo(x, eps).loss.item();
            v[i] = saved - h;
            const double minus = vae.elbo(x, eps).loss.item();
            v[i] = saved;
            const double numeric = (plus - minus) / (2 * h);
            EXPECT_NEAR(analytic[i], numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
                << name << "[" << i << "]";
        }
    }
}

TEST(Vae, ElboGradientMatchesFiniteDifferencesBernoulli) {
    Generator gen(8);
    check_elbo_gradient({.input = {5}, .hidden = {4}, .latent = 2, .beta = 0.7},
                        rand({3, 5}, gen, DType::f64));
}

TEST(Vae, ElboGradientMatchesFiniteDifferencesLearnedGaussian) {
    Generator gen(9);
    check_elbo_gradient(
        {.input = {2}, .hidden = {4, 3}, .latent = 2, .likelihood = Likelihood::gaussian},
        randn({3, 2}, gen, DType::f64));
}

TEST(Vae, ElboGradientMatchesFiniteDifferencesConv) {
    Generator gen(10);
    check_elbo_gradient(
        {.input = {1, 4, 4}, .arch = Arch::conv, .hidden = {3}, .channels = {2, 2}, .latent = 2},
        rand({2, 16}, gen, DType::f64));
}

// The fused cost: its gradient (gradcheck) and its value against softplus(ℓ) − xℓ composed of
// primitives, in float32 too (the vectorized exp and log1p).
TEST(Vae, FusedBernoulliCostMatchesItsComposition) {
    Generator gen(11);
    const Tensor x = rand({3, 7}, gen, DType::f64);
    const auto r =
        autograd::gradcheck([&](const std::vector<Tensor>& in) { return bernoulli_nll(in[0], x); },
                            {randn({3, 7}, gen, DType::f64) * 3.0});
    EXPECT_TRUE(r.ok) << r.message;
    for (DType dt : {DType::f64, DType::f32}) {
        const Tensor l = (randn({64, 784}, gen, DType::f64) * 6.0).to(dt);
        const Tensor y = bernoulli(rand({64, 784}, gen, DType::f64), gen).to(dt);
        const double composed =
            (sum(softplus(l.to(DType::f64)) - y.to(DType::f64) * l.to(DType::f64)) / 64.0).item();
        EXPECT_NEAR(bernoulli_nll(l, y).item(), composed, 1e-6 * std::abs(composed));
        const std::vector<double> rows = bernoulli_nll_rows(l, y).to_vector();
        EXPECT_NEAR(mean_of(rows), composed, 1e-6 * std::abs(composed));
    }
}

TEST(Vae, ConvShapesAndInterpolationEnds) {
    Generator gen(12);
    Vae vae({.input = {1, 28, 28},
             .arch = Arch::conv,
             .hidden = {16},
             .channels = {4, 8},
             .latent = 3,
             .generator = &gen});
    const Tensor x = rand({2, 1, 28, 28}, gen);
    EXPECT_EQ(vae.encode(x).mu.shape(), (Shape{2, 3}));
    EXPECT_EQ(vae.decode(randn({5, 3}, gen)).shape(), (Shape{5, 784}));
    EXPECT_TRUE(std::isfinite(vae.elbo(x, gen).elbo()));
    // Interpolation rows 0 and steps−1 decode the two posterior means.
    const Tensor grid = vae.interpolate(x.narrow(0, 0, 1), x.narrow(0, 1, 1), 4);  // (4, 784)
    NoGradGuard no_grad;
    const Tensor end = vae.decode_mean(vae.encode(x.narrow(0, 1, 1)).mu);
    EXPECT_EQ(grid.shape(), (Shape{4, 784}));
    for (int64_t d = 0; d < 784; d += 97) EXPECT_NEAR(grid.at({3, d}), end.at({0, d}), 1e-6);
}

TEST(Vae, BadOptionsAreNamed) {
    EXPECT_THROW(Vae({.latent = 0}), Error);
    EXPECT_THROW(Vae({.input = {784}, .arch = Arch::conv}), Error);
    EXPECT_THROW(Vae({.likelihood = Likelihood::gaussian, .sigma = -1}), Error);
    Vae vae({.input = {4}, .hidden = {3}, .latent = 2});
    Generator gen(0);
    try {
        vae.elbo(Tensor::zeros({2, 5}), gen);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("(2, 5)"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace gibbs::vae
