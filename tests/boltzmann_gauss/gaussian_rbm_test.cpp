// Gaussian–binary RBMs with σ learned (z = log σ²) and their AIS partition functions, against
// known answers: finite differences of F and of the exact log Z in float64, the exact
// log-likelihood gradient, the maximum-likelihood N(μ, s²) fit when W = 0, and the exact log Z.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/boltzmann/train.hpp"
#include "gibbs/io/checkpoint.hpp"

using namespace gibbs;
using namespace gibbs::boltzmann;

namespace {

// A Gaussian RBM, float64: W, a, b ~ N(0, s²), σ ~ U(0.5, 1.5).
Rbm random_gaussian_rbm(int64_t M, int64_t N, uint64_t seed, double s) {
    Generator gen(seed);
    Tensor W = randn({M, N}, gen, DType::f64) * s;
    Tensor a = randn({M}, gen, DType::f64) * s;
    Tensor b = randn({N}, gen, DType::f64) * s;
    Tensor sigma = uniform({M}, 0.5, 1.5, gen, DType::f64);
    return Rbm(Visible::kGaussian, W.detach(), a.detach(), b.detach(), sigma.detach());
}

// The same machine with z_i = log σ_i² moved by eps.
Rbm with_log_var_shifted(const Rbm& rbm, int64_t i, double eps) {
    Rbm r = rbm.to(DType::f64);
    r.sigma.data<double>()[i] *= std::exp(0.5 * eps);
    return r;
}

// ∂ log Z/∂z_i by central differences of the exact log Z.
double dlogz_dz(const Rbm& rbm, int64_t i) {
    const double eps = 1e-5;
    return (log_z_exact(with_log_var_shifted(rbm, i, eps)) -
            log_z_exact(with_log_var_shifted(rbm, i, -eps))) /
           (2 * eps);
}

// Rows of N(μ_i, s_i²) per column, float32.
Tensor gaussian_data(int64_t n, const std::vector<double>& mu, const std::vector<double>& s,
                     uint64_t seed) {
    Generator gen(seed);
    const int64_t M = static_cast<int64_t>(mu.size());
    Tensor x = randn({n, M}, gen);
    float* p = x.data<float>();
    for (int64_t r = 0; r < n; ++r)
        for (int64_t i = 0; i < M; ++i)
            p[r * M + i] = static_cast<float>(mu[i] + s[i] * p[r * M + i]);
    return x;
}

}  // namespace

// ∂F/∂z_i = −(x_i − a_i)²/2σ_i² + x_i (W p(h|x))_i/σ_i² against central differences of F.
TEST(GaussianRbm, FreeEnergyLogVarGradientMatchesFiniteDifferences) {
    const Rbm rbm = random_gaussian_rbm(4, 3, 1, 0.8);
    Generator gen(2);
    const Tensor x = (randn({5, 4}, gen, DType::f64) * 1.5).detach();
    const Tensor g = free_energy_grad_log_var(rbm, x);
    const double eps = 1e-5;
    for (int64_t i = 0; i < 4; ++i) {
        const auto Fp = with_log_var_shifted(rbm, i, eps).free_energy(x).to_vector();
        const auto Fm = with_log_var_shifted(rbm, i, -eps).free_energy(x).to_vector();
        for (int64_t r = 0; r < 5; ++r)
            EXPECT_NEAR(g.at({r, i}), (Fp[r] - Fm[r]) / (2 * eps), 1e-7)
                << "row " << r << " i " << i;
    }
}

