// Metropolis–Hastings steps on Rᵈ for a target density p(x) known up to normalization through
// log p(x) (and its gradient for Langevin proposals):
//
//   random walk (Metropolis et al. 1953):  x' = x + step·u, u uniform on [−½, ½]ᵈ, accepted with
//                                          probability min(1, p(x')/p(x));
//   MALA (Roberts & Tweedie 1996):         x' = x + (ε²/2) ∇log p(x) + ε ξ, ξ ~ N(0, 1),
//                                          accepted with min(1, p(x') q(x|x') / (p(x) q(x'|x))),
//                                          q(y|x) ∝ exp(−‖y − x − (ε²/2)∇log p(x)‖² / 2ε²).
//
// For p = |ψ|² MALA is the importance-sampled (Fokker–Planck / Langevin) move of diffusion and
// variational Monte Carlo with diffusion constant D = ½, time step Δt = ε² and drift (quantum
// force) F = 2∇ log ψ: x' = x + D F Δt + √Δt ξ, with q the Green's function of the drift–diffusion
// equation.
//
// `Vector` is any type with size() and operator[] (Eigen::VectorXd, std::vector<double>); the
// target is a callable `double target(const Vector& x, Vector* grad)` returning log p(x) and,
// when grad is not null, writing ∇ log p(x).
#pragma once

#include <cmath>
#include <utility>

#include "gibbs/tensor/random.hpp"

namespace gibbs::mcmc {

// The chain's current point with its cached log-density and gradient.
template <class Vector>
struct ContinuousState {
    Vector x;
    double log_p = 0;
    Vector grad;  // ∇ log p(x); used by MALA only
};

// One random-walk Metropolis step; `proposal` is scratch space of x's size. Returns acceptance.
template <class Vector, class Target>
bool random_walk_step(const Target& target, ContinuousState<Vector>& state, Vector& proposal,
                      double step, Generator& gen) {
    const auto d = state.x.size();
    for (decltype(state.x.size()) k = 0; k < d; ++k)
        proposal[k] = state.x[k] + step * (gen.uniform() - 0.5);
    const double log_p = target(proposal, static_cast<Vector*>(nullptr));
    if (log_p - state.log_p >= 0 || gen.uniform() < std::exp(log_p - state.log_p)) {
        std::swap(state.x, proposal);
        state.log_p = log_p;
        return true;
    }
    return false;
}

// One MALA step with step size ε; `proposal` and `proposal_grad` are scratch space.
template <class Vector, class Target>
bool mala_step(const Target& target, ContinuousState<Vector>& state, Vector& proposal,
               Vector& proposal_grad, double eps, Generator& gen) {
    const auto d = state.x.size();
    const double half = 0.5 * eps * eps;
    for (decltype(state.x.size()) k = 0; k < d; ++k)
        proposal[k] = state.x[k] + half * state.grad[k] + eps * gen.normal();
    const double log_p = target(proposal, &proposal_grad);
    // log q(x|x') − log q(x'|x) = [‖x' − x − ½ε²∇(x)‖² − ‖x − x' − ½ε²∇(x')‖²] / 2ε².
    double forward = 0, backward = 0;
    for (decltype(state.x.size()) k = 0; k < d; ++k) {
        const double f = proposal[k] - state.x[k] - half * state.grad[k];
        const double b = state.x[k] - proposal[k] - half * proposal_grad[k];
        forward += f * f;
        backward += b * b;
    }
    const double log_ratio = log_p - state.log_p + (forward - backward) / (2 * eps * eps);
    if (log_ratio >= 0 || gen.uniform() < std::exp(log_ratio)) {
        std::swap(state.x, proposal);
        std::swap(state.grad, proposal_grad);
        state.log_p = log_p;
        return true;
    }
    return false;
}

}  // namespace gibbs::mcmc
