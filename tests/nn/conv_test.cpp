// Convolutions against their definitions:
//   conv2d: y[n,o,a,b] = b[o] + Σ_{c,i,j} W[o,c,i,j] x[n,c,a·s−p+i,b·s−p+j], a direct 7-loop sum;
//   conv_transpose2d: the adjoint, <conv(x), y> = <x, convT(y)> for every x, y, and the scatter
//     y[n,o,a·s−p+i,b·s−p+j] += x[n,c,a,b] W[c,o,i,j];
// in float64 and float32, on one thread and with images spread over threads; the modules' shapes
// and PyTorch's initialization bounds; bad shapes give one clear error.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/nn/conv.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {

// The 7-loop definition, in double.
Tensor direct_conv(const Tensor& x, const Tensor& W, const Tensor& b, int64_t s, int64_t p) {
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), Wd = x.size(3);
    const int64_t O = W.size(0), kh = W.size(2), kw = W.size(3);
    const int64_t Ho = (H + 2 * p - kh) / s + 1, Wo = (Wd + 2 * p - kw) / s + 1;
    const auto xv = x.to_vector(), wv = W.to_vector();
    std::vector<double> y(N * O * Ho * Wo);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t a = 0; a < Ho; ++a)
                for (int64_t bb = 0; bb < Wo; ++bb) {
                    double acc = b.defined() ? b.at({o}) : 0.0;
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t i = 0; i < kh; ++i)
                            for (int64_t j = 0; j < kw; ++j) {
                                const int64_t h = a * s - p + i, w = bb * s - p + j;
                                if (h < 0 || h >= H || w < 0 || w >= Wd) continue;
                                acc += wv[((o * C + c) * kh + i) * kw + j] *
                                       xv[((n * C + c) * H + h) * Wd + w];
                            }
                    y[((n * O + o) * Ho + a) * Wo + bb] = acc;
                }
    return Tensor::from(y, {N, O, Ho, Wo});
}

// The scatter definition of the transposed convolution, in double.
Tensor direct_conv_transpose(const Tensor& x, const Tensor& W, int64_t s, int64_t p, int64_t op) {
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), Wd = x.size(3);
    const int64_t O = W.size(1), kh = W.size(2), kw = W.size(3);
    const int64_t Ho = (H - 1) * s - 2 * p + kh + op, Wo = (Wd - 1) * s - 2 * p + kw + op;
    const auto xv = x.to_vector(), wv = W.to_vector();
    std::vector<double> y(N * O * Ho * Wo, 0.0);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t a = 0; a < H; ++a)
                for (int64_t bb = 0; bb < Wd; ++bb)
                    for (int64_t o = 0; o < O; ++o)
                        for (int64_t i = 0; i < kh; ++i)
                            for (int64_t j = 0; j < kw; ++j) {
                                const int64_t h = a * s - p + i, w = bb * s - p + j;
                                if (h < 0 || h >= Ho || w < 0 || w >= Wo) continue;
                                y[((n * O + o) * Ho + h) * Wo + w] +=
                                    xv[((n * C + c) * H + a) * Wd + bb] *
                                    wv[((c * O + o) * kh + i) * kw + j];
                            }
    return Tensor::from(y, {N, O, Ho, Wo});
}

void expect_close(const Tensor& a, const Tensor& b, double tol) {
    ASSERT_EQ(a.shape(), b.shape());
    const auto x = a.to_vector(), y = b.to_vector();
    for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], y[i], tol) << "element " << i;
}

struct Case {
    Shape x, w;
    int64_t stride, padding;
};

// The last two cases are large enough to spread chunks of images over threads, the last one with
// a partial chunk (5 images in chunks of 3).
const Case kCases[] = {
    {{2, 3, 5, 4}, {4, 3, 3, 3}, 1, 0},    {{3, 2, 7, 5}, {3, 2, 3, 3}, 2, 1},
    {{2, 2, 4, 6}, {3, 2, 2, 3}, 1, 1},    {{2, 3, 4, 5}, {5, 3, 1, 1}, 1, 0},
    {{2, 1, 9, 7}, {2, 1, 4, 4}, 3, 2},    {{1, 2, 3, 3}, {1, 2, 5, 5}, 1, 2},
    {{16, 8, 10, 9}, {16, 8, 3, 3}, 1, 1}, {{5, 16, 12, 12}, {16, 16, 3, 3}, 1, 1}};

