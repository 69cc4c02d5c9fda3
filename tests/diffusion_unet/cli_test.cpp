// `gibbs train ddpm --denoiser unet` end to end on 64 Fashion-MNIST images with a 4-channel
// U-Net: a resumed run continues bit for bit, the model samples images, and channels that are
// not multiples of the first give one clear error and no run folder.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/checkpoint_values.hpp"
#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/io/checkpoint.hpp"

namespace gibbs {
namespace {

using test::run_cli;

const std::string kTiny =
    " --data fashion-mnist --denoiser unet --channels 4,8 --limit 64 --steps 20 --batch 32"
    " --seed 3 --threads 2 --quiet";

using testing::checkpoint_values;

TEST(UNetCli, TrainsResumesBitForBitAndSamples) {
    testing::TempDir dir;
    const std::string a = dir.file("a"), b = dir.file("b");
    auto r = run_cli("train ddpm" + kTiny + " --epochs 2 --out " + a);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train ddpm" + kTiny + " --epochs 1 --out " + b);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train ddpm --resume " + b + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(checkpoint_values(a + "/checkpoint.safetensors"),
              checkpoint_values(b + "/checkpoint.safetensors"));
    const auto names = io::load_checkpoint(a + "/model.safetensors").tensors;
    bool has_unet_layer = false;
    for (const auto& [name, t] : names)
        has_unet_layer |= name.find("up.0.0.conv1") != std::string::npos;
    EXPECT_TRUE(has_unet_layer);
    r = run_cli("sample --model " + a + "/model.safetensors --n 4 --sampler ddim --steps 3 --out " +
                dir.file("s.png"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_TRUE(std::filesystem::exists(dir.file("s.png")));
}

TEST(UNetCli, BadChannelsFailBeforeAnyFolder) {
    testing::TempDir dir;
    const auto r =
        run_cli("train ddpm --data fashion-mnist --denoiser unet --channels 8,12 --quiet --out " +
                dir.file("c"));
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.text.find("multiples of the first"), std::string::npos) << r.text;
    EXPECT_FALSE(std::filesystem::exists(dir.file("c")));
}

}  // namespace
}  // namespace gibbs