// The model term: ∂ log Z/∂z_i = −⟨∂E/∂z_i⟩_{p(x,h)}, where x|h ~ N(a + Wh, σ²) gives
//   ⟨∂E/∂z_i⟩_{x|h} = −1/2 + ((Wh)_i²/2 + a_i (Wh)_i)/σ_i²
// and p(h) ∝ exp(bᵀh + Σ_i ((Wh)_i² + 2 a_i (Wh)_i)/2σ_i²), by enumerating h.
TEST(GaussianRbm, LogZLogVarGradientIsModelExpectation) {
    const int64_t M = 3, N = 5;
    const Rbm rbm = random_gaussian_rbm(M, N, 3, 0.7);
    const auto W = rbm.W.to_vector(), a = rbm.a.to_vector(), b = rbm.b.to_vector(),
               s = rbm.sigma.to_vector();
    std::vector<double> logp, e(static_cast<size_t>(M * (1 << N)));
    for (int64_t h = 0; h < (1 << N); ++h) {
        double lp = 0;
        for (int64_t j = 0; j < N; ++j) lp += ((h >> j) & 1) * b[j];
        for (int64_t i = 0; i < M; ++i) {
            double wh = 0;
            for (int64_t j = 0; j < N; ++j) wh += ((h >> j) & 1) * W[i * N + j];
            const double s2 = s[i] * s[i];
            lp += (wh * wh + 2 * a[i] * wh) / (2 * s2);
            e[h * M + i] = -0.5 + (wh * wh / 2 + a[i] * wh) / s2;
        }
        logp.push_back(lp);
    }
    double mx = logp[0];
    for (double v : logp) mx = std::max(mx, v);
    double Zh = 0;
    for (double v : logp) Zh += std::exp(v - mx);
    for (int64_t i = 0; i < M; ++i) {
        double mean = 0;
        for (int64_t h = 0; h < (1 << N); ++h) mean += std::exp(logp[h] - mx) / Zh * e[h * M + i];
        EXPECT_NEAR(dlogz_dz(rbm, i), -mean, 1e-7) << "i " << i;
    }
}

// One PCD step with long chains, lr η and no momentum moves z by η ∂ mean log p/∂z; the exact
// gradient is −mean ∂F/∂z − ∂ log Z/∂z (both in float64). 4000 chains after 30 sweeps: Monte
// Carlo error ~0.02; the tolerance 0.08 is far below the gradient (~1) and below what dropping
// the x (Wp)/σ² term would change (checked: > 0.3 here).
TEST(GaussianRbm, SigmaStepFollowsExactLogLikelihoodGradient) {
    const int64_t M = 3, N = 4, B = 20;
    const Rbm exact = random_gaussian_rbm(M, N, 5, 0.6).to(DType::f32).to(DType::f64);
    const Tensor x = gaussian_data(B, {1.0, -0.5, 2.0}, {0.4, 1.5, 0.8}, 6);
    std::vector<double> grad(M), wterm(M, 0.0);
    const Tensor dF = free_energy_grad_log_var(exact, x);
    const Tensor ph = exact.hidden_prob(x.to(DType::f64));
    for (int64_t i = 0; i < M; ++i) {
        double mean_dF = 0;
        for (int64_t r = 0; r < B; ++r) mean_dF += dF.at({r, i}) / B;
        grad[i] = -mean_dF - dlogz_dz(exact, i);
        for (int64_t r = 0; r < B; ++r) {
            double wp = 0;
            for (int64_t j = 0; j < N; ++j) wp += exact.W.at({i, j}) * ph.at({r, j});
            wterm[i] += x.at({r, i}) * wp / std::pow(exact.sigma.at({i}), 2) / B;
        }
    }
    Rbm rbm = exact.to(DType::f32);
    const double lr = 1e-3;
    RbmTrainer trainer(rbm, {.method = Method::kPcd,
                             .k = 30,
                             .chains = 4000,
                             .batch = B,
                             .lr = lr,
                             .seed = 7,
                             .learn_sigma = true});
    trainer.step(x.data<float>(), B);
    double largest_wterm = 0;
    for (int64_t i = 0; i < M; ++i) {
        const double z0 = 2 * std::log(exact.sigma.at({i}));
        const double z1 = 2 * std::log(double{rbm.sigma.data<float>()[i]});
        EXPECT_NEAR((z1 - z0) / lr, grad[i], 0.08) << "i " << i;
        largest_wterm = std::max(largest_wterm, std::fabs(wterm[i]));
    }
    EXPECT_GT(largest_wterm, 0.3);
}

