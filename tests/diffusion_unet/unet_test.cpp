// The U-Net ε-predictor (gibbs/diffusion/unet.hpp): output shapes; the gradient of the whole
// network, with and without self-attention, against central finite differences in float64, with
// respect to the input and to parameters of every kind of layer; the time step changes the output;
// the parameter count against its formula; the JSON config rebuilds the same network; bad input
// gives one clear error.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/diffusion/unet.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;
using diffusion::UNet;
using diffusion::UNetOptions;

namespace {

// A U-Net small enough for finite differences: 4 channels, 2 levels on 8×8 images.
UNetOptions tiny(bool attention, Generator& gen) {
    return {.in_channels = 1,
            .base_channels = 4,
            .multipliers = {1, 2},
            .blocks = 1,
            .groups = 2,
            .time_dim = 8,
            .attention = attention,
            .dtype = DType::f64,
            .generator = &gen};
}

Tensor steps(std::vector<double> t, DType dtype = DType::f32) {
    return Tensor::from(t, {static_cast<int64_t>(t.size())}, dtype);
}

// Σ ε̂ ⊙ w for fixed weights w: a scalar every output element enters.
double weighted(UNet& net, const Tensor& x, const Tensor& t, const Tensor& w) {
    return sum(mul(net.predict(x, t), w)).item();
}

}  // namespace

TEST(UNet, OutputShapeMatchesInput) {
    Generator gen(1);
    UNet net({.generator = &gen});  // the default: 32 channels, 28 → 14 → 7
    const Tensor x = randn({3, 1, 28, 28}, gen);
    const Tensor y = net.predict(x, steps({1, 500, 1000}));
    EXPECT_EQ(y.shape(), x.shape());
    EXPECT_EQ(y.dtype(), DType::f32);
    UNet attn(
        {.in_channels = 3, .base_channels = 8, .groups = 4, .attention = true, .generator = &gen});
    const Tensor x3 = randn({2, 3, 12, 16}, gen);
    EXPECT_EQ(attn.predict(x3, steps({7, 8})).shape(), x3.shape());
}

// ∂(Σ ε̂ ⊙ w)/∂x_t by central differences through every layer (float64).
TEST(UNet, InputGradientMatchesFiniteDifferences) {
    for (bool attention : {false, true}) {
        Generator gen(2);
        UNet net(tiny(attention, gen));
        const Tensor t = steps({3, 40}, DType::f64);
        const auto r = autograd::gradcheck(
            [&](const std::vector<Tensor>& in) { return net.predict(in[0], t); },
            {randn({2, 1, 8, 8}, gen, DType::f64)});
        EXPECT_TRUE(r.ok) << "attention " << attention << ": " << r.message;
    }
}

// ∂/∂θ for a few elements of each parameter tensor, perturbed in place:
// (s(θ + εe_i) − s(θ − εe_i)) / 2ε against the backward pass.
TEST(UNet, ParameterGradientsMatchFiniteDifferences) {
    Generator gen(3);
    UNet net(tiny(true, gen));
    const Tensor x = randn({2, 1, 8, 8}, gen, DType::f64);
    const Tensor t = steps({5, 17}, DType::f64);
    const Tensor w = uniform(x.shape(), 0.5, 1.5, gen, DType::f64);
    net.zero_grad();
    sum(mul(net.predict(x, t), w)).backward();
    const double eps = 1e-6;
    int checked = 0;
    for (auto& [name, p] : net.named_parameters()) {
        ASSERT_TRUE(p.grad().defined()) << name << " got no gradient";
        const std::vector<double> g = p.grad().to_vector();
        double* v = p.data<double>();
        for (int64_t i : {int64_t{0}, p.numel() / 2, p.numel() - 1}) {
            NoGradGuard no_grad;
            const double saved = v[i];
            v[i] = saved + eps;
            const double plus = weighted(net, x, t, w);
            v[i] = saved - eps;
            const double minus = weighted(net, x, t, w);
            v[i] = saved;
            const double numeric = (plus - minus) / (2 * eps);
            EXPECT_NEAR(g[i], numeric, 1e-6 * std::max({1.0, std::abs(g[i]), std::abs(numeric)}))
                << name << " element " << i;
            ++checked;
        }
    }
    EXPECT_GT(checked, 3 * 40);  // every parameter tensor of the network
}

// Conv3×3(upsample×2(x)) folded into four 2×2 convolutions on x: the same values as the
// composition, and gradients (x, W, b) that match finite differences.
TEST(UNet, FoldedUpsampleConvEqualsTheComposition) {
    Generator gen(9);
    const Tensor x = randn({2, 3, 5, 4}, gen, DType::f64), W = randn({4, 3, 3, 3}, gen, DType::f64);
    const Tensor b = randn({4}, gen, DType::f64);
    const Tensor direct = nn::conv2d(nn::upsample_nearest2d(x, 2), W, b, {.padding = 1});
    const Tensor folded = diffusion::upsample_conv3x3(x, W, b);
    ASSERT_EQ(folded.shape(), direct.shape());
    const auto d = direct.to_vector(), f = folded.to_vector();
    for (size_t i = 0; i < d.size(); ++i) EXPECT_NEAR(f[i], d[i], 1e-12) << i;
    const auto r = autograd::gradcheck(
        [](const std::vector<Tensor>& in) {
            return diffusion::upsample_conv3x3(in[0], in[1], in[2]);
        },
        {x, W, b});
    EXPECT_TRUE(r.ok) << r.message;
}

