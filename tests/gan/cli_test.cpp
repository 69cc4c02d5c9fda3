// `gibbs train gan`, `gibbs sample` and `gibbs eval` on a GAN run folder, end to end.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/metrics.hpp"

namespace {

using gibbs::test::run_cli;
namespace fs = std::filesystem;

const std::string kTiny =
    " --data eight-gaussians --hidden 16,16 --latent 4 --train-size 512 --batch 64 --lr 1e-3 "
    "--threads 1 --seed 5 --quiet";

void expect_same_tensors(const std::string& a, const std::string& b) {
    const gibbs::io::Checkpoint ca = gibbs::io::load_checkpoint(a);
    const gibbs::io::Checkpoint cb = gibbs::io::load_checkpoint(b);
    ASSERT_EQ(ca.tensors.size(), cb.tensors.size());
    for (size_t i = 0; i < ca.tensors.size(); ++i) {
        const auto& [name, t] = ca.tensors[i];
        EXPECT_EQ(name, cb.tensors[i].first);
        const gibbs::Tensor& u = cb.tensors[i].second;
        ASSERT_EQ(t.shape(), u.shape()) << name;
        ASSERT_EQ(t.dtype(), u.dtype()) << name;
        EXPECT_EQ(std::memcmp(t.contiguous().raw_data(), u.contiguous().raw_data(),
                              t.numel() * gibbs::itemsize(t.dtype())),
                  0)
            << name << " differs";
    }
}

// Two epochs in one go, or one epoch and a resumed second: the same weights, optimizer state
// and generator, bit for bit, and the same metrics but for the wall time.
TEST(GanCli, ResumeContinuesBitForBit) {
    gibbs::testing::TempDir tmp;
    const std::string a = (tmp.path() / "a").string(), b = (tmp.path() / "b").string();
    auto r = run_cli("train gan" + kTiny + " --epochs 2 --out " + a);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train gan" + kTiny + " --epochs 1 --out " + b);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train gan --resume " + b + " --lr 1");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--lr cannot change when resuming"), std::string::npos) << r.text;
    r = run_cli("train gan --resume " + b + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    expect_same_tensors(a + "/model.safetensors", b + "/model.safetensors");
    expect_same_tensors(a + "/checkpoint.safetensors", b + "/checkpoint.safetensors");
    EXPECT_EQ(gibbs::io::load_checkpoint(a + "/checkpoint.safetensors").meta("gibbs.generator"),
              gibbs::io::load_checkpoint(b + "/checkpoint.safetensors").meta("gibbs.generator"));
    const auto ma = gibbs::io::read_metrics(a + "/metrics.jsonl");
    const auto mb = gibbs::io::read_metrics(b + "/metrics.jsonl");
    ASSERT_EQ(ma.size(), 2u);
    ASSERT_EQ(mb.size(), 2u);
    for (size_t e = 0; e < 2; ++e)
        for (const char* key : {"epoch", "d_loss", "g_loss", "d_real", "d_fake", "energy_distance"})
            EXPECT_EQ(ma[e].at(key), mb[e].at(key)) << key << " of epoch " << e + 1;
    EXPECT_TRUE(fs::exists(a + "/samples.png"));
}

TEST(GanCli, SampleAndEval) {
    gibbs::testing::TempDir tmp;
    const std::string run = (tmp.path() / "run").string();
    auto r = run_cli("train gan" + kTiny + " --epochs 1 --out " + run);
    ASSERT_EQ(r.status, 0) << r.text;
    const std::string model = run + "/model.safetensors";
    const std::string png = (tmp.path() / "s.png").string();
    r = run_cli("sample --model " + model + " --n 500 --out " + png);
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_GT(fs::file_size(png), 100u);
    r = run_cli("eval --model " + model + " --n 500 --json");
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json j = nlohmann::json::parse(r.text.substr(r.text.find('{')));
    EXPECT_EQ(j.at("model"), "gan");
    EXPECT_GT(j.at("energy_distance").get<double>(), 0);
    EXPECT_GT(j.at("energy_distance_baseline").get<double>(), 0);
    const int64_t modes = j.at("modes_covered").get<int64_t>();
    EXPECT_TRUE(modes >= 0 && modes <= 8);
    r = run_cli("sample --model " + model + " --n 4 --label 2 --out " + png);
    EXPECT_EQ(r.status, 1) << r.text;
}

TEST(GanCli, BadInputGivesOneErrorAndNoRun) {
    gibbs::testing::TempDir tmp;
    const std::string run = (tmp.path() / "run").string();
    for (const std::string& bad :
         {std::string(" --arch dcgan"), std::string(" --label-smoothing 1"),
          std::string(" --channels 8"), std::string(" --d-steps 0"), std::string(" --lr -1")}) {
        const auto r = run_cli("train gan" + kTiny + bad + " --epochs 1 --out " + run);
        EXPECT_EQ(r.status, 1) << bad << ": " << r.text;
        EXPECT_NE(r.text.find("gibbs: error:"), std::string::npos) << r.text;
        EXPECT_FALSE(fs::exists(run + "/config.json")) << bad;
    }
    auto r = run_cli("train gan --data fashion-mnist --limit 10 --batch 64 --out " + run);
    EXPECT_EQ(r.status, 1) << r.text;
    EXPECT_NE(r.text.find("fewer than --batch"), std::string::npos) << r.text;
    EXPECT_FALSE(fs::exists(run + "/config.json"));
    r = run_cli("train gan --resume " + run);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("no run there"), std::string::npos) << r.text;
}

// A learning rate so large that the weights overflow: a clear error naming the step, and the run
// keeps no half-written files.
TEST(GanCli, DivergenceStopsWithAClearError) {
    gibbs::testing::TempDir tmp;
    const std::string run = (tmp.path() / "run").string();
    const auto r = run_cli("train gan" + kTiny + " --lr 1e38 --epochs 1 --out " + run);
    EXPECT_EQ(r.status, 1) << r.text;
    EXPECT_NE(r.text.find("loss is"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("keeps its last finished epoch (0)"), std::string::npos) << r.text;
    EXPECT_FALSE(fs::exists(run + "/checkpoint.safetensors"));
}

// The image path: a tiny DCGAN on 128 Fashion-MNIST images, resumed for a second epoch, then a
// sample grid.
TEST(GanCli, DcganOnFashionMnistWritesAGrid) {
    gibbs::testing::TempDir tmp;
    const std::string run = (tmp.path() / "run").string();
    auto r = run_cli(
        "train gan --data fashion-mnist --arch dcgan --channels 4,8 --latent 8 --limit 128 "
        "--batch 64 --epochs 1 --threads 1 --quiet --out " +
        run);
    ASSERT_EQ(r.status, 0) << r.text;
    const auto m = gibbs::io::read_metrics(run + "/metrics.jsonl");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].at("steps"), 2);
    for (const char* key : {"d_real", "d_fake"}) {
        const double p = m[0].at(key).get<double>();
        EXPECT_TRUE(p > 0 && p < 1) << key << " = " << p;
    }
    EXPECT_TRUE(fs::exists(run + "/samples.png"));
    r = run_cli("train gan --resume " + run + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(gibbs::io::read_metrics(run + "/metrics.jsonl").size(), 2u);
    const std::string png = (tmp.path() / "grid.png").string();
    r = run_cli("sample --model " + run + "/model.safetensors --n 16 --cols 4 --out " + png);
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_GT(fs::file_size(png), 100u);
}

}  // namespace
