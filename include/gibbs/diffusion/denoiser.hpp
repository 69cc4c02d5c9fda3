// The network of a diffusion model: an ε-predictor ε_θ(x_t, t) (Ho et al. 2020) that takes a
// noised batch x_t and its integer time steps t ∈ {1, ..., T} and returns the predicted noise,
// shaped like x_t. The MLP for 2-D data and the U-Net for images both derive from Denoiser, so
// training, sampling and the bound (gibbs/diffusion/*.hpp) work with either.
#pragma once

#include <cstdint>

#include "gibbs/nn/module.hpp"

namespace gibbs::diffusion {

class Denoiser : public nn::Module {
  public:
    // x_t (B, ...) float32; t (B) float32 holding the integers 1..T. Returns ε̂ (B, ...).
    virtual Tensor predict(const Tensor& x_t, const Tensor& t) = 0;
};

// The sinusoidal embedding of time steps (Vaswani et al. 2017, as used by Ho et al. 2020):
// t (B) -> (B, dim), dim even, with half = dim/2 and ω_k = 10000^(−k/half), k = 0..half−1,
//   e[b, k] = sin(t_b ω_k),  e[b, half + k] = cos(t_b ω_k).
// A constant of the network's input (no gradient flows into t); float32 like t.
Tensor sinusoidal_embedding(const Tensor& t, int64_t dim);

}  // namespace gibbs::diffusion
