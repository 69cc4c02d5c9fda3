// `gibbs train ddpm`, `gibbs sample` and `gibbs eval` end to end on a tiny model: a resumed run
// continues bit for bit, eval prints the sample metrics and the bound, bad options fail cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/checkpoint_values.hpp"
#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/io/checkpoint.hpp"

namespace gibbs {
namespace {

using test::run_cli;

const std::string kTiny =
    " --data moons --steps 50 --hidden 16,16 --train-size 512 --batch 128 --ema 0.9 --seed 4"
    " --threads 2 --quiet";

using testing::checkpoint_values;

TEST(DdpmCli, ResumeIsBitExactAndEvalPrintsTheBound) {
    testing::TempDir dir;
    const std::string a = dir.file("a"), b = dir.file("b");
    auto r = run_cli("train ddpm" + kTiny + " --epochs 2 --out " + a);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train ddpm" + kTiny + " --epochs 1 --out " + b);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train ddpm --resume " + b + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(checkpoint_values(a + "/model.safetensors"),
              checkpoint_values(b + "/model.safetensors"));
    EXPECT_EQ(checkpoint_values(a + "/checkpoint.safetensors"),
              checkpoint_values(b + "/checkpoint.safetensors"));

    r = run_cli("sample --model " + a +
                "/model.safetensors --n 64 --sampler ddim --steps 10 --out " + dir.file("s.png"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_TRUE(std::filesystem::exists(dir.file("s.png")));
    r = run_cli("eval --model " + a + "/model.safetensors --n 200 --eval-n 100 --json");
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json j = nlohmann::json::parse(r.text);
    for (const char* key : {"energy_distance", "energy_distance_baseline", "bound_nats",
                            "nll_bound_nats", "prior_nats"})
        EXPECT_TRUE(j.contains(key)) << key << " in " << r.text;
    EXPECT_EQ(j.at("model"), "ddpm");
}

TEST(DdpmCli, BadOptionsFailWithOneMessageAndNoFolder) {
    testing::TempDir dir;
    const std::string out = dir.file("run");
    auto r = run_cli("train ddpm --data moons --schedule quadratic --out " + out);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--schedule"), std::string::npos) << r.text;
    EXPECT_FALSE(std::filesystem::exists(out));
    r = run_cli("train ddpm --data moons --denoiser unet --out " + out);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("unet"), std::string::npos) << r.text;
    EXPECT_FALSE(std::filesystem::exists(out));
    r = run_cli("train ddpm --data spiral --out " + out);
    EXPECT_EQ(r.status, 1);
    r = run_cli("train ddpm --data moons --ema 1 --out " + out);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--ema"), std::string::npos) << r.text;
    // A diverging run stops with a clear message.
    r = run_cli("train ddpm" + kTiny + " --lr 1e30 --epochs 3 --out " + out);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("loss became"), std::string::npos) << r.text;
    r = run_cli("train ddpm --resume " + dir.file("none"));
    EXPECT_EQ(r.status, 1);
}

}  // namespace
}  // namespace gibbs
