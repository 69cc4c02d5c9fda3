// Toy densities, two-sample distances, sample quality and run folders of generative models.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "common/temp_dir.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/metrics.hpp"
#include "gibbs/gen/quality.hpp"
#include "gibbs/gen/run.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {
namespace {

TEST(Toy, EightGaussiansHasItsModesAndSpread) {
    Generator gen(1);
    const Tensor x = sample_toy("eight-gaussians", 40000, gen, DType::f64);
    const ModeCoverage c = mode_coverage(x, eight_gaussians_centers(), 4 * kEightGaussiansSigma);
    EXPECT_EQ(c.covered, 8);
    for (int64_t k : c.counts) EXPECT_NEAR(k, 5000, 4 * std::sqrt(5000.0));  // multinomial
    // P(‖N(0, σ²I₂)‖ > 4σ) = exp(−8) ≈ 3.4e-4.
    EXPECT_LT(c.off_mode, 1e-3);
    // Radius 2: E‖x‖² = 4 + 2σ².
    const std::vector<double> v = x.to_vector();
    double r2 = 0;
    for (size_t i = 0; i < v.size(); i += 2) r2 += v[i] * v[i] + v[i + 1] * v[i + 1];
    EXPECT_NEAR(r2 / 40000, 4 + 2 * kEightGaussiansSigma * kEightGaussiansSigma, 0.01);
}

TEST(Toy, CheckerboardIsUniformOnTheDarkSquares) {
    Generator gen(2);
    const std::vector<double> v = sample_toy("checkerboard", 20000, gen, DType::f64).to_vector();
    std::vector<int> per_square(16, 0);
    for (size_t i = 0; i < v.size(); i += 2) {
        const auto col = static_cast<int>(std::floor(v[i])),
                   row = static_cast<int>(std::floor(v[i + 1]));
        ASSERT_TRUE(col >= -2 && col < 2 && row >= -2 && row < 2);
        EXPECT_EQ(((col + row) % 2 + 2) % 2, 0) << v[i] << ", " << v[i + 1];
        ++per_square[(row + 2) * 4 + col + 2];
    }
    for (int k = 0; k < 16; ++k) {
        if (per_square[k] > 0) {
            EXPECT_NEAR(per_square[k], 2500, 4 * 50);
        }
    }
}

TEST(Toy, EveryDensityIsCenteredAndBounded) {
    for (const std::string& name : toy_names()) {
        Generator gen(3);
        const std::vector<double> v = sample_toy(name, 20000, gen, DType::f64).to_vector();
        double mx = 0, my = 0, big = 0;
        for (size_t i = 0; i < v.size(); i += 2) {
            mx += v[i], my += v[i + 1];
            big = std::max({big, std::abs(v[i]), std::abs(v[i + 1])});
        }
        EXPECT_LT(std::abs(mx / 20000), 0.45) << name;  // swiss-roll: E x = 0.4
        EXPECT_LT(std::abs(my / 20000), 0.3) << name;
        EXPECT_LT(big, 3.2) << name;  // inside the scatter picture's window
    }
    Generator gen;
    EXPECT_THROW(sample_toy("spiral", 10, gen), Error);
}

TEST(EnergyDistance, PointMassesAreTwiceTheirDistance) {
    const Tensor a = Tensor::zeros({5, 3}, DType::f64);
    const Tensor b = Tensor::full({7, 3}, 1.0, DType::f64);
    EXPECT_NEAR(energy_distance(a, b), 2 * std::sqrt(3.0), 1e-12);
    EXPECT_NEAR(energy_distance(a, a), 0, 1e-15);
}

TEST(EnergyDistance, ShiftedNormalsMatchTheClosedForm) {
    // 1-D, X ~ N(0, 1), Y ~ N(μ, 1): D² = 2E|N(μ, 2)| − 2E|N(0, 2)|, where
    // E|Z| = s√(2/π) e^{−m²/2s²} + m erf(m/(s√2)) for Z ~ N(m, s²).
    const auto abs_mean = [](double m, double s) {
        return s * std::sqrt(2 / std::numbers::pi) * std::exp(-m * m / (2 * s * s)) +
               m * std::erf(m / (s * std::sqrt(2.0)));
    };
    const double mu = 1.0, n = 3000;
    const double exact = 2 * abs_mean(mu, std::sqrt(2.0)) - 2 * abs_mean(0, std::sqrt(2.0));
    Generator gen(4);
    Tensor x = randn({3000, 1}, gen, DType::f64);
    Tensor y = randn({3000, 1}, gen, DType::f64) + mu;
    // V-statistic bias: +(1/n + 1/m) E|X − X'| = (2/n)·2/√π.
    const double bias = 2 / n * 2 / std::sqrt(std::numbers::pi);
    EXPECT_NEAR(energy_distance(x, y), exact + bias, 0.03);
    // Same distribution: the floor (1/n + 1/m) E|X − X'|, within its noise.
    Tensor z = randn({3000, 1}, gen, DType::f64);
    EXPECT_NEAR(energy_distance(x, z), bias, 2e-3);
}

TEST(Mmd, SeparatesDistributionsAndIsNearZeroForOne) {
    Generator gen(5);
    Tensor x = randn({500, 2}, gen, DType::f64), y = randn({500, 2}, gen, DType::f64);
    Tensor z = randn({500, 2}, gen, DType::f64) * 2.0;
    EXPECT_LT(std::abs(mmd2_rbf(x, y)), 0.01);
    EXPECT_GT(mmd2_rbf(x, z), 0.05);
    EXPECT_THROW(mmd2_rbf(x, Tensor::zeros({5, 3}, DType::f64)), Error);
}

// A "model" that draws from a fixed toy density (the data's own, or another).
class ToyModel : public GenerativeModel {
  public:
    explicit ToyModel(std::string name, double scale = 1) : name_(std::move(name)), scale_(scale) {}
    std::string kind() const override { return "toy"; }
    std::string data() const override { return name_; }
    std::string describe() const override { return "toy " + name_; }
    Tensor sample(int64_t n, Generator& gen, const SampleOptions&) override {
        return sample_toy(name_, n, gen) * scale_;
    }

