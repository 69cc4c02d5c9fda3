// A small U-Net ε-predictor for images (Ronneberger et al. 2015, in the form of Ho et al. 2020,
// "Denoising diffusion probabilistic models", appendix B), for 28×28 Fashion-MNIST by default.
//
// Letters: B batch, C channels, H×W an image, c_i = base·multipliers[i] the channels of level i,
// D = time_dim. With levels i = 0..K−1 at resolutions H/2^i (28 → 14 → 7 for K = 3):
//
//   time:   e = Linear(SiLU(Linear(sinusoidal(t, D))))                         (B, D)
//   in:     h = Conv3×3(x_t)                                                    (B, c_0, H, W)
//   down:   level i: `blocks` ResBlocks to c_i, each output kept as a skip;
//           then, below the last level, Conv3×3 with stride 2 (H → H/2)
//   middle: ResBlock, [self-attention], ResBlock at the lowest resolution
//   up:     level i = K−1..0: `blocks` ResBlocks, each on cat(h, skip) along the channels
//           (the skips taken in reverse order), to c_i; then, above level 0, nearest-neighbour
//           upsampling ×2 followed by Conv3×3
//   out:    ε̂ = Conv3×3(SiLU(GroupNorm(h)))                                     (B, C, H, W)
//
// ResBlock(x, e), x (B, Cin, H, W) -> (B, Cout, H, W):
//   h = Conv3×3(SiLU(GroupNorm(x))) + Linear(SiLU(e))[:, :, None, None]   (the time step added
//       per channel)
//   h = Conv3×3(SiLU(GroupNorm(h)))
//   return h + S x, S = Conv1×1 when Cin ≠ Cout, else the identity.
// Self-attention (one head, Vaswani et al. 2017) on the L = H·W positions of h (B, C, H, W):
//   q, k, v = Conv1×1(GroupNorm(h)) split into three (B, C, L);
//   A = softmax_rows(qᵀ k / √C) (B, L, L);  return h + Conv1×1(v Aᵀ).
// All weights start as PyTorch's defaults (U(±1/√fan_in)), GroupNorm as γ = 1, β = 0.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::diffusion {

struct UNetOptions {
    int64_t in_channels = 1;                    // C of the images
    int64_t base_channels = 32;                 // c_0
    std::vector<int64_t> multipliers{1, 2, 2};  // c_i = base·multipliers[i]; K = size() levels
    int64_t blocks = 1;                         // ResBlocks per level on the way down (and up)
    int64_t groups = 8;                         // GroupNorm groups; divides every channel count
    int64_t time_dim = 128;                     // D: sinusoidal embedding and time MLP width
    bool attention = false;                     // self-attention in the middle (lowest resolution)
    DType dtype = DType::f32;
    Generator* generator = nullptr;  // nullptr: the default generator
};

// ResBlock(x, e) of the file's opening comment; e is SiLU of the time embedding, (B, D).
class ResBlock : public nn::Module {
  public:
    ResBlock(int64_t in, int64_t out, int64_t time_dim, int64_t groups, DType dtype,
             Generator& gen);
    Tensor forward(const Tensor& x, const Tensor& e);

  private:
    std::shared_ptr<nn::GroupNorm> norm1_, norm2_;
    std::shared_ptr<nn::Conv2d> conv1_, conv2_, skip_;  // skip_ null when in == out
    std::shared_ptr<nn::Linear> time_;
};

// One-head self-attention over the positions of an image, with a residual connection.
class SelfAttention : public nn::Module {
  public:
    SelfAttention(int64_t channels, int64_t groups, DType dtype, Generator& gen);
    Tensor forward(const Tensor& x) override;

  private:
    std::shared_ptr<nn::GroupNorm> norm_;
    std::shared_ptr<nn::Conv2d> qkv_, proj_;
};

class UNet : public Denoiser {
  public:
    explicit UNet(UNetOptions options = {});
    // x_t (B, C, H, W) with H and W divisible by 2^(K−1); t (B) the steps 1..T -> ε̂ like x_t.
    Tensor predict(const Tensor& x_t, const Tensor& t) override;
    const UNetOptions& options() const { return options_; }

  private:
    UNetOptions options_;
    std::shared_ptr<nn::Linear> time1_, time2_;
    std::shared_ptr<nn::Conv2d> in_;
    std::vector<std::shared_ptr<ResBlock>> down_, up_;  // level-major: level i, block j
    std::vector<std::shared_ptr<nn::Conv2d>> downsample_, upsample_;  // K − 1 each
    std::shared_ptr<ResBlock> mid1_, mid2_;
    std::shared_ptr<SelfAttention> attention_;  // null without attention
    std::shared_ptr<nn::GroupNorm> out_norm_;
    std::shared_ptr<nn::Conv2d> out_;
};

// Conv3×3 with padding 1 of the nearest-neighbour upsampling ×2 of x (N, C, H, W), W (O, C, 3, 3),
// b (O) -> (N, O, 2H, 2W), computed as four 2×2 convolutions on x itself (one per output phase,
// their kernels sums of W's taps): 16 instead of 36 multiply-adds per C·O·H·W.
Tensor upsample_conv3x3(const Tensor& x, const Tensor& W, const Tensor& b);

// The four phases of upsample_conv3x3 put in place: Y (N, 4O, H+1, W+1) holds phase (p, q) in
// channels (2p + q)·O.. at rows i + p, columns j + q; y (N, O, 2H, 2W) with
// y[n, o, 2i + p, 2j + q] = Y[n, (2p + q)·O + o, i + p, j + q]. One copy each way (forward and
// backward) instead of the narrow/cat chain's several.
Tensor interleave_phases(const Tensor& Y, int64_t O, int64_t H, int64_t W);

// The architecture as JSON, {"type": "unet", "in_channels": 1, "base_channels": 32, ...}
// (dtype and generator are not part of it), and a U-Net rebuilt from such JSON; missing keys
// take UNetOptions' defaults, unknown keys or bad values give an error naming them.
nlohmann::json to_json(const UNetOptions& options);
UNetOptions unet_options_from_json(const nlohmann::json& config);
std::shared_ptr<Denoiser> make_unet(const nlohmann::json& config, Generator* generator = nullptr);

// The options for channels per level as `gibbs train ddpm --channels 32,64,64` gives them:
// base = channels[0], multipliers = channels[i]/base (each a multiple of base), groups =
// gcd(8, channels...), time_dim = 4·base.
UNetOptions unet_options_for_channels(const std::vector<int64_t>& channels, int64_t in_channels);

}  // namespace gibbs::diffusion
