// The U-Net ε-predictor (equations in gibbs/diffusion/unet.hpp).
#include "gibbs/diffusion/unet.hpp"

#include <cmath>
#include <numeric>
#include <string>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/tensor/error.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs::diffusion {

namespace {

std::shared_ptr<nn::Conv2d> conv(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                 DType dtype, Generator& gen) {
    return std::make_shared<nn::Conv2d>(
        in, out, kernel,
        nn::Conv2dOptions{
            .stride = stride, .padding = kernel / 2, .dtype = dtype, .generator = &gen});
}

std::shared_ptr<nn::GroupNorm> norm(int64_t groups, int64_t channels, DType dtype) {
    return std::make_shared<nn::GroupNorm>(groups, channels, nn::GroupNormOptions{.dtype = dtype});
}

}  // namespace

// Along one axis, u = upsample×2(x) has u[2i + p] = x[i], so a 3-tap kernel w (padding 1) gives
//   y[2i]     = w₀ x[i−1] + (w₁ + w₂) x[i]        (phase p = 0: taps [w₀, w₁ + w₂] on x[i−1..i])
//   y[2i + 1] = (w₀ + w₁) x[i] + w₂ x[i+1]        (phase p = 1: taps [w₀ + w₁, w₂] on x[i..i+1]).
// In 2-D the four phases (p, q) are 2×2 kernels, stacked into one (4O, C, 2, 2) convolution of x
// with padding 1, whose (H+1)×(W+1) output holds phase (p, q) at rows i + p, columns j + q.
Tensor upsample_conv3x3(const Tensor& x, const Tensor& W, const Tensor& b) {
    check(x.dim() == 4 && W.dim() == 4 && W.size(2) == 3 && W.size(3) == 3,
          "upsample_conv3x3: x must be (N, C, H, W) and W (O, C, 3, 3), got ", x.shape(), " and ",
          W.shape());
    check(b.defined() && b.dim() == 1 && b.size(0) == W.size(0), "upsample_conv3x3: bias (",
          W.size(0), ") required, got ", b.defined() ? b.shape() : Shape{});
    const int64_t O = W.size(0), H = x.size(2), Wd = x.size(3);
    auto fold = [](const Tensor& w, int axis) {  // 3 taps along axis -> the two phases' 2 taps
        const Tensor w0 = w.narrow(axis, 0, 1), w1 = w.narrow(axis, 1, 1),
                     w2 = w.narrow(axis, 2, 1);
        return std::pair{cat({w0, w1 + w2}, axis), cat({w0 + w1, w2}, axis)};
    };
    const auto [r0, r1] = fold(W, 2);  // (O, C, 2, 3)
    const auto [k00, k01] = fold(r0, 3);
    const auto [k10, k11] = fold(r1, 3);  // (O, C, 2, 2)
    const Tensor Y = nn::conv2d(x, cat({k00, k01, k10, k11}, 0), cat({b, b, b, b}, 0),
                                {.stride = 1, .padding = 1});  // (N, 4O, H+1, W+1)
    return interleave_phases(Y, O, H, Wd);
}

namespace {

// y[n, o, 2i + p, 2j + q] = Y[n, (2p + q)·O + o, i + p, j + q] for Y (N, 4O, H+1, W+1), y's
// element (n, o, 2i + p, ·) one row of Y's phase (p, 0) and (p, 1) interleaved. The adjoint puts
// each element of ∂y back in its place and zeros the rest (each phase skips one row and column).
template <typename T>
void interleave_rows(const T* Y, T* y, int64_t N, int64_t O, int64_t H, int64_t W) {
    const int64_t plane = (H + 1) * (W + 1);
#pragma omp parallel for schedule(static) if (N * O > 1 && \
                                              gibbs::detail::use_threads(N * O * 4 * H * W))
    for (int64_t no = 0; no < N * O; ++no) {
        const int64_t n = no / O, o = no % O;
        T* out = y + no * 4 * H * W;
        for (int64_t p = 0; p < 2; ++p) {
            const T* a = Y + ((n * 4 + 2 * p) * O + o) * plane + p * (W + 1);
            const T* b = Y + ((n * 4 + 2 * p + 1) * O + o) * plane + p * (W + 1) + 1;
            for (int64_t i = 0; i < H; ++i) {
                T* row = out + (2 * i + p) * 2 * W;
                const T *ra = a + i * (W + 1), *rb = b + i * (W + 1);
                for (int64_t j = 0; j < W; ++j) row[2 * j] = ra[j], row[2 * j + 1] = rb[j];
            }
        }
    }
}

