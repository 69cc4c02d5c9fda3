// Drawing from a trained diffusion model: the reverse process from x_T ~ N(0, I).
//
// Ancestral DDPM sampling (Ho et al. 2020, Algorithm 2), t = T, ..., 1:
//   x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t,   ε̂ = ε_θ(x_t, t)
//   x_{t−1} = μ_θ + σ_t z,  μ_θ = c0_t x̂_0 + ct_t x_t = (x_t − β_t/√(1 − ᾱ_t) ε̂) / √α_t,
//   z ~ N(0, I) for t > 1 and z = 0 at t = 1, with σ_t² = β_t ("ddpm") or β̃_t ("ddpm-tilde").
// DDIM (Song, Meng & Ermon 2021, eq. 12) on K evenly spaced steps τ_i = 1 + ⌊(i − 1) T / K⌋
// (their code's spacing: 1, 21, ..., 981 for T = 1000, K = 50), i = K, ..., 1, with τ_0 = 0
// (ᾱ_0 = 1), from t = τ_i to s = τ_{i−1}:
//   σ = η √((1 − ᾱ_s)/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_s),
//   x_s = √ᾱ_s x̂_0 + √(1 − ᾱ_s − σ²) ε̂ + σ z;  η = 0 is deterministic, η = 1 with K = T is DDPM
//   with σ_t² = β̃_t.
// With clip > 0 the predicted x̂_0 is clamped to [−clip, clip] before it is used (images on
// [−1, 1]: clip = 1, as in Ho et al.'s code); then the DDPM mean is c0_t x̂_0 + ct_t x_t.
// NOTE: the spacing starts DDIM at τ_K = T − T/K + 1 rather than T. With the cosine schedule
// ᾱ_T ≈ 2e-9 (β_T clipped at 0.999), and a first step from T would multiply the network's error
// in ε̂ by √(ᾱ_s/ᾱ_T) ≈ 600; from ᾱ_981 ≈ 1e-3 the factor is ~30 and the samples stay sound.
// The arithmetic of the updates is float64; the network sees float32 x_t.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/diffusion/schedule.hpp"

namespace gibbs::diffusion {

struct SamplerOptions {
    std::string sampler = "ddpm";  // "ddpm", "ddpm-tilde" or "ddim"
    int64_t steps = 0;             // DDIM's K (0: 50); DDPM runs all T steps (0 or T)
    double eta = 0;                // DDIM's η in [0, 1]
    double clip = 0;               // > 0: clamp x̂_0 to [−clip, clip]
};

// n samples shaped {n, shape...} (float32), drawn with gen. Runs without an autograd graph.
Tensor sample(Denoiser& net, const NoiseSchedule& schedule, const Shape& shape, int64_t n,
              Generator& gen, const SamplerOptions& options = {});

// DDIM's time steps τ_1 < ... < τ_K (K ≤ T).
std::vector<int64_t> ddim_time_steps(int64_t T, int64_t K);

}  // namespace gibbs::diffusion
