// `gibbs train vae` end to end on tiny runs: the run folder, resume bit for bit, the figures,
// `gibbs sample` and `gibbs eval`, the trained model through the generative interface, errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/vae/train.hpp"

namespace gibbs::vae {
namespace {

using gibbs::test::run_cli;
using gibbs::testing::read_text;
using gibbs::testing::TempDir;
namespace fs = std::filesystem;

const std::string kTiny =
    "train vae --data fashion-mnist --limit 512 --test-limit 200 --hidden 32 --latent 2 "
    "--batch 64 --threads 1 --seed 3 --quiet";

TEST(VaeCli, TrainsResumesBitForBitAndWritesItsFigures) {
    TempDir tmp;
    const std::string a = tmp.file("a"), b = tmp.file("b");
    auto r = run_cli(kTiny + " --binarize dynamic --epochs 2 --iw-samples 20 --out " + a);
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_NE(r.text.find("test ELBO"), std::string::npos) << r.text;
    for (const char* f :
         {"config.json", "metrics.jsonl", "model.safetensors", "checkpoint.safetensors",
          "samples.png", "interpolation.png", "latent.csv", "latent.png"})
        EXPECT_TRUE(fs::exists(fs::path(a) / f)) << f;
    const auto records = io::read_metrics(a + "/metrics.jsonl");
    ASSERT_EQ(records.size(), 2u);
    for (const auto& rec : records) {
        EXPECT_LT(rec.at("test_elbo").get<double>(), 0.0);
        EXPECT_GT(rec.at("train_kl").get<double>(), 0.0);
    }
    // The importance-weighted bound after the last epoch is a tighter (larger) bound.
    EXPECT_GT(records[1].at("log_likelihood_iw").get<double>(),
              records[1].at("test_elbo").get<double>() - 1.0);
    const std::string csv = read_text(a + "/latent.csv");
    EXPECT_EQ(csv.rfind("z1,z2,label\n", 0), 0u);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 201);

    // One epoch, then --resume to two: the same bytes as the uninterrupted run.
    r = run_cli(kTiny + " --binarize dynamic --epochs 1 --iw-samples 20 --out " + b);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train vae --resume " + b + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(read_text(a + "/model.safetensors"), read_text(b + "/model.safetensors"));
    EXPECT_EQ(read_text(a + "/checkpoint.safetensors"), read_text(b + "/checkpoint.safetensors"));
    EXPECT_EQ(io::read_metrics(b + "/metrics.jsonl").size(), 2u);

    // Resuming may not change the model.
    r = run_cli("train vae --resume " + b + " --latent 3");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--latent"), std::string::npos) << r.text;

    // gibbs sample reads the run's model.
    r = run_cli("sample --model " + a + "/model.safetensors --n 16 --out " + tmp.file("s.png"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_TRUE(fs::exists(tmp.file("s.png")));

    // The model through the generative interface: samples are images in [0, 1], and on the
    // binarized test images L_k ≥ ELBO up to noise.
    const auto model = load_vae(io::load_checkpoint(a + "/model.safetensors"));
    Generator gen(1);
    const Tensor s = model->sample(8, gen, {});
    EXPECT_EQ(s.shape(), (Shape{8, 1, 28, 28}));
    for (double v : s.to_vector()) ASSERT_TRUE(v >= 0 && v <= 1);
    const Tensor x = gen::generative_data("fashion-mnist", true, 100, gen).x;
    const nlohmann::json j = model->evaluate(x, gen, {.sampler = "", .steps = 50});
    EXPECT_EQ(j.at("iw_samples"), 50);
    EXPECT_EQ(j.at("binarized"), true);
    EXPECT_GT(j.at("log_likelihood_iw").get<double>(), j.at("elbo").get<double>());
}

TEST(VaeCli, ToyRunWithAGaussianDecoderAndEval) {
    TempDir tmp;
    const std::string a = tmp.file("moons");
    auto r = run_cli(
        "train vae --data moons --train-size 2000 --hidden 32,32 --latent 2 --epochs 2 "
        "--threads 1 --quiet --out " +
        a);
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_TRUE(fs::exists(a + "/latent.csv"));
    const nlohmann::json c = nlohmann::json::parse(read_text(a + "/config.json"));
    EXPECT_EQ(c.at("decoder"), "gaussian");
    r = run_cli("eval --model " + a + "/model.safetensors --json --n 200 --eval-n 100 --steps 10");
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json j = nlohmann::json::parse(r.text.substr(r.text.find('{')));
    EXPECT_EQ(j.at("model"), "vae");
    EXPECT_EQ(j.at("iw_samples"), 10);
    EXPECT_GT(j.at("log_likelihood_iw").get<double>(), j.at("elbo").get<double>());
    EXPECT_TRUE(j.contains("energy_distance"));
}

TEST(VaeCli, BadOptionsGiveOneMessageAndNoFolder) {
    TempDir tmp;
    const std::string out = tmp.file("bad");
    struct Case {
        std::string args, says;
    };
    for (const Case& c :
         {Case{"--data moons --arch conv", "--arch conv"},
          Case{"--data moons --decoder bernoulli", "--decoder bernoulli"},
          Case{"--decoder poisson", "--decoder"}, Case{"--binarize sometimes", "--binarize"},
          Case{"--latent 0", "--latent"}, Case{"--hidden 4,x", "--hidden"},
          Case{"--data cifar", "--data"}}) {
        const auto r = run_cli("train vae " + c.args + " --epochs 1 --quiet --out " + out);
        EXPECT_EQ(r.status, 1) << c.args;
        EXPECT_NE(r.text.find(c.says), std::string::npos) << c.args << ": " << r.text;
        EXPECT_FALSE(fs::exists(out)) << c.args;
    }
    // A diverging loss stops with a message naming the step.
    const auto r = run_cli(kTiny + " --lr 1e6 --epochs 3 --out " + out);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("training stopped"), std::string::npos) << r.text;
}

}  // namespace
}  // namespace gibbs::vae
