// Image layers in NCHW layout: 2-D convolution and its transpose, max and average pooling,
// nearest-neighbour upsampling; each a function with fused forward and backward kernels and a
// module around it.
//
// Letters: N batch, C input channels, O output channels, H×W an image, kh×kw a kernel,
// s stride, p padding, Ho×Wo the output image, L = Ho·Wo.
//
// Convolution (cross-correlation, as in PyTorch and every deep-learning library):
//   y[n,o,a,b] = b[o] + Σ_{c,i,j} W[o,c,i,j] · x[n,c, a·s − p + i, b·s − p + j]   (zero outside)
//   Ho = ⌊(H + 2p − kh) / s⌋ + 1.
// Computed as im2col + GEMM (Chellapilla, Puri & Simard 2006): the patches of one image form a
// (C·kh·kw, L) matrix X_n, and y_n (O, L) = W (O, C·kh·kw) · X_n. Backward:
//   ∂L/∂W = Σ_n G_n X_nᵀ,  ∂L/∂x_n = col2im(Wᵀ G_n),  ∂L/∂b = Σ_{n,a,b} G.
// The transposed convolution is the adjoint map x ↦ col2im(Wᵀ x) (the input-gradient of a
// convolution), with W of shape (C_in, C_out, kh, kw) as in PyTorch and
//   Ho = (H − 1)·s − 2p + kh + output_padding.
#pragma once

#include <cstdint>

#include "gibbs/nn/init.hpp"
#include "gibbs/nn/module.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::nn {

struct Conv2dFuncOptions {
    int64_t stride = 1;
    int64_t padding = 0;
};

// x (N, C, H, W), W (O, C, kh, kw), b (O) or undefined -> (N, O, Ho, Wo).
Tensor conv2d(const Tensor& x, const Tensor& W, const Tensor& b, Conv2dFuncOptions options = {});

// y = conv2d(x, W, b) + r, with r of the output's shape (N, O, Ho, Wo) (a residual connection) or
// (N, O, 1, 1) (a constant per image and channel, e.g. a time embedding): the same sum, formed
// while the convolution writes y, without a pass of its own. ∂r = ∂y, or its sums over (Ho, Wo).
Tensor conv2d_add(const Tensor& x, const Tensor& W, const Tensor& b, const Tensor& r,
                  Conv2dFuncOptions options = {});

// Memory for speed in training: when the weight needs a gradient, conv2d can keep the im2col
// patches X_n of its forward, N·C·kh·kw·Ho·Wo elements, for the backward's ∂W = Σ_n G_n X_nᵀ,
// when they take at most this many bytes per call; otherwise the backward recomputes them. The
// results are the same either way. Default 0 (never kept): on a 2-core EPYC VM the U-Net step
// ran 5–25 % slower with them kept (writing and re-reading them through memory costs more than
// recomputing them in cache; docs/diffusion_images.md). Returns the previous limit.
int64_t set_conv2d_patch_limit(int64_t bytes);

struct ConvTranspose2dFuncOptions {
    int64_t stride = 1;
    int64_t padding = 0;
    int64_t output_padding = 0;  // extra rows/columns at the bottom/right, < stride
};

// x (N, C_in, H, W), W (C_in, C_out, kh, kw), b (C_out) or undefined -> (N, C_out, Ho, Wo).
Tensor conv_transpose2d(const Tensor& x, const Tensor& W, const Tensor& b,
                        ConvTranspose2dFuncOptions options = {});

struct Pool2dOptions {
    int64_t kernel = 2;
    int64_t stride = 0;  // 0: the kernel size
    int64_t padding = 0;
};

// y[n,c,a,b] = max over the window; the gradient goes to the (first) maximal element.
// Padding counts as −∞. Ho = ⌊(H + 2p − k) / s⌋ + 1.
Tensor max_pool2d(const Tensor& x, Pool2dOptions options = {});
// y[n,c,a,b] = (1/k²) Σ over the window, padding counting as zeros (PyTorch's default).
Tensor avg_pool2d(const Tensor& x, Pool2dOptions options = {});
// y[n,c,h,w] = x[n,c,⌊h/s⌋,⌊w/s⌋] for an integer scale s; backward sums each s×s block.
Tensor upsample_nearest2d(const Tensor& x, int64_t scale);

// ---- modules ----

struct Conv2dOptions {
    int64_t stride = 1;
    int64_t padding = 0;
    bool bias = true;
    DType dtype = DType::f32;
    Generator* generator = nullptr;  // nullptr: the default generator
};

// PyTorch's default initialization: W, b ~ U(−1/√fan_in, 1/√fan_in), fan_in = C·kh·kw
// (kaiming_uniform with a = √5).
class Conv2d : public Module {
  public:
    Conv2d(int64_t in, int64_t out, int64_t kernel, Conv2dOptions options = {});
    Tensor forward(const Tensor& x) override;
    // conv2d_add with this layer's weights: forward(x) + r, r (N, O, Ho, Wo) or (N, O, 1, 1).
    Tensor forward_add(const Tensor& x, const Tensor& r);
    Tensor weight;  // (O, C, k, k)
    Tensor bias;    // (O), undefined without bias

  private:
    Conv2dFuncOptions func_;
};

struct ConvTranspose2dOptions {
    int64_t stride = 1;
    int64_t padding = 0;
    int64_t output_padding = 0;
    bool bias = true;
    DType dtype = DType::f32;
    Generator* generator = nullptr;
};

// Initialized as PyTorch does: U(±1/√fan_in) with fan_in = C_out·k·k (weight.size(1)·k²).
class ConvTranspose2d : public Module {
  public:
    ConvTranspose2d(int64_t in, int64_t out, int64_t kernel, ConvTranspose2dOptions options = {});
    Tensor forward(const Tensor& x) override;
    Tensor weight;  // (C_in, C_out, k, k)
    Tensor bias;    // (C_out)

  private:
    ConvTranspose2dFuncOptions func_;
};

class MaxPool2d : public Module {
  public:
    explicit MaxPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0)
        : options_{kernel, stride, padding} {}
    Tensor forward(const Tensor& x) override { return max_pool2d(x, options_); }

  private:
    Pool2dOptions options_;
};

class AvgPool2d : public Module {
  public:
    explicit AvgPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0)
        : options_{kernel, stride, padding} {}
    Tensor forward(const Tensor& x) override { return avg_pool2d(x, options_); }

  private:
    Pool2dOptions options_;
};

// Nearest-neighbour upsampling by an integer factor.
class Upsample : public Module {
  public:
    explicit Upsample(int64_t scale) : scale_(scale) {}
    Tensor forward(const Tensor& x) override { return upsample_nearest2d(x, scale_); }

  private:
    int64_t scale_;
};

}  // namespace gibbs::nn