TEST(Conv2d, EqualsDirectSumFloat64) {
    uint64_t seed = 1;
    for (const Case& c : kCases) {
        Generator gen(seed++);
        const Tensor x = randn(c.x, gen, DType::f64), W = randn(c.w, gen, DType::f64);
        const Tensor b = randn({c.w[0]}, gen, DType::f64);
        expect_close(nn::conv2d(x, W, b, {.stride = c.stride, .padding = c.padding}),
                     direct_conv(x, W, b, c.stride, c.padding), 1e-12);
        expect_close(nn::conv2d(x, W, Tensor(), {.stride = c.stride, .padding = c.padding}),
                     direct_conv(x, W, Tensor(), c.stride, c.padding), 1e-12);
    }
}

TEST(Conv2d, EqualsDirectSumFloat32) {
    uint64_t seed = 100;
    for (const Case& c : kCases) {
        Generator gen(seed++);
        const Tensor x = randn(c.x, gen), W = randn(c.w, gen), b = randn({c.w[0]}, gen);
        const Tensor y = nn::conv2d(x, W, b, {.stride = c.stride, .padding = c.padding});
        EXPECT_EQ(y.dtype(), DType::f32);
        // float32 sums of up to C·k² = 72 products of N(0,1) numbers: error ≲ 1e-5 · √72
        expect_close(y, direct_conv(x, W, b, c.stride, c.padding), 1e-4);
    }
}

TEST(Conv2d, EmptyBatchGivesEmptyOutput) {
    const Tensor W = Tensor::ones({4, 3, 3, 3}, DType::f64);
    EXPECT_EQ(
        nn::conv2d(Tensor::zeros({0, 3, 5, 5}, DType::f64), W, Tensor(), {.padding = 1}).shape(),
        Shape({0, 4, 5, 5}));
    EXPECT_EQ(nn::conv_transpose2d(Tensor::zeros({0, 4, 5, 5}, DType::f64), W, Tensor()).shape(),
              Shape({0, 3, 7, 7}));
}

// Chunks of images go to threads dynamically; ∂W must still be summed in a fixed order, so the
// same call gives the same gradient bit for bit.
TEST(Conv2d, WeightGradientIsReproducible) {
    Generator gen(4);
    const Tensor x = randn({32, 8, 12, 12}, gen), seed = randn({32, 16, 12, 12}, gen);
    const Tensor W0 = randn({16, 8, 3, 3}, gen);
    std::vector<std::vector<double>> grads;
    for (int run = 0; run < 4; ++run) {
        Tensor W = W0.clone().requires_grad_();
        nn::conv2d(x, W, Tensor(), {.padding = 1}).backward(seed);
        grads.push_back(W.grad().to_vector());
    }
    for (int run = 1; run < 4; ++run) EXPECT_EQ(grads[run], grads[0]);
}

// Keeping the forward's patches for ∂W (nn::set_conv2d_patch_limit) runs the same GEMMs on the
// same values as recomputing them: every gradient is the same bit for bit.
TEST(Conv2d, KeptPatchesGiveTheSameGradients) {
    uint64_t seed = 200;
    for (const Case& c : kCases) {
        Generator gen(seed++);
        const Tensor x0 = randn(c.x, gen), W0 = randn(c.w, gen), b0 = randn({c.w[0]}, gen);
        std::vector<std::vector<double>> grads[2];
        for (int keep = 0; keep < 2; ++keep) {
            const int64_t previous = nn::set_conv2d_patch_limit(keep ? int64_t{1} << 30 : 0);
            Tensor x = x0.clone().requires_grad_(), W = W0.clone().requires_grad_(),
                   b = b0.clone().requires_grad_();
            const Tensor y = nn::conv2d(x, W, b, {.stride = c.stride, .padding = c.padding});
            (y * y).sum().backward();
            nn::set_conv2d_patch_limit(previous);
            grads[keep] = {x.grad().to_vector(), W.grad().to_vector(), b.grad().to_vector()};
        }
        EXPECT_EQ(grads[1], grads[0]) << "x " << c.x << " W " << c.w;
    }
    EXPECT_THROW(nn::set_conv2d_patch_limit(-1), Error);
}

