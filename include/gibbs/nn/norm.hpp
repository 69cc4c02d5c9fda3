// Normalization and dropout: batch normalization (Ioffe & Szegedy 2015), group normalization
// (Wu & He 2018) and inverted dropout (Srivastava et al. 2014); functions with fused forward and
// backward kernels, and their modules.
//
// Both normalizations compute, over a set S of M elements of x,
//   μ = (1/M) Σ_S x,  σ² = (1/M) Σ_S (x − μ)²,  x̂ = (x − μ)/√(σ² + ε),  y = γ_c x̂ + β_c,
// with the backward (g = ∂L/∂y, sums over S)
//   ∂L/∂x = γ_c/(M√(σ² + ε)) · (M g − Σ g − x̂ Σ g x̂)   (γ constant on S),
//   ∂L/∂γ_c = Σ g x̂,  ∂L/∂β_c = Σ g   (sums over every element of channel c).
// Batch norm: S = one channel over the batch and the image (x is (N, C) or (N, C, ...)).
// Group norm: S = one sample's group of C/G consecutive channels over the image.
#pragma once

#include <cstdint>

#include "gibbs/nn/module.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::nn {

struct BatchNormFuncOptions {
    bool training = true;
    double momentum = 0.1;  // running ← (1 − momentum)·running + momentum·batch statistic
    double eps = 1e-5;
};

// x (N, C) or (N, C, ...). Training: normalizes with the batch statistics and, when the running
// tensors are defined, updates them in place (the variance unbiased, M/(M−1)·σ², as PyTorch
// does). Evaluation: normalizes with running_mean and running_var. gamma and beta (C) may be
// undefined (no affine map).
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& gamma, const Tensor& beta, BatchNormFuncOptions options = {});

// x (N, C, ...), C divisible by `groups`; gamma and beta (C) or undefined.
Tensor group_norm(const Tensor& x, int64_t groups, const Tensor& gamma, const Tensor& beta,
                  double eps = 1e-5);

// silu(group_norm(x, groups, gamma, beta, eps)) in one pass each way: z = γ x̂ + β,
// y = z σ(z), with ∂z = g σ(z)(1 + z(1 − σ(z))) recomputed group by group in the backward
// instead of stored, so neither z nor its gradient is ever a whole tensor.
Tensor group_norm_silu(const Tensor& x, int64_t groups, const Tensor& gamma, const Tensor& beta,
                       double eps = 1e-5);

// Inverted dropout: y = x ⊙ m / (1 − p), m_i ~ Bernoulli(1 − p), so E[y] = x; the identity when
// not training or p = 0. The mask is kept for the backward ∂L/∂x = g ⊙ m / (1 − p).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);

// ---- modules ----

struct BatchNormOptions {
    double momentum = 0.1;
    double eps = 1e-5;
    bool affine = true;  // learnable gamma (ones) and beta (zeros)
    DType dtype = DType::f32;
};

// Batch normalization over (N, C) or (N, C, L) (BatchNorm1d) or (N, C, H, W) (BatchNorm2d);
// buffers running_mean (zeros) and running_var (ones).
class BatchNorm : public Module {
  public:
    Tensor forward(const Tensor& x) override;
    Tensor weight;        // γ (C), undefined without affine
    Tensor bias;          // β (C)
    Tensor running_mean;  // (C)
    Tensor running_var;   // (C)

  protected:
    // Accepts inputs of input_dims_lo to input_dims_hi dimensions; `name` appears in errors.
    BatchNorm(int64_t channels, BatchNormOptions options, int input_dims_lo, int input_dims_hi,
              const char* name);

  private:
    BatchNormOptions options_;
    int dims_lo_, dims_hi_;
    const char* name_;
};

class BatchNorm1d : public BatchNorm {
  public:
    explicit BatchNorm1d(int64_t channels, BatchNormOptions options = {})
        : BatchNorm(channels, options, 2, 3, "BatchNorm1d") {}
};

class BatchNorm2d : public BatchNorm {
  public:
    explicit BatchNorm2d(int64_t channels, BatchNormOptions options = {})
        : BatchNorm(channels, options, 4, 4, "BatchNorm2d") {}
};

struct GroupNormOptions {
    double eps = 1e-5;
    bool affine = true;
    DType dtype = DType::f32;
};

class GroupNorm : public Module {
  public:
    GroupNorm(int64_t groups, int64_t channels, GroupNormOptions options = {});
    Tensor forward(const Tensor& x) override {
        return group_norm(x, groups_, weight, bias, options_.eps);
    }
    // silu(forward(x)), fused (group_norm_silu).
    Tensor forward_silu(const Tensor& x) {
        return group_norm_silu(x, groups_, weight, bias, options_.eps);
    }
    Tensor weight;  // γ (C)
    Tensor bias;    // β (C)

  private:
    int64_t groups_;
    GroupNormOptions options_;
};

// Inverted dropout with probability p while training; the identity in evaluation.
class Dropout : public Module {
  public:
    explicit Dropout(double p = 0.5, Generator* generator = nullptr);
    Tensor forward(const Tensor& x) override;

  private:
    double p_;
    Generator* gen_;
};

}  // namespace gibbs::nn
