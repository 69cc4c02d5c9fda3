// Energy-based models: the loss gradient against finite differences, a quadratic energy whose
// maximum-likelihood answer is known, and `gibbs train ebm` end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/ebm/ebm.hpp"
#include "gibbs/ebm/train.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/sgd.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::ebm {
namespace {

using gibbs::test::run_cli;
using gibbs::testing::read_text;
using gibbs::testing::TempDir;

// ∂L/∂θ of L = mean E⁺ − mean E⁻ + α(mean E⁺² + mean E⁻²) by backward, against central
// differences (L(θ + h) − L(θ − h)) / 2h over every parameter element, in float64.
void check_loss_gradient(EnergyNet& net, const Tensor& x_pos, const Tensor& x_neg) {
    const double alpha = 0.3, h = 1e-6;
    net.zero_grad();
    contrastive_loss(net(x_pos), net(x_neg), alpha).backward();
    int64_t checked = 0;
    for (auto& [name, p] : net.named_parameters()) {
        const std::vector<double> analytic = p.grad().to_vector();
        double* v = p.data<double>();
        for (int64_t i = 0; i < p.numel(); ++i, ++checked) {
            NoGradGuard no_grad;
            const double saved = v[i];
            v[i] = saved + h;
            const double plus = contrastive_loss(net(x_pos), net(x_neg), alpha).item();
            v[i] = saved - h;
            const double minus = contrastive_loss(net(x_pos), net(x_neg), alpha).item();
            v[i] = saved;
            const double numeric = (plus - minus) / (2 * h);
            ASSERT_NEAR(analytic[i], numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
                << name << "[" << i << "]";
        }
    }
    EXPECT_EQ(checked, net.parameter_count());
}

TEST(EbmLoss, MlpGradientMatchesFiniteDifferences) {
    Generator gen(1);
    EnergyNet net({.hidden = {5, 4}, .dtype = DType::f64}, gen);
    check_loss_gradient(net, randn({6, 2}, gen, DType::f64), randn({5, 2}, gen, DType::f64));
}

TEST(EbmLoss, CnnGradientMatchesFiniteDifferences) {
    Generator gen(2);
    EnergyNet net({.image = true, .channels = {2, 2, 2}, .dtype = DType::f64}, gen);
    check_loss_gradient(net, rand({2, 1, 28, 28}, gen, DType::f64),
                        rand({2, 1, 28, 28}, gen, DType::f64));
}

// E_a(x) = ½ a x² defines N(0, 1/a). The expected gradient of the loss with α = 0 is
// ∂L/∂a = ½(E_data x² − E_model x²), zero when 1/a = s² for data N(0, s²): training with MALA
// negatives must drive a to 1/s².
class Quadratic : public nn::Module {
  public:
    Quadratic() { a = register_parameter("a", Tensor::full({1}, 1.0, DType::f32)); }
    Tensor forward(const Tensor& x) override {
        return (square(x) * a * 0.5).reshape({x.size(0)});  // x (B, 1) -> (B)
    }
    Tensor a;
};

TEST(Ebm, QuadraticEnergyLearnsTheDataPrecision) {
    const double s = 0.5;  // a → 1/s² = 4
    Generator gen(3);
    Quadratic model;
    // Plain SGD: a ← a − η ½(x̄²₊ − x̄²₋). Linearized around a* = 1/s² the drift is
    // −η (a − a*)/(2a*²), a relaxation time 2a*²/η = 64 steps; each step's gradient has the
    // noise of two means of 256 squares, SD ≈ ½ s² √(2·2/256) ≈ 0.016, so a fluctuates with
    // SD ≈ η·0.016·√(64/2) ≈ 0.045 about a*, and its average over the last 600 steps (≈ 10
    // relaxation times) has a standard error ≈ 0.015.
    optim::Sgd sgd(model.parameters(), {.lr = 0.5});
    ReplayBuffer buffer({1}, 1024, -3.0, 3.0, gen);
    const SgldOptions sgld{.steps = 20,
                           .langevin = {.kind = mcmc::LangevinKind::mala, .step_size = 0.05},
                           .reinit = 0.05};
    double a_mean = 0;
    const int steps = 1200, averaged = 600;
    for (int step = 0; step < steps; ++step) {
        const Tensor x = randn({256, 1}, gen) * s;
        train_step(model, sgd, x, buffer, sgld, /*alpha=*/0.0, gen);
        if (step >= steps - averaged) a_mean += model.a.item() / averaged;
    }
    EXPECT_NEAR(a_mean, 1 / (s * s), 3 * 0.015);
}

TEST(Ebm, NonFiniteLossIsAnError) {
    Generator gen(4);
    Quadratic model;
    model.a.data<float>()[0] = std::nanf("");
    optim::Adam adam(model.parameters());
    ReplayBuffer buffer({1}, 16, -1.0, 1.0, gen);
    const Tensor x = randn({8, 1}, gen);
    EXPECT_THROW(train_step(model, adam, x, buffer, {.steps = 1}, 0.0, gen), Error);
}

TEST(Ebm, ConfigRoundTripsAndChecksItsOptions) {
    EbmConfig c = EbmConfig::defaults("checkerboard");
    c.seed = 7;
    const EbmConfig d = EbmConfig::from_json(c.to_json(), "test");
    EXPECT_EQ(d.to_json(), c.to_json());
    c.reinit = 1.5;
    EXPECT_THROW(c.validate(), Error);
    EXPECT_TRUE(EbmConfig::defaults("fashion-mnist").image());
    EXPECT_THROW(EbmConfig::defaults("spiral").validate(), Error);
}

TEST(Ebm, EvaluateGivesFiniteEnergies) {
    Generator gen(5);
    EbmModel model(EbmConfig::defaults("moons"), gen);
    const nlohmann::json j = model.evaluate(randn({100, 2}, gen), gen, {});
    ASSERT_TRUE(j["energy_data"].is_number()) << j.dump();
    EXPECT_TRUE(std::isfinite(j["energy_data"].get<double>()));
    EXPECT_TRUE(std::isfinite(j["energy_noise"].get<double>()));
    gen::SampleOptions few;
    few.steps = 3;
    const Tensor x = model.sample(10, gen, few);
    EXPECT_EQ(x.shape(), (Shape{10, 2}));
}

TEST(Ebm, CosineLearningRateFollowsItsFormula) {
    EbmConfig c = EbmConfig::defaults("moons");
    c.lr = 1e-3;
    c.lr_min = 1e-5;
    c.lr_decay = "cosine";
    // lr_min + ½(lr − lr_min)(1 + cos πt/T): lr at t = 0, the midpoint at T/2, lr_min from T on.
    EXPECT_DOUBLE_EQ(c.lr_at(0, 100), 1e-3);
    EXPECT_NEAR(c.lr_at(50, 100), 0.5 * (1e-3 + 1e-5), 1e-15);
    EXPECT_NEAR(c.lr_at(25, 100), 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + std::sqrt(0.5)), 1e-15);
    EXPECT_DOUBLE_EQ(c.lr_at(100, 100), 1e-5);
    EXPECT_DOUBLE_EQ(c.lr_at(150, 100), 1e-5);
    c.lr_decay = "none";
    EXPECT_DOUBLE_EQ(c.lr_at(50, 100), 1e-3);
}

// With a constant energy (every weight 0) Langevin is a random walk: k steps of ULA or MALA
// (whose proposals are then all accepted: q is symmetric and E(x') = E(x)) from a chain at p
// give p + N(0, kεσ² I). Chains start from the saved replay buffer, all rows at p, with the
// sampling step size and sampler of the configuration.
TEST(Ebm, SamplingFromTheBufferIsARandomWalkForAFlatEnergy) {
    Generator gen(8);
    EbmConfig c = EbmConfig::defaults("moons");
    c.sample_init = "buffer";
    c.sample_step_size = 0.01;
    c.sample_steps = 25;
    c.hidden = {8};  // the weights are zeroed: the width only costs time
    for (const std::string sampler : {"ula", "mala"}) {
        c.sample_sampler = sampler;
        EbmModel model(c, gen);
        for (Tensor& p : model.net().parameters()) p.fill_(0.0);
        Tensor start = Tensor::zeros({500, 2});
        for (int64_t i = 0; i < 500; ++i) start.data<float>()[2 * i] = 0.5f;  // p = (0.5, 0)
        model.set_chains(start);
        const int64_t n = 4000;
        const std::vector<double> x = model.sample(n, gen, {}).to_vector();
        const double var = 25 * 0.01;  // kε
        double m0 = 0, m1 = 0, v0 = 0;
        for (int64_t i = 0; i < n; ++i) m0 += x[2 * i] / n, m1 += x[2 * i + 1] / n;
        for (int64_t i = 0; i < n; ++i) v0 += (x[2 * i] - m0) * (x[2 * i] - m0) / (n - 1);
        const double se_mean = std::sqrt(var / n), se_var = var * std::sqrt(2.0 / (n - 1));
        EXPECT_NEAR(m0, 0.5, 4 * se_mean) << sampler;
        EXPECT_NEAR(m1, 0.0, 4 * se_mean) << sampler;
        EXPECT_NEAR(v0, var, 4 * se_var) << sampler;
    }
}

const std::string kTiny =
    "train ebm --data moons --train-size 256 --batch 64 --hidden 16 --langevin-steps 5 "
    "--buffer 500 --sample-steps 20 --threads 1 --quiet --seed 3";

// One thread: the toy networks are far too small to gain from more, and on a loaded machine
// OpenMP's barriers in tiny GEMMs would only slow the commands down.
void one_thread() { setenv("OMP_NUM_THREADS", "1", 1); }

TEST(EbmCli, ResumeContinuesBitForBit) {
    one_thread();
    TempDir dir;
    const std::string straight = dir.file("straight"), split = dir.file("split");
    // A constant learning rate: the cosine schedule's horizon is --epochs, which differs here.
    auto r = run_cli(kTiny + " --lr-decay none --epochs 2 --out " + straight);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli(kTiny + " --lr-decay none --epochs 1 --out " + split);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train ebm --resume " + split + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(read_text(straight + "/model.safetensors"), read_text(split + "/model.safetensors"));
    EXPECT_EQ(read_text(straight + "/checkpoint.safetensors"),
              read_text(split + "/checkpoint.safetensors"));
    EXPECT_NE(read_text(split + "/metrics.jsonl").find("\"epoch\":2"), std::string::npos);

    r = run_cli("sample --model " + straight + "/model.safetensors --n 100 --out " +
                dir.file("s.png"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(read_text(dir.file("s.png")).substr(1, 3), "PNG");
    r = run_cli("eval --model " + straight + "/model.safetensors --json --n 200");
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json j = nlohmann::json::parse(r.text);
    EXPECT_GT(j["energy_distance"].get<double>(), 0);
    EXPECT_GT(j["energy_distance_baseline"].get<double>(), 0);
    EXPECT_TRUE(j["energy_data"].is_number());
}

// The options of issue 6: MALA negatives, a cosine learning rate, sampling from the saved replay
// buffer with MALA at its own step size; the MALA run repeats bit for bit.
TEST(EbmCli, MalaCosineAndBufferSamplingRun) {
    one_thread();
    TempDir dir;
    const std::string opts =
        " --epochs 1 --sampler mala --lr-decay cosine --lr-min 1e-5 "
        "--sample-init buffer --sample-sampler mala --sample-step-size 0.001";
    auto r = run_cli(kTiny + opts + " --out " + dir.file("a"));
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli(kTiny + opts + " --out " + dir.file("b"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(read_text(dir.file("a/model.safetensors")),
              read_text(dir.file("b/model.safetensors")));
    r = run_cli("eval --model " + dir.file("a") + "/model.safetensors --json --n 200 --steps 10");
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json j = nlohmann::json::parse(r.text);
    EXPECT_GT(j["energy_distance"].get<double>(), 0);
    EXPECT_EQ(j["baseline_draws"].get<int>(), 20);
    const auto model = EbmModel::load(io::load_checkpoint(dir.file("a/model.safetensors")));
    EXPECT_EQ(model->chains().shape(), (Shape{500, 2}));
    EXPECT_EQ(model->config().sample_init, "buffer");
}

TEST(EbmCli, BadOptionsAreErrors) {
    one_thread();
    TempDir dir;
    const std::string out = " --out " + dir.file("run");
    for (const std::string bad :
         {"--step-size 0", "--reinit 2", "--langevin-steps 0", "--data spiral", "--hidden 0",
          "--noise -1", "--sampler hmc", "--lr-decay step", "--lr-min 1", "--sample-init data",
          "--sample-sampler gibbs", "--sample-step-size -1"}) {
        const auto r = run_cli(kTiny + " --epochs 1 " + bad + out);
        EXPECT_EQ(r.status, 1) << bad << ": " << r.text;
        EXPECT_NE(r.text.find("error"), std::string::npos) << r.text;
        EXPECT_FALSE(std::filesystem::exists(dir.file("run/config.json"))) << bad;
    }
    EXPECT_EQ(run_cli("train ebm --data moons --epochs 1").status, 1);  // no --out
    auto r = run_cli(kTiny + " --epochs 1" + out);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train ebm --resume " + dir.file("run") + " --batch 32");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--batch cannot change"), std::string::npos) << r.text;
    EXPECT_EQ(run_cli(kTiny + " --epochs 1" + out).status, 1);  // the folder holds a run

    // Adam steps of size ~1e300 make the energies infinite: one error naming the step, and no
    // model is written.
    r = run_cli(kTiny + " --epochs 1 --lr 1e300 --out " + dir.file("nan"));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("the loss is"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("no checkpoint yet"), std::string::npos) << r.text;
    EXPECT_FALSE(std::filesystem::exists(dir.file("nan/model.safetensors")));
}

}  // namespace
}  // namespace gibbs::ebm