  private:
    std::string name_;
    double scale_;
};

TEST(SampleQuality, TheDataItselfIsWithinTwiceTheBaselineAndAWrongDensityIsNot) {
    Generator gen(6);
    ToyModel exact("moons");
    const nlohmann::json good = sample_quality(exact, "moons", gen, {.n = 1000});
    EXPECT_LT(good["energy_distance"].get<double>(),
              2 * good["energy_distance_baseline"].get<double>());
    ToyModel wrong("moons", 1.3);
    const nlohmann::json bad = sample_quality(wrong, "moons", gen, {.n = 1000});
    EXPECT_GT(bad["energy_distance"].get<double>(),
              5 * bad["energy_distance_baseline"].get<double>());
    ToyModel ring("eight-gaussians");
    const nlohmann::json modes = sample_quality(ring, "eight-gaussians", gen, {.n = 1000});
    EXPECT_EQ(modes["modes_covered"].get<int64_t>(), 8);
}

TEST(SampleQuality, TheBaselineIsTheMeanOfSeveralDrawsAtTheVStatisticFloor) {
    // Two independent n-samples of one density: E D² = (2/n) E‖X − X'‖ (the V-statistic's
    // floor). The reported baseline is the mean of 20 draws, with the sd of one draw; the exact
    // model's distance has the same expectation.
    Generator gen(7);
    const int64_t n = 1000;
    const Tensor big = sample_toy("moons", 4000, gen, DType::f64);
    const Tensor zero = Tensor::zeros({1, 2}, DType::f64);
    // E‖X − X'‖ from 4000 draws: energy_distance(big, {0}) = 2 mean‖x‖ − (1 − 1/N) δ̂.
    double mean_norm = 0;
    const std::vector<double> v = big.to_vector();
    for (size_t i = 0; i < v.size(); i += 2) mean_norm += std::hypot(v[i], v[i + 1]) / 4000;
    const double delta = (2 * mean_norm - energy_distance(big, zero)) / (1 - 1.0 / 4000);
    ToyModel exact("moons");
    const nlohmann::json j = sample_quality(exact, "moons", gen, {.n = n});
    EXPECT_EQ(j["baseline_draws"].get<int>(), 20);
    const double base = j["energy_distance_baseline"].get<double>();
    const double sd = j["energy_distance_baseline_sd"].get<double>();
    EXPECT_GT(sd, 0);
    EXPECT_NEAR(base, 2.0 / n * delta, 4 * sd / std::sqrt(20.0) + 1e-4);
    EXPECT_LT(j["energy_distance"].get<double>(), 2 * 2.0 / n * delta);
}

TEST(GenerativeRun, SavesResumesAndRefusesToOverwrite) {
    gibbs::testing::TempDir dir;
    const std::string folder = (dir.path() / "run").string();
    nn::Linear net(2, 3);
    optim::Adam opt(net.parameters(), {.lr = 0.1});
    Generator gen(7);
    {
        GenerativeRun run = GenerativeRun::create(folder, {{"model", "toy"}, {"epochs", 2}});
        run.log({{"epoch", 1}, {"loss", 0.5}});
        run.log({{"epoch", 2}, {"loss", 0.4}});
        gen.normal();
        run.save(1, "toy", net.state(), {{"model.", net.state()}, {"optimizer.", opt.state()}}, gen,
                 {}, {{"extra", "yes"}});
        EXPECT_THROW(GenerativeRun::create(folder, {{"model", "toy"}}), Error);
    }
    GenerativeRun again = GenerativeRun::resume(folder);
    EXPECT_EQ(again.epoch(), 1);
    EXPECT_EQ(again.config()["epochs"], 2);
    EXPECT_EQ(again.meta("extra"), "yes");
    Generator restored;
    restored.set_state(again.generator_state());
    EXPECT_EQ(restored.next(), gen.next());
    nn::Linear other(2, 3);
    again.restore(other);
    EXPECT_EQ(other.weight.to_vector(), net.weight.to_vector());
    // The record of epoch 2, which the checkpoint does not hold, is gone.
    EXPECT_EQ(io::read_metrics(again.path("metrics.jsonl")).size(), 1u);
    const io::Checkpoint model = io::load_checkpoint(again.path("model.safetensors"));
    EXPECT_EQ(generative_config(model, "toy")["epochs"], 2);
    EXPECT_THROW(generative_config(model, "vae"), Error);
    EXPECT_THROW(GenerativeRun::resume((dir.path() / "nothing").string()), Error);
}

TEST(GenerativeData, ChecksNamesAndLoadsImages) {
    Generator gen;
    EXPECT_THROW(check_data_name("mnist"), Error);
    const data::TensorDataset toy = generative_data("swiss-roll", false, 100, gen);
    EXPECT_EQ(toy.x.shape(), Shape({100, 2}));
    const data::TensorDataset images = generative_data("fashion-mnist", true, 50, gen);
    EXPECT_EQ(images.x.shape(), Shape({50, 1, 28, 28}));
    EXPECT_EQ(images.labels.size(), 50u);
}

}  // namespace
}  // namespace gibbs::gen