// With W = 0 fixed (learn_weights = false; with W learned, a and W σ(b) trade off and only their
// sum a + W p(h=1) is identified) the RBM is N(a, σ²) per pixel, whose maximum-likelihood fit is
// the sample mean and the sample standard deviation (1/n). CD-1 and PCD-1 with σ learned,
// cosine-annealed, must reach both within 3 standard errors of the true μ, s (s/√n and s/√(2n))
// plus 0.01 of optimization noise, starting from σ = 1 and a = 0, far from s ∈ [0.3, 2].
TEST(GaussianRbm, LearnedSigmaConvergesToDataStd) {
    const std::vector<double> mu = {-1.0, 0.5, 2.0, 0.0}, s = {0.5, 1.0, 2.0, 0.3};
    const int64_t n = 4000, M = 4;
    const Tensor x = gaussian_data(n, mu, s, 11);
    for (Method method : {Method::kCd, Method::kPcd}) {
        Generator gen(12);
        Rbm rbm(M, 1, Visible::kGaussian, gen, {.weight_std = 0.0, .sigma = 1.0});
        RbmTrainer trainer(rbm, {.method = method,
                                 .batch = 50,
                                 .lr = 0.02,
                                 .momentum = 0.5,
                                 .schedule = Schedule::kCosine,
                                 .epochs = 30,
                                 .seed = 13,
                                 .learn_sigma = true,
                                 .learn_weights = false});
        for (int e = 0; e < 30; ++e) trainer.epoch(x);
        for (double w : rbm.W.to_vector()) EXPECT_EQ(w, 0.0);
        for (int64_t i = 0; i < M; ++i) {
            const double se_mu = s[i] / std::sqrt(double(n)), se_s = s[i] / std::sqrt(2.0 * n);
            EXPECT_NEAR(rbm.a.at({i}), mu[i], 3 * se_mu + 0.01)
                << method_name(method) << " i " << i;
            EXPECT_NEAR(rbm.sigma.at({i}), s[i], 3 * se_s + 0.01)
                << method_name(method) << " i " << i;
        }
    }
}

TEST(GaussianRbm, LearnedSigmaStopsAtItsFloorOnAConstantPixel) {
    // Column 1 never varies: the likelihood grows without bound as σ₁ → 0 (SGD's jitter of a₁
    // alone holds σ₁ near 0.14 here), so σ₁ must end at sigma_min = 0.2 exactly, and column 0
    // (s = 1) must not be held by the floor.
    Tensor x = gaussian_data(2000, {0.0, 0.0}, {1.0, 0.0}, 21);
    Generator gen(22);
    Rbm rbm(2, 1, Visible::kGaussian, gen, {.weight_std = 0.0, .sigma = 1.0});
    RbmTrainer trainer(rbm, {.batch = 50,
                             .lr = 0.05,
                             .seed = 23,
                             .learn_sigma = true,
                             .sigma_min = 0.2,
                             .learn_weights = false});
    for (int e = 0; e < 40; ++e) trainer.epoch(x);
    EXPECT_FLOAT_EQ(rbm.sigma.at({1}), 0.2f);
    EXPECT_GT(rbm.sigma.at({0}), 0.8);
    EXPECT_THROW(RbmTrainer(rbm, {.learn_sigma = true, .sigma_min = 0.0}), Error);
}

TEST(GaussianRbm, LearnSigmaNeedsGaussianUnits) {
    Generator gen(0);
    Rbm rbm(3, 2, Visible::kBinary, gen);
    EXPECT_THROW(RbmTrainer(rbm, {.learn_sigma = true}), Error);
}

