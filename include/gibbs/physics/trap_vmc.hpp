// N particles in d ≤ 3 dimensions in an isotropic harmonic trap, optionally repelling through
// the Coulomb interaction (natural units ħ = m = e = 1):
//
//   H = Σᵢ (−½∇ᵢ² + ½ω²rᵢ²) + Σ_{i<j} 1/r_ij,
//
// with the Gaussian–binary RBM wave function of Carleo & Troyer's ansatz for continuous
// coordinates (the course project of Hjorth-Jensen's "Computational Physics II") on the
// P = N·d coordinates x_k, M hidden units, fixed width σ:
//
//   ψ(x) = exp(−Σ_k (x_k − a_k)²/2σ²) Π_j (1 + e^{u_j}),   u_j = b_j + Σ_k x_k W_kj/σ²,
//
// With train_sigma the width is a variational parameter too, through ρ = log(1/σ²) (so σ² > 0
// for every ρ): O_ρ = τ ∂_τ log ψ with τ = 1/σ², i.e.
//   O_ρ = −|x − a|²/2σ² + Σ_j s_j (Wᵀx)_j/σ².
// σ fixes both the Gaussian's curvature and the scale of the hidden units' fields; a learned σ
// lets the optimizer trade the Gaussian's curvature against the convex softplus terms.
//
// optionally times the Padé–Jastrow factor exp(Σ_{i<j} β r_ij/(1 + γ r_ij)), γ = e^g > 0
// (β = 1/(d−1) satisfies the electron–electron cusp of antiparallel spins).
//
// Projection of a trained σ: with sigma_max > 0, ρ is clamped to ρ ≥ log(1/σ_max²) whenever
// parameters are set, so σ ≤ σ_max; once at the bound σ is held there (O_ρ is reported as 0,
// so SR moves the other parameters without counting on a change of σ that the clamp would undo;
// clamping alone let the energy climb from 3.05 to 11 within 150 SR steps). For two electrons in
// 2-D at ω = 1, log ψ_exact = log(1 + r₁₂) − (r₁² + r₂²)/2 is representable as −|x|²/2σ² + (convex
// softplus sum) only for σ ≤ 1/√3 (docs/vmc.md), which is the bound to use there.
//
// Pair initialization (TrapInit::kPairs): hidden units 2q and 2q+1 get opposite weights ±w_q,
// b = 0, and softplus(u) + softplus(−u) = log(2 + 2cosh u) = log 4 + u²/4 + O(u⁴) is an even,
// convex ridge along w_q (≈ |u| far out). The directions w_q/|w_q| run through random orthonormal
// frames of ℝᴾ, one frame per P pairs, and |w_q|² = 2σ²(1 − ωσ²)·P/Q (Q = M/2 pairs, σ² < 1/ω),
// so that with Q a multiple of P the pairs' Hessian at x = 0 is exactly (1/σ² − ω)·1 and ψ starts
// as the non-interacting ground state e^{−ω|x|²/2} to second order about the origin (E_L(0) =
// Pω/2). init_sd noise is added to all of a, b, W; an odd last unit is initialized as usual.
// For two interacting electrons in 2-D it starts far lower than the Gaussian start but ends on a
// worse plateau (3.038 against 3.018 with 96 hidden units, docs/vmc.md).
//
// With s_j = sigmoid(u_j) the log-derivatives and the Laplacian are analytic:
//   ∂_k log ψ  = −(x_k − a_k)/σ² + Σ_j W_kj s_j/σ²
//   ∂²_k log ψ = −1/σ² + Σ_j W_kj² s_j(1 − s_j)/σ⁴
//   Jastrow f(r) = βr/(1+γr):  ∇ᵢ f = f'(r)(rᵢ − rⱼ)/r,  ∇ᵢ² f = f'' + (d−1) f'/r,
//                              f' = β/(1+γr)², f'' = −2βγ/(1+γr)³;
//   E_L = Σ_k −½(∂²_k log ψ + (∂_k log ψ)²) + ½ω² Σ_k x_k² + Σ_{i<j} 1/r_ij;
//   O_a_k = (x_k − a_k)/σ²,  O_b_j = s_j,  O_W_kj = x_k s_j/σ²,
//   O_β = Σ r/(1+γr),  O_g = γ ∂_γ log ψ = −γ Σ βr²/(1+γr)².
// Without interaction and with a = 0, W = 0, σ² = 1/ω, ψ is the exact ground state: E_L = Ndω/2
// at every x, with zero variance.
// Exact reference: two electrons in 2-D at ω = 1 have E₀ = 3 (Taut, Phys. Rev. A 48, 3561, 1993).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gibbs/mcmc/mala.hpp"
#include "gibbs/physics/vmc.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::physics {

