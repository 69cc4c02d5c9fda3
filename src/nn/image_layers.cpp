// The image-layer modules: Conv2d, ConvTranspose2d, BatchNorm1d/2d, GroupNorm, Dropout.
#include <cmath>

#include "gibbs/nn/conv.hpp"
#include "gibbs/nn/norm.hpp"

namespace gibbs::nn {

namespace {
// PyTorch's default for convolutions: W, b ~ U(±1/√fan_in).
void init_conv(Tensor& weight, Tensor* bias, Generator& gen) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in(weight)));
    uniform_(weight, -bound, bound, gen);
    if (bias) uniform_(*bias, -bound, bound, gen);
}
}  // namespace

Conv2d::Conv2d(int64_t in, int64_t out, int64_t kernel, Conv2dOptions o)
    : func_{o.stride, o.padding} {
    check(in > 0 && out > 0 && kernel > 0, "Conv2d: sizes must be positive, got in = ", in,
          ", out = ", out, ", kernel = ", kernel);
    check(o.stride >= 1 && o.padding >= 0, "Conv2d: stride ", o.stride, " and padding ", o.padding,
          " must be ≥ 1 and ≥ 0");
    Generator& gen = o.generator ? *o.generator : default_generator();
    weight = Tensor::empty({out, in, kernel, kernel}, o.dtype);
    if (o.bias) bias = Tensor::empty({out}, o.dtype);
    init_conv(weight, o.bias ? &bias : nullptr, gen);
    register_parameter("weight", weight);
    if (o.bias) register_parameter("bias", bias);
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, func_); }

Tensor Conv2d::forward_add(const Tensor& x, const Tensor& r) {
    return conv2d_add(x, weight, bias, r, func_);
}

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, int64_t kernel, ConvTranspose2dOptions o)
    : func_{o.stride, o.padding, o.output_padding} {
    check(in > 0 && out > 0 && kernel > 0, "ConvTranspose2d: sizes must be positive, got in = ", in,
          ", out = ", out, ", kernel = ", kernel);
    check(o.stride >= 1 && o.padding >= 0 && o.output_padding >= 0 && o.output_padding < o.stride,
          "ConvTranspose2d: need stride ≥ 1, padding ≥ 0, 0 ≤ output_padding < stride; got ",
          o.stride, ", ", o.padding, ", ", o.output_padding);
    Generator& gen = o.generator ? *o.generator : default_generator();
    weight = Tensor::empty({in, out, kernel, kernel}, o.dtype);
    if (o.bias) bias = Tensor::empty({out}, o.dtype);
    init_conv(weight, o.bias ? &bias : nullptr, gen);
    register_parameter("weight", weight);
    if (o.bias) register_parameter("bias", bias);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
    return conv_transpose2d(x, weight, bias, func_);
}

BatchNorm::BatchNorm(int64_t channels, BatchNormOptions options, int dims_lo, int dims_hi,
                     const char* name)
    : options_(options), dims_lo_(dims_lo), dims_hi_(dims_hi), name_(name) {
    check(channels > 0, name, ": channels must be positive, got ", channels);
    check(options.momentum >= 0 && options.momentum <= 1, name,
          ": momentum must be in [0, 1], got ", options.momentum);
    if (options.affine) {
        weight = register_parameter("weight", Tensor::ones({channels}, options.dtype));
        bias = register_parameter("bias", Tensor::zeros({channels}, options.dtype));
    }
    running_mean = register_buffer("running_mean", Tensor::zeros({channels}, options.dtype));
    running_var = register_buffer("running_var", Tensor::ones({channels}, options.dtype));
}

Tensor BatchNorm::forward(const Tensor& x) {
    check(x.dim() >= dims_lo_ && x.dim() <= dims_hi_, name_, ": expected a ",
          dims_lo_ == dims_hi_ ? "4-dimensional" : "2- or 3-dimensional", " input, got ",
          x.shape());
    return batch_norm(
        x, running_mean, running_var, weight, bias,
        {.training = is_training(), .momentum = options_.momentum, .eps = options_.eps});
}

GroupNorm::GroupNorm(int64_t groups, int64_t channels, GroupNormOptions options)
    : groups_(groups), options_(options) {
    check(groups > 0 && channels > 0 && channels % groups == 0, "GroupNorm: ", channels,
          " channels cannot be split into ", groups, " groups");
    if (options.affine) {
        weight = register_parameter("weight", Tensor::ones({channels}, options.dtype));
        bias = register_parameter("bias", Tensor::zeros({channels}, options.dtype));
    }
}

Dropout::Dropout(double p, Generator* generator)
    : p_(p), gen_(generator ? generator : &default_generator()) {
    check(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training(), *gen_); }

}  // namespace gibbs::nn