// AIS from the W = 0 base agrees with the exact Gaussian–binary log Z (sum over h of Gaussian
// integrals) within its ±3σ interval and within 0.05 nats, from the model's a and from other
// base means.
TEST(GaussianAis, AgreesWithExactLogZ) {
    struct Case {
        int64_t M, N;
        double s;
        uint64_t seed;
    };
    for (const Case c : {Case{3, 8, 0.7, 21}, Case{5, 15, 0.4, 22}}) {
        const Rbm rbm = random_gaussian_rbm(c.M, c.N, c.seed, c.s);
        const double exact = log_z_exact(rbm);
        for (bool own_means : {true, false}) {
            AisOptions o{.distributions = 6000, .runs = 100, .seed = 23};
            if (!own_means) o.base_means.assign(static_cast<size_t>(c.M), 0.3);
            const AisResult r = ais_log_z(rbm, o);
            EXPECT_LE(r.log_z_low, exact) << c.M << "x" << c.N;
            EXPECT_GE(r.log_z_high, exact) << c.M << "x" << c.N;
            EXPECT_NEAR(r.log_z, exact, 0.05) << c.M << "x" << c.N << " own " << own_means;
        }
    }
}

TEST(GaussianAis, BaseOptionsMustFitTheUnits) {
    const Rbm rbm = random_gaussian_rbm(3, 2, 1, 0.5);
    EXPECT_THROW(ais_log_z(rbm, {.base_rates = {0.5, 0.5, 0.5}}), Error);
    EXPECT_THROW(ais_log_z(rbm, {.base_means = {0.0, 0.0}}), Error);
}

// End to end: `gibbs train rbm --visible gaussian --learn-sigma` on N(μ, s²) data writes W, a, b
// and the learned sigma; `gibbs eval --logz ais` works on it and matches `--logz exact`.
TEST(GaussianRbmCli, LearnSigmaTrainAndAisEval) {
    gibbs::testing::TempDir dir;
    const std::string data = dir.file("data.safetensors");
    io::save_checkpoint(data, {{"x", gaussian_data(2000, {1.0, -2.0, 0.0}, {0.5, 2.0, 1.0}, 3)}});
    const std::string run = dir.file("run");
    auto t = gibbs::test::run_cli("train rbm --data " + data +
                                  " --visible gaussian --learn-sigma --hidden 2 --init-std 0 "
                                  "--pcd 1 --batch 50 --lr 0.02 --momentum 0.5 --schedule cosine "
                                  "--epochs 15 --threads 1 --seed 4 --quiet --out " +
                                  run);
    ASSERT_EQ(t.status, 0) << t.text;
    const io::Checkpoint ck = io::load_checkpoint(run + "/model.safetensors");
    EXPECT_EQ(ck.metadata.at("visible"), "gaussian");
    for (const char* name : {"W", "a", "b", "sigma"}) ASSERT_NE(ck.find(name), nullptr) << name;
    const std::vector<double> sigma = ck.find("sigma")->to_vector();
    EXPECT_NEAR(sigma[0], 0.5, 0.05);
    EXPECT_NEAR(sigma[1], 2.0, 0.2);
    EXPECT_NEAR(sigma[2], 1.0, 0.1);

    auto exact = gibbs::test::run_cli("eval --model " + run +
                                      "/model.safetensors --logz exact --json --data " + data);
    ASSERT_EQ(exact.status, 0) << exact.text;
    auto ais = gibbs::test::run_cli("eval --model " + run +
                                    "/model.safetensors --logz ais --ais-distributions 1500 "
                                    "--ais-runs 50 --json --data " +
                                    data);
    ASSERT_EQ(ais.status, 0) << ais.text;
    const auto je = nlohmann::json::parse(exact.text), ja = nlohmann::json::parse(ais.text);
    EXPECT_NEAR(ja["logz"].get<double>(), je["logz"].get<double>(), 0.05) << ais.text;
    // The data's entropy bounds the mean log-likelihood: −Σ_i log(√(2πe) s_i) = −4.25.
    EXPECT_NEAR(je["loglik"].get<double>(), -4.25, 0.1) << exact.text;

    auto bad = gibbs::test::run_cli("train rbm --data " + data +
                                    " --learn-sigma --hidden 2 --out " + dir.file("bad"));
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.text.find("--learn-sigma needs --visible gaussian"), std::string::npos)
        << bad.text;
}