TEST(UNet, TimeStepChangesTheOutput) {
    Generator gen(4);
    UNet net({.base_channels = 8, .groups = 4, .time_dim = 32, .generator = &gen});
    const Tensor x = randn({1, 1, 28, 28}, gen);
    const Tensor a = net.predict(x, steps({1})), b = net.predict(x, steps({900}));
    const Tensor again = net.predict(x, steps({1}));
    const double diff = sum(abs(a - b)).item() / static_cast<double>(x.numel());
    EXPECT_GT(diff, 1e-3);                        // the time embedding reaches the output
    EXPECT_EQ(a.to_vector(), again.to_vector());  // and the map is deterministic
}

// Parameters of the tiny configuration, layer by layer:
//   conv3(i, o) = 9io + o,  norm(c) = 2c,  linear(i, o) = io + o,
//   res(i, o) = norm(i) + conv3(i, o) + linear(D, o) + norm(o) + conv3(o, o) + [i ≠ o](io + o).
TEST(UNet, ParameterCountFollowsTheFormula) {
    const int64_t D = 8;
    auto conv3 = [](int64_t i, int64_t o) { return 9 * i * o + o; };
    auto res = [&](int64_t i, int64_t o) {
        return 2 * i + conv3(i, o) + D * o + o + 2 * o + conv3(o, o) + (i != o ? i * o + o : 0);
    };
    const int64_t time = 2 * (D * D + D), in = conv3(1, 4);
    const int64_t down = res(4, 4) + conv3(4, 4) + res(4, 8);
    const int64_t mid = 2 * res(8, 8);
    const int64_t up = res(8 + 8, 8) + conv3(8, 8) + res(8 + 4, 4);
    const int64_t out = 2 * 4 + conv3(4, 1);
    const int64_t attention = 2 * 8 + (8 * 24 + 24) + (8 * 8 + 8);
    Generator gen(5);
    EXPECT_EQ(UNet(tiny(false, gen)).parameter_count(), time + in + down + mid + up + out);
    EXPECT_EQ(UNet(tiny(true, gen)).parameter_count(),
              time + in + down + mid + up + out + attention);
    // The default (base 32, multipliers 1, 2, 2, D = 128) has as many as the same network
    // written in PyTorch (bench/unet_vs_torch.py prints both).
    EXPECT_EQ(UNet({.generator = &gen}).parameter_count(), 789'217);
}

TEST(UNet, ConfigRoundTripRebuildsTheSameNetwork) {
    UNetOptions o{.base_channels = 8,
                  .multipliers = {1, 2},
                  .blocks = 2,
                  .groups = 4,
                  .time_dim = 16,
                  .attention = true};
    const nlohmann::json j = diffusion::to_json(o);
    EXPECT_EQ(j.at("type"), "unet");
    Generator g1(6), g2(6);
    o.generator = &g1;
    UNet a(o);
    auto b = diffusion::make_unet(nlohmann::json::parse(j.dump()), &g2);
    const auto pa = a.named_parameters(), pb = b->named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t i = 0; i < pa.size(); ++i) {
        EXPECT_EQ(pa[i].first, pb[i].first);
        EXPECT_EQ(pa[i].second.to_vector(), pb[i].second.to_vector()) << pa[i].first;
    }
    Generator gx(7);
    const Tensor x = randn({2, 1, 8, 8}, gx), t = steps({2, 9});
    EXPECT_EQ(a.predict(x, t).to_vector(), b->predict(x, t).to_vector());
}

// --channels 32,64,64 of gibbs train ddpm is the default network.
TEST(UNet, ChannelsPerLevelGiveTheOptions) {
    const UNetOptions o = diffusion::unet_options_for_channels({32, 64, 64}, 1);
    EXPECT_EQ(o.base_channels, 32);
    EXPECT_EQ(o.multipliers, (std::vector<int64_t>{1, 2, 2}));
    EXPECT_EQ(o.groups, 8);
    EXPECT_EQ(o.time_dim, 128);
    EXPECT_EQ(diffusion::unet_options_for_channels({12, 24}, 3).groups, 4);
    EXPECT_THROW(diffusion::unet_options_for_channels({32, 48}, 1), Error);
}

TEST(UNet, BadInputGivesOneClearError) {
    auto message = [](auto f) {
        try {
            f();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([] { UNet({.base_channels = 12, .groups = 8}); }).find("divisible by groups"),
              std::string::npos);
    EXPECT_NE(message([] {
                  diffusion::make_unet({{"base_chanels", 8}});
              }).find("unknown key \"base_chanels\""),
              std::string::npos);
    EXPECT_NE(message([] {
                  diffusion::make_unet({{"blocks", 1.5}});
              }).find("\"blocks\""),
              std::string::npos);
    Generator gen(8);
    UNet net({.base_channels = 8, .groups = 4, .time_dim = 16, .generator = &gen});
    EXPECT_NE(message([&] {
                  net.predict(Tensor::zeros({1, 1, 30, 30}), steps({1}));
              }).find("divisible by 4"),
              std::string::npos);
    EXPECT_NE(message([&] {
                  net.predict(Tensor::zeros({2, 1, 28, 28}), steps({1}));
              }).find("t must be (B)"),
              std::string::npos);
}