template <typename T>
void deinterleave_rows(const T* g, T* gY, int64_t N, int64_t O, int64_t H, int64_t W) {
    const int64_t plane = (H + 1) * (W + 1);
#pragma omp parallel for schedule(static) if (N * O > 1 && \
                                              gibbs::detail::use_threads(N * O * 4 * H * W))
    for (int64_t no = 0; no < N * O; ++no) {
        const int64_t n = no / O, o = no % O;
        const T* in = g + no * 4 * H * W;
        for (int64_t p = 0; p < 2; ++p) {
            T* a = gY + ((n * 4 + 2 * p) * O + o) * plane;
            T* b = gY + ((n * 4 + 2 * p + 1) * O + o) * plane;
            std::fill(a, a + plane, T(0));
            std::fill(b, b + plane, T(0));
            a += p * (W + 1), b += p * (W + 1) + 1;
            for (int64_t i = 0; i < H; ++i) {
                const T* row = in + (2 * i + p) * 2 * W;
                T *ra = a + i * (W + 1), *rb = b + i * (W + 1);
                for (int64_t j = 0; j < W; ++j) ra[j] = row[2 * j], rb[j] = row[2 * j + 1];
            }
        }
    }
}

}  // namespace

Tensor interleave_phases(const Tensor& Y_in, int64_t O, int64_t H, int64_t W) {
    check(
        Y_in.dim() == 4 && Y_in.size(1) == 4 * O && Y_in.size(2) == H + 1 && Y_in.size(3) == W + 1,
        "interleave_phases: expected (N, ", 4 * O, ", ", H + 1, ", ", W + 1, "), got ",
        Y_in.shape());
    const int64_t N = Y_in.size(0);
    const Tensor Y = Y_in.contiguous();
    Tensor y = Tensor::empty({N, O, 2 * H, 2 * W}, Y.dtype());
    dispatch(Y.dtype(),
             [&]<typename T>() { interleave_rows<T>(Y.data<T>(), y.data<T>(), N, O, H, W); });
    if (!autograd::needs_grad(Y_in)) return y;
    return autograd::record(
        y, {Y_in},
        [N, O, H, W, shape = Y.shape()](const Tensor& g_in) -> autograd::Grads {
            const Tensor g = g_in.contiguous();
            Tensor gY = Tensor::empty(shape, g.dtype());
            dispatch(g.dtype(), [&]<typename T>() {
                deinterleave_rows<T>(g.data<T>(), gY.data<T>(), N, O, H, W);
            });
            return {gY};
        },
        "interleave_phases");
}

ResBlock::ResBlock(int64_t in, int64_t out, int64_t time_dim, int64_t groups, DType dtype,
                   Generator& gen) {
    norm1_ = register_module("norm1", norm(groups, in, dtype));
    conv1_ = register_module("conv1", conv(in, out, 3, 1, dtype, gen));
    time_ = register_module(
        "time", std::make_shared<nn::Linear>(time_dim, out,
                                             nn::LinearOptions{.dtype = dtype, .generator = &gen}));
    norm2_ = register_module("norm2", norm(groups, out, dtype));
    conv2_ = register_module("conv2", conv(out, out, 3, 1, dtype, gen));
    if (in != out) skip_ = register_module("skip", conv(in, out, 1, 1, dtype, gen));
}

Tensor ResBlock::forward(const Tensor& x, const Tensor& e) {
    // The time step is added per channel and the skip at the end, each inside its convolution.
    const int64_t B = x.size(0), out = conv1_->weight.size(0);
    const Tensor h = conv1_->forward_add(norm1_->forward_silu(x),
                                         (*time_)(e).reshape({B, out, 1, 1}));  // (B, out, H, W)
    return conv2_->forward_add(norm2_->forward_silu(h), skip_ ? (*skip_)(x) : x);
}

SelfAttention::SelfAttention(int64_t channels, int64_t groups, DType dtype, Generator& gen) {
    norm_ = register_module("norm", norm(groups, channels, dtype));
    qkv_ = register_module("qkv", conv(channels, 3 * channels, 1, 1, dtype, gen));
    proj_ = register_module("proj", conv(channels, channels, 1, 1, dtype, gen));
}