struct TrapSystem {
    int particles = 2;
    int dim = 2;
    double omega = 1.0;
    bool interacting = false;
};

// The exact ground-state energy where known: Ndω/2 without interaction, 3 for two electrons in
// 2-D at ω = 1 (Taut 1993); NaN otherwise.
double trap_exact_energy(const TrapSystem& system);

enum class TrapInit { kGaussian, kPairs };
TrapInit parse_trap_init(const std::string& name);  // "gaussian", "pairs"
std::string to_string(TrapInit init);

struct TrapRbmOptions {
    int hidden = 2;
    double sigma = 0.0;        // width σ; 0 means 1/√ω (the non-interacting ground state's)
    bool jastrow = false;      // multiply by exp(Σ β r/(1+γr))
    bool train_sigma = false;  // σ variational, through ρ = log(1/σ²), starting at `sigma`
    double init_sd = 0.01;  // a, b, W ~ N(0, init_sd²); β = 1/(d−1) (cusp, or 0 in 1-D), γ = 1
    double sigma_max = 0.0;               // train_sigma: project σ ≤ sigma_max (0: no bound)
    TrapInit init = TrapInit::kGaussian;  // kPairs: opposite-weight pairs, see above
};

class TrapRbm {
  public:
    TrapRbm(const TrapSystem& system, const TrapRbmOptions& options, Generator& gen);

    int coordinates() const { return P_; }  // N·d
    int hidden() const { return M_; }
    double sigma() const { return std::sqrt(sigma2()); }
    int size() const { return static_cast<int>(p_.size()); }
    const Eigen::VectorXd& parameters() const { return p_; }
    void set_parameters(const Eigen::VectorXd& p);

    // log ψ(x); if grad is not null, also ∇ log ψ (P).
    double log_psi(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const;
    // E_L(x) and, if O is not null, the log-derivatives (size()).
    double local_energy(const Eigen::VectorXd& x, double* O) const;

  private:
    void init_pairs(Generator& gen);
    double sigma2() const { return train_sigma_ ? std::exp(-p_[P_ + M_ + P_ * M_]) : sigma2_; }

    TrapSystem sys_;
    int P_, M_;
    double sigma2_;   // the fixed σ² (without train_sigma)
    double rho_min_;  // ρ ≥ rho_min_ (−∞ without sigma_max)
    bool jastrow_, train_sigma_;
    Eigen::VectorXd p_;  // [a (P), b (M), W (P×M, row-major), ρ if train_sigma, β, g if jastrow]
};

enum class TrapSampler { kMetropolis, kImportance };
TrapSampler parse_trap_sampler(const std::string& name);  // "metropolis", "importance"
std::string to_string(TrapSampler sampler);

struct TrapVmcOptions {
    TrapRbmOptions rbm = {};
    TrapSampler sampler = TrapSampler::kImportance;
    double step = 1.0;  // brute-force Metropolis: side of the uniform box
    double dt = 0.3;    // importance sampling: Langevin time step Δt = ε²
    int chains = 4;
    int moves = 5;         // Metropolis steps (all coordinates) between recorded samples
    int thermalize = 500;  // steps before the first sample
    int discard = 20;      // steps discarded after each parameter update
    uint64_t seed = 1;
};

class TrapVmc : public VmcModel {
  public:
    TrapVmc(const TrapSystem& system, const TrapVmcOptions& options);

    int parameter_count() const override { return rbm_.size(); }
    Eigen::VectorXd parameters() const override { return rbm_.parameters(); }
    void set_parameters(const Eigen::VectorXd& p) override { rbm_.set_parameters(p); }
    VmcBatch sample(int samples, bool derivatives) override;

    const TrapRbm& rbm() const { return rbm_; }
    const TrapSystem& system() const { return sys_; }

  private:
    TrapSystem sys_;
    TrapVmcOptions options_;
    Generator gen_;
    TrapRbm rbm_;
    std::vector<Generator> gens_;                                // one per chain
    std::vector<mcmc::ContinuousState<Eigen::VectorXd>> state_;  // one per chain
    bool thermalized_ = false;
};

}  // namespace gibbs::physics
