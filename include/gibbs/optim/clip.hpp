// Gradient clipping (Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural
// networks", ICML 2013), applied to the parameters' .grad in place between backward() and step().
//   clip_grad_norm:   ‖g‖_p = (Σ_params Σ_i |g_i|^p)^{1/p} over all gradients together
//                     (p = ∞: max |g_i|); if ‖g‖_p > c, every g ← g c / ‖g‖_p, so that the
//                     clipped gradient has norm exactly c (NOTE: PyTorch divides by ‖g‖ + 1e-6).
//   clip_grad_value:  g_i ← min(max(g_i, −c), c).
// Parameters without a gradient are skipped. A non-finite norm throws gibbs::Error naming the
// first parameter whose gradient holds a NaN or an infinity.
#pragma once

#include <limits>
#include <vector>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::optim {

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();

// ‖g‖_p over all gradients, accumulated in float64; p ≥ 1 or kInfNorm.
double grad_norm(const std::vector<Tensor>& params, double p = 2.0);
// Clips to ‖g‖_p ≤ max_norm; returns the norm before clipping.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double p = 2.0);
void clip_grad_value(const std::vector<Tensor>& params, double clip_value);

}  // namespace gibbs::optim