Tensor SelfAttention::forward(const Tensor& x) {
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), L = H * W;
    const Tensor qkv = (*qkv_)((*norm_)(x)).reshape({B, 3 * C, L});
    const Tensor q = qkv.narrow(1, 0, C), k = qkv.narrow(1, C, C), v = qkv.narrow(1, 2 * C, C);
    const Tensor A =
        nn::softmax(q.transpose(1, 2).matmul(k) / std::sqrt(double(C)), -1);  // (B,L,L)
    const Tensor out = v.matmul(A.transpose(1, 2)).reshape({B, C, H, W});
    return x + (*proj_)(out);
}

UNet::UNet(UNetOptions o) : options_(std::move(o)) {
    const UNetOptions& op = options_;
    const int64_t K = static_cast<int64_t>(op.multipliers.size());
    check(op.in_channels > 0, "UNet: in_channels must be positive, got ", op.in_channels);
    check(op.base_channels > 0, "UNet: base_channels must be positive, got ", op.base_channels);
    check(K >= 1, "UNet: multipliers must list at least one level");
    check(op.blocks >= 1, "UNet: blocks must be at least 1, got ", op.blocks);
    check(op.groups >= 1, "UNet: groups must be at least 1, got ", op.groups);
    check(op.time_dim >= 2 && op.time_dim % 2 == 0, "UNet: time_dim must be even and >= 2, got ",
          op.time_dim);
    for (int64_t m : op.multipliers)
        check(m >= 1 && (op.base_channels * m) % op.groups == 0, "UNet: level channels ",
              op.base_channels, "·", m, " must be positive and divisible by groups = ", op.groups);
    Generator& gen = op.generator ? *op.generator : default_generator();
    const DType dt = op.dtype;
    const int64_t D = op.time_dim;
    const nn::LinearOptions lin{.dtype = dt, .generator = &gen};
    time1_ = register_module("time1", std::make_shared<nn::Linear>(D, D, lin));
    time2_ = register_module("time2", std::make_shared<nn::Linear>(D, D, lin));
    in_ = register_module("in", conv(op.in_channels, op.base_channels, 3, 1, dt, gen));

    std::vector<int64_t> skips;  // the channels of each skip, in the order taken
    int64_t ch = op.base_channels;
    for (int64_t i = 0; i < K; ++i) {
        const int64_t ci = op.base_channels * op.multipliers[i];
        for (int64_t j = 0; j < op.blocks; ++j) {
            const std::string name = "down." + std::to_string(i) + "." + std::to_string(j);
            down_.push_back(
                register_module(name, std::make_shared<ResBlock>(ch, ci, D, op.groups, dt, gen)));
            ch = ci;
            skips.push_back(ch);
        }
        if (i + 1 < K)
            downsample_.push_back(
                register_module("downsample." + std::to_string(i), conv(ch, ch, 3, 2, dt, gen)));
    }
    mid1_ = register_module("mid1", std::make_shared<ResBlock>(ch, ch, D, op.groups, dt, gen));
    if (op.attention)
        attention_ =
            register_module("attention", std::make_shared<SelfAttention>(ch, op.groups, dt, gen));
    mid2_ = register_module("mid2", std::make_shared<ResBlock>(ch, ch, D, op.groups, dt, gen));
    for (int64_t i = K - 1; i >= 0; --i) {
        const int64_t ci = op.base_channels * op.multipliers[i];
        for (int64_t j = 0; j < op.blocks; ++j) {
            const std::string name = "up." + std::to_string(i) + "." + std::to_string(j);
            const int64_t in = ch + skips.back();
            skips.pop_back();
            up_.push_back(
                register_module(name, std::make_shared<ResBlock>(in, ci, D, op.groups, dt, gen)));
            ch = ci;
        }
        if (i > 0)
            upsample_.push_back(
                register_module("upsample." + std::to_string(i), conv(ch, ch, 3, 1, dt, gen)));
    }
    out_norm_ = register_module("out_norm", norm(op.groups, ch, dt));
    out_ = register_module("out", conv(ch, op.in_channels, 3, 1, dt, gen));
}