// conv2d_add(x, W, b, r) = conv2d(x, W, b) + r for a residual r (N, O, Ho, Wo) and a constant
// per image and channel (N, O, 1, 1), on every case (one chunk per image and several), in double.
TEST(Conv2dAdd, EqualsConvPlusAddend) {
    uint64_t seed = 300;
    for (const Case& c : kCases) {
        Generator gen(seed++);
        const Tensor x = randn(c.x, gen, DType::f64), W = randn(c.w, gen, DType::f64);
        const Tensor b = randn({c.w[0]}, gen, DType::f64);
        const Tensor y = nn::conv2d(x, W, b, {.stride = c.stride, .padding = c.padding});
        const Tensor rf = randn(y.shape(), gen, DType::f64);
        const Tensor rs = randn({y.size(0), y.size(1), 1, 1}, gen, DType::f64);
        for (const Tensor& r : {rf, rs})
            expect_close(nn::conv2d_add(x, W, b, r, {.stride = c.stride, .padding = c.padding}),
                         y + r, 1e-12);
    }
    const Tensor x = Tensor::zeros({2, 3, 5, 5}), W = Tensor::zeros({4, 3, 3, 3});
    try {
        nn::conv2d_add(x, W, Tensor(), Tensor::zeros({2, 4, 5, 1}), {.padding = 1});
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("conv2d_add: addend of shape"), std::string::npos)
            << e.what();
    }
}

TEST(Conv2d, AcceptsNonContiguousInput) {
    Generator gen(3);
    const Tensor x = randn({2, 5, 3, 4}, gen, DType::f64).transpose(1, 3);  // (2, 4, 3, 5)
    const Tensor W = randn({3, 4, 3, 3}, gen, DType::f64);
    expect_close(nn::conv2d(x, W, Tensor(), {.padding = 1}),
                 direct_conv(x.contiguous(), W, Tensor(), 1, 1), 1e-12);
}

// <conv(x), z> = <x, convT(z)>: conv_transpose2d with weight W is the adjoint of conv2d with
// the same W, stride and padding (which maps (C_out, Ho, Wo) images to (C_in, H, W) ones).
TEST(ConvTranspose2d, IsTheAdjointOfConv2d) {
    struct T {
        Shape z, w;  // conv_transpose input (N, C_in, H, W), weight (C_in, C_out, k, k)
        int64_t s, p, op;
    };
    const T cases[] = {{{2, 3, 4, 5}, {3, 2, 3, 3}, 1, 0, 0},
                       {{2, 2, 3, 4}, {2, 3, 3, 3}, 2, 1, 1},
                       {{1, 2, 3, 2}, {2, 2, 4, 4}, 2, 1, 0},
                       {{3, 4, 5, 3}, {4, 2, 1, 1}, 1, 0, 0},
                       {{16, 16, 6, 5}, {16, 8, 3, 3}, 2, 1, 1}};
    uint64_t seed = 10;
    for (const T& c : cases) {
        Generator gen(seed++);
        const Tensor z = randn(c.z, gen, DType::f64), W = randn(c.w, gen, DType::f64);
        const Tensor y = nn::conv_transpose2d(
            z, W, Tensor(), {.stride = c.s, .padding = c.p, .output_padding = c.op});
        expect_close(y, direct_conv_transpose(z, W, c.s, c.p, c.op), 1e-12);
        // conv2d maps the output space of convT back to its input space
        const Tensor x = randn(y.shape(), gen, DType::f64);
        const Tensor cx = nn::conv2d(x, W, Tensor(), {.stride = c.s, .padding = c.p});
        ASSERT_EQ(cx.shape(), z.shape());
        const double lhs = sum(cx * z).item(), rhs = sum(x * y).item();
        EXPECT_NEAR(lhs, rhs, 1e-10 * (1 + std::abs(lhs)));
    }
}

TEST(ConvTranspose2d, BiasAddsPerChannel) {
    Generator gen(20);
    const Tensor z = randn({2, 3, 4, 4}, gen, DType::f64), W = randn({3, 2, 3, 3}, gen, DType::f64);
    const Tensor b = Tensor::from({0.5, -2.0}, {2});
    const Tensor y0 = nn::conv_transpose2d(z, W, Tensor()), y1 = nn::conv_transpose2d(z, W, b);
    expect_close(y1 - y0, expand(reshape(b, {1, 2, 1, 1}), y0.shape()).contiguous(), 1e-12);
}

