// Batched Langevin sampling on tensors: B chains x (B, ...) targeting p(x) ∝ exp(−E(x)), for
// energy networks, Gaussians and anything else that gives per-chain energies and ∇ₓE.
//
// Unadjusted Langevin (ULA; stochastic gradient Langevin dynamics as used for energy-based models
// by Du & Mordatch 2019), with step size ε, noise scale σ and gradient clip c:
//   x' = x − (ε/2) clip_c(∇E(x)) + σ √ε η,   η ~ N(0, I),
// clip_c(g) = min(max(g, −c), c) elementwise (c = 0: no clipping), and x' clamped to [lo, hi]
// when a box is given (images). With σ = 1 and no clipping this is the Euler–Maruyama step of
// dx = −½∇E dt + dW, whose stationary law is exp(−E) only as ε → 0: for E = x²/2s² the chain
// x' = (1 − ε/2s²) x + √ε η has the biased stationary variance s² / (1 − ε/4s²).
// σ < 1 lowers the temperature (Du & Mordatch's practice); clipping bounds the drift.
//
// Metropolis-adjusted Langevin (MALA; Roberts & Tweedie 1996): the same move as a proposal
// q(x'|x) = N(x − (ε/2) clip_c(∇E(x)), σ²ε I), accepted per chain with probability
//   min(1, exp(−E(x') + E(x)) q(x|x') / q(x'|x)),
//   log q(x|x') − log q(x'|x) = [‖x' − x + (ε/2)g(x)‖² − ‖x − x' + (ε/2)g(x')‖²] / (2σ²ε),
// which leaves exp(−E) invariant exactly, for any ε, σ and c (the proposal only has to be the
// same function of x in both directions). With a box, a proposal outside it is rejected: MALA
// then samples exp(−E) restricted to the box. (The scalar MALA of gibbs/mcmc/mala.hpp, for
// variational Monte Carlo, writes the step as ε² = this ε with drift ∇log p.)
//
// Randomness: η is drawn for all chains at once, then one uniform per chain for MALA, from one
// generator, so a run repeats bit for bit whatever the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::mcmc {

// Per-chain energies E (B) and their gradient ∇ₓE shaped like x (B, ...), without graphs.
struct EnergyAndGrad {
    Tensor energy;  // (B)
    Tensor grad;    // (B, ...)
};
using EnergyFn = std::function<EnergyAndGrad(const Tensor& x)>;

// An EnergyFn from a differentiable energy f(x) → (B), by reverse-mode autograd: ∇ₓ Σ_b E_b
// = ∇ₓE per chain, since chain b's energy depends on row b only. Grad mode is switched on for
// the call (sampling usually runs under NoGradGuard). Parameters of f that require gradients
// receive them too: freeze them (requires_grad_(false)) for pure sampling.
EnergyFn autograd_energy(std::function<Tensor(const Tensor& x)> energy);

enum class LangevinKind { ula, mala };

struct LangevinOptions {
    LangevinKind kind = LangevinKind::ula;
    double step_size = 0.01;                  // ε > 0
    double noise_scale = 1.0;                 // σ ≥ 0 (MALA needs σ > 0)
    double grad_clip = 0.0;                   // c ≥ 0; 0: no clipping
    std::optional<double> lo = std::nullopt;  // box [lo, hi] for every coordinate (both or neither)
    std::optional<double> hi = std::nullopt;
};

struct LangevinStats {
    int64_t steps = 0;
    double acceptance = 1.0;  // MALA: accepted proposals / (steps · B); ULA: 1
};

// Runs `steps` steps of every chain of x (B, ...): x is replaced by the chains' last states, in
// its dtype (MALA writes accepted rows into x's storage when x is contiguous). Throws gibbs::Error
// for a bad option, or an energy or gradient of the wrong shape, naming it.
LangevinStats langevin(Tensor& x, const EnergyFn& energy, int64_t steps,
                       const LangevinOptions& options, Generator& gen);

}  // namespace gibbs::mcmc
