// Layer 3 functions: the fused linear layer, softmax and log-softmax, losses and penalties.
// Each fused op has its own forward and backward kernel for speed and is tested against the
// composition of primitive ops (tests/nn/functional_test.cpp) and against finite differences.
#pragma once

#include <cstdint>
#include <vector>

#include "gibbs/autograd/ops.hpp"

namespace gibbs::nn {

// y = x Wᵀ + b with W of shape (out, in) and b of shape (out) (b may be undefined); x is
// (..., in). One GEMM forward; backward: ∂L/∂x = G W, ∂L/∂W = Gᵀ x, ∂L/∂b = Σ_rows G.
Tensor linear(const Tensor& x, const Tensor& W, const Tensor& b);

// softmax(x)ᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m}, m = max x, along `axis`.
Tensor softmax(const Tensor& x, int axis = -1);
// log_softmax(x) = x − logsumexp(x) along `axis`.
Tensor log_softmax(const Tensor& x, int axis = -1);

// Mean squared error (1/n) Σ (pred − target)².
Tensor mse_loss(const Tensor& pred, const Tensor& target);
// Mean of −[y log σ(z) + (1 − y) log(1 − σ(z))] = mean(softplus(z) − y z), stable for any z.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);
// Mean over rows of −log softmax(logits)[label], logits (N, C), labels class indices (N).
// Fused: one pass forward, backward (softmax − onehot)/N.
Tensor cross_entropy(const Tensor& logits, const std::vector<int64_t>& labels);
// The same with labels held in a tensor of integer values (any dtype), shape (N).
Tensor cross_entropy(const Tensor& logits, const Tensor& labels);

// λ Σ |θ| and λ Σ θ² over the given parameters.
Tensor l1_penalty(const std::vector<Tensor>& params, double lambda);
Tensor l2_penalty(const std::vector<Tensor>& params, double lambda);

}  // namespace gibbs::nn