TEST(Conv2dModule, ShapesAndPyTorchInitialization) {
    Generator gen(5);
    nn::Conv2d conv(3, 8, 5, {.stride = 2, .padding = 2, .generator = &gen});
    EXPECT_EQ(conv.weight.shape(), Shape({8, 3, 5, 5}));
    EXPECT_EQ(conv.bias.shape(), Shape({8}));
    EXPECT_EQ(conv.named_parameters().size(), 2u);
    // W, b ~ U(±1/√fan_in), fan_in = 3·5·5 = 75
    const double bound = 1.0 / std::sqrt(75.0);
    for (double v : conv.weight.to_vector()) EXPECT_LE(std::abs(v), bound);
    for (double v : conv.bias.to_vector()) EXPECT_LE(std::abs(v), bound);
    // The variance of U(±a) is a²/3; 600 draws: standard error of the variance ≈ a²/3·√(0.8/600)
    const auto w = conv.weight.to_vector();
    double m2 = 0;
    for (double v : w) m2 += v * v;
    m2 /= static_cast<double>(w.size());
    EXPECT_NEAR(m2, bound * bound / 3, 3 * bound * bound / 3 * std::sqrt(0.8 / 600));
    Generator g2(6);
    const Tensor y = conv(randn({4, 3, 28, 20}, g2));
    EXPECT_EQ(y.shape(), Shape({4, 8, 14, 10}));

    nn::Conv2d plain(2, 4, 3, {.bias = false, .dtype = DType::f64, .generator = &gen});
    EXPECT_FALSE(plain.bias.defined());
    EXPECT_EQ(plain.named_parameters().size(), 1u);
    EXPECT_EQ(plain.weight.dtype(), DType::f64);
}

TEST(ConvTranspose2dModule, DoublesTheImageWithStride2) {
    Generator gen(7);
    nn::ConvTranspose2d up(8, 4, 4, {.stride = 2, .padding = 1, .generator = &gen});
    EXPECT_EQ(up.weight.shape(), Shape({8, 4, 4, 4}));
    // PyTorch's fan_in for a transposed convolution's weight: size(1)·k² = 64
    for (double v : up.weight.to_vector()) EXPECT_LE(std::abs(v), 1.0 / 8.0);
    EXPECT_EQ(up(randn({2, 8, 7, 5}, gen)).shape(), Shape({2, 4, 14, 10}));
}

TEST(Conv2d, BadInputsNameTheProblem) {
    const Tensor x = Tensor::zeros({2, 3, 8, 8}), W = Tensor::zeros({4, 3, 3, 3});
    auto message = [](auto f) {
        try {
            f();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([&] {
                  nn::conv2d(Tensor::zeros({2, 2, 8, 8}), W, Tensor());
              }).find("has 2 channels"),
              std::string::npos);
    EXPECT_NE(message([&] {
                  nn::conv2d(Tensor::zeros({3, 8, 8}), W, Tensor());
              }).find("(N, C, H, W)"),
              std::string::npos);
    EXPECT_NE(message([&] { nn::conv2d(x, W, Tensor::zeros({3})); }).find("bias"),
              std::string::npos);
    EXPECT_NE(message([&] { nn::conv2d(x, W, Tensor(), {.stride = 0}); }).find("stride"),
              std::string::npos);
    EXPECT_NE(message([&] {
                  nn::conv2d(x, Tensor::zeros({4, 3, 9, 9}), Tensor());
              }).find("larger than the input"),
              std::string::npos);
    EXPECT_NE(message([&] { nn::conv2d(x, W.to(DType::f64), Tensor()); }).find("float"),
              std::string::npos);
    EXPECT_NE(message([&] {
                  nn::conv_transpose2d(x, Tensor::zeros({3, 2, 3, 3}), Tensor(),
                                       {.stride = 2, .output_padding = 2});
              }).find("output_padding"),
              std::string::npos);
    EXPECT_NE(message([&] { nn::Conv2d(0, 4, 3); }).find("positive"), std::string::npos);
}

}  // namespace
