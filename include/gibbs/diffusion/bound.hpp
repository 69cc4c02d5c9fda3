// The variational bound on −log p_θ(x_0) of a diffusion model (Ho et al. 2020, eq. 5; Sohl-
// Dickstein et al. 2015), in nats per example:
//   L = L_T + Σ_{t=2}^T L_{t−1} + L_0,
//   L_T     = KL(q(x_T | x_0) ‖ N(0, I))      = ½ Σ_d [ᾱ_T x_0² + (1 − ᾱ_T) − 1 − log(1 − ᾱ_T)]
//   L_{t−1} = E_q KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t))
//           = E_q ½ Σ_d [log(σ_t²/β̃_t) + β̃_t/σ_t² − 1 + (μ̃_t − μ_θ)²/σ_t²]
//   L_0     = E_q −log p_θ(x_0 | x_1),
// with μ_θ(x_t, t) = (x_t − β_t/√(1 − ᾱ_t) ε_θ(x_t, t)) / √α_t and σ_t² = β_t or β̃_t for t ≥ 2.
// The decoder p_θ(x_0 | x_1) is N(μ_θ(x_1, 1), β_1 I) (β̃_1 = 0, so σ_1² = β_1 either way):
//   continuous data: its density, −log N(x_0; μ, β_1 I) (nats of a density: may be negative);
//   8-bit images scaled to [−1, 1] (Ho et al.): the probability of x_0's bin of width 2/255,
//   Φ((x + 1/255 − μ)/σ) − Φ((x − 1/255 − μ)/σ), with the outer edges at ±∞.
// Each expectation over x_t ~ q(x_t | x_0) takes one draw per example and term. Exact sum: all
// T terms per example (T network evaluations); sampled: L_T + T · term(t) at t uniform in 1..T
// (term(1) = L_0), averaged over `t_samples` draws, an unbiased estimate of the same L.
// The standard error is that of the mean over examples. bits/dim = L / (D ln 2).
#pragma once

#include <cstdint>
#include <string>

#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/diffusion/schedule.hpp"

namespace gibbs::diffusion {

struct BoundOptions {
    bool tilde_variance = false;  // σ_t² = β̃_t (else β_t) for t ≥ 2
    bool discrete = false;        // 8-bit data on [−1, 1]: the discretized decoder
    int64_t t_samples = 0;        // 0: exact sum over t; else this many random t per example
    int64_t batch = 4096;         // examples per network call
};

struct BoundResult {
    double nats = 0;     // mean bound over the examples, per example
    double nats_se = 0;  // its standard error
    double prior = 0;    // mean L_T
    double decoder = 0;  // mean L_0 (exact sum only; sampled: included in nats)
    double bits_per_dim = 0;
    int64_t examples = 0, dims = 0;
    std::string method;  // "exact sum over t" or "K random t per example"
};

// x0 (N, ...) in the model's data space ([−1, 1] for images), any float dtype.
BoundResult variational_bound(Denoiser& net, const NoiseSchedule& schedule, const Tensor& x0,
                              Generator& gen, const BoundOptions& options = {});

}  // namespace gibbs::diffusion
