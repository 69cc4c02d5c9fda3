// DdpmModel in the image layout: samples come back in [0, 1] and the bound is reported in bits
// per dimension with the discretized decoder.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/diffusion/ddpm.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {
namespace {

nlohmann::json image_config() {
    return complete_config({{"data", "fashion-mnist"},
                            {"schedule", "cosine"},
                            {"T", 100},
                            {"denoiser", "mlp"},
                            {"embedding", 8},
                            {"hidden", {16}},
                            {"channels", {8}},
                            {"epochs", 1},
                            {"batch", 8},
                            {"lr", 1e-3},
                            {"ema", 0.9},
                            {"train_size", 1},
                            {"limit", 0},
                            {"seed", 0},
                            {"threads", 0}});
}

TEST(DdpmModel, ImagesSampleInTheUnitIntervalAndReportBitsPerDim) {
    const nlohmann::json c = image_config();
    EXPECT_EQ(c.at("shape"), (std::vector<int64_t>{1, 28, 28}));
    Generator gen(1);
    DdpmModel model(c, make_denoiser(c, gen));
    const Tensor x = model.sample(3, gen, {.sampler = "ddim", .steps = 10});
    EXPECT_EQ(x.shape(), Shape({3, 1, 28, 28}));
    for (double v : x.to_vector()) ASSERT_TRUE(v >= 0 && v <= 1);
    // Held-out "images": pixels k/255.
    Tensor data = Tensor::empty({6, 1, 28, 28});
    for (int64_t i = 0; i < data.numel(); ++i)
        data.data<float>()[i] = static_cast<float>(gen.integer(0, 256)) / 255.0f;
    const nlohmann::json j = model.evaluate(data, gen, {});
    ASSERT_TRUE(j.contains("bits_per_dim")) << j.dump();
    const double bpd = j.at("bits_per_dim");
    // An untrained model: a positive, finite bound, consistent with the nats.
    EXPECT_TRUE(std::isfinite(bpd) && bpd > 0) << bpd;
    EXPECT_NEAR(bpd, j.at("bound_nats").get<double>() / (784 * std::log(2.0)), 1e-9);
    EXPECT_EQ(j.at("bound_method"), "4 random t per example");
}

TEST(DdpmModel, ConfigIsChecked) {
    nlohmann::json c = image_config();
    c["schedule"] = "sigmoid";
    EXPECT_THROW(complete_config(c), Error);
    c = image_config();
    c["denoiser"] = "resnet";
    Generator gen;
    EXPECT_THROW(make_denoiser(c, gen), Error);
    // The U-Net takes images only.
    c["denoiser"] = "unet";
    c["shape"] = std::vector<int64_t>{2};
    EXPECT_THROW(make_denoiser(c, gen), Error);
}

}  // namespace
}  // namespace gibbs::diffusion