Tensor UNet::predict(const Tensor& x_t, const Tensor& t) {
    const UNetOptions& op = options_;
    const int64_t K = static_cast<int64_t>(op.multipliers.size());
    const int64_t scale = int64_t{1} << (K - 1);
    check(x_t.dim() == 4 && x_t.size(1) == op.in_channels, "UNet: x_t must be (B, ", op.in_channels,
          ", H, W), got ", x_t.shape());
    check(x_t.size(2) % scale == 0 && x_t.size(3) % scale == 0, "UNet: an image of ", x_t.size(2),
          "x", x_t.size(3), " cannot be halved ", K - 1, " times (", K,
          " levels); H and W must be divisible by ", scale);
    check(t.dim() == 1 && t.size(0) == x_t.size(0), "UNet: t must be (B) = (", x_t.size(0),
          "), got ", t.shape());
    // e = SiLU(time MLP(sinusoidal(t))), shared by every block                      (B, D)
    const Tensor e =
        silu((*time2_)(silu((*time1_)(sinusoidal_embedding(t.to(op.dtype), op.time_dim)))));

    Tensor h = (*in_)(x_t);
    std::vector<Tensor> skips;
    for (int64_t i = 0, b = 0; i < K; ++i) {
        for (int64_t j = 0; j < op.blocks; ++j) {
            h = down_[b++]->forward(h, e);
            skips.push_back(h);
        }
        if (i + 1 < K) h = (*downsample_[i])(h);
    }
    h = mid1_->forward(h, e);
    if (attention_) h = (*attention_)(h);
    h = mid2_->forward(h, e);
    for (int64_t i = K - 1, b = 0, u = 0; i >= 0; --i) {
        for (int64_t j = 0; j < op.blocks; ++j) {
            h = up_[b++]->forward(cat({h, skips.back()}, 1), e);
            skips.pop_back();
        }
        if (i > 0) {  // Conv3×3(upsample×2(h)), computed on h directly
            const nn::Conv2d& c = *upsample_[u++];
            h = upsample_conv3x3(h, c.weight, c.bias);
        }
    }
    return (*out_)(out_norm_->forward_silu(h));
}

nlohmann::json to_json(const UNetOptions& o) {
    return {{"type", "unet"},
            {"in_channels", o.in_channels},
            {"base_channels", o.base_channels},
            {"multipliers", o.multipliers},
            {"blocks", o.blocks},
            {"groups", o.groups},
            {"time_dim", o.time_dim},
            {"attention", o.attention}};
}

UNetOptions unet_options_from_json(const nlohmann::json& config) {
    check(config.is_object(), "UNet config: expected a JSON object, got ", config.dump());
    UNetOptions o;
    auto integer = [&](const std::string& key, int64_t& out) {
        const auto& v = config.at(key);
        check(v.is_number_integer(), "UNet config: \"", key, "\" must be an integer, got ",
              v.dump());
        out = v.get<int64_t>();
    };
    for (const auto& [key, v] : config.items()) {
        if (key == "type")
            check(v == "unet", "UNet config: \"type\" must be \"unet\", got ", v.dump());
        else if (key == "in_channels")
            integer(key, o.in_channels);
        else if (key == "base_channels")
            integer(key, o.base_channels);
        else if (key == "blocks")
            integer(key, o.blocks);
        else if (key == "groups")
            integer(key, o.groups);
        else if (key == "time_dim")
            integer(key, o.time_dim);
        else if (key == "attention") {
            check(v.is_boolean(), "UNet config: \"attention\" must be true or false, got ",
                  v.dump());
            o.attention = v.get<bool>();
        } else if (key == "multipliers") {
            check(v.is_array() && !v.empty(),
                  "UNet config: \"multipliers\" must be a non-empty array, got ", v.dump());
            o.multipliers.clear();
            for (const auto& m : v) {
                check(m.is_number_integer(),
                      "UNet config: \"multipliers\" must hold integers, got ", v.dump());
                o.multipliers.push_back(m.get<int64_t>());
            }
        } else {
            fail("UNet config: unknown key \"", key, "\"");
        }
    }
    return o;
}

UNetOptions unet_options_for_channels(const std::vector<int64_t>& channels, int64_t in_channels) {
    check(!channels.empty() && channels[0] > 0,
          "UNet: channels per level must be a non-empty list of positive sizes");
    UNetOptions o{.in_channels = in_channels, .base_channels = channels[0], .multipliers = {}};
    int64_t groups = 8;
    for (int64_t c : channels) {
        check(c > 0 && c % channels[0] == 0,
              "UNet: channels per level must be multiples of the "
              "first, ",
              channels[0], ", got ", c);
        o.multipliers.push_back(c / channels[0]);
        groups = std::gcd(groups, c);
    }
    o.groups = groups;
    o.time_dim = 4 * channels[0];
    return o;
}

std::shared_ptr<Denoiser> make_unet(const nlohmann::json& config, Generator* generator) {
    UNetOptions o = unet_options_from_json(config);
    o.generator = generator;
    return std::make_shared<UNet>(std::move(o));
}

}  // namespace gibbs::diffusion
