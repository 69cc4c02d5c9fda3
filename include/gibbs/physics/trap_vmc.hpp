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
// optionally times the Padé–Jastrow factor exp(Σ_{i<j} β r_ij/(1 + γ r_ij)), γ = e^g > 0
// (β = 1/(d−1) satisfies the electron–electron cusp of antiparallel spins).
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

struct TrapRbmOptions {
    int hidden = 2;
    double sigma = 0.0;     // width σ; 0 means 1/√ω (the non-interacting ground state's)
    bool jastrow = false;   // multiply by exp(Σ β r/(1+γr))
    double init_sd = 0.01;  // a, b, W ~ N(0, init_sd²); β = 1/(d−1) (cusp, or 0 in 1-D), γ = 1
};

class TrapRbm {
  public:
    TrapRbm(const TrapSystem& system, const TrapRbmOptions& options, Generator& gen);

    int coordinates() const { return P_; }  // N·d
    int hidden() const { return M_; }
    int size() const { return static_cast<int>(p_.size()); }
    const Eigen::VectorXd& parameters() const { return p_; }
    void set_parameters(const Eigen::VectorXd& p);

    // log ψ(x); if grad is not null, also ∇ log ψ (P).
    double log_psi(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const;
    // E_L(x) and, if O is not null, the log-derivatives (size()).
    double local_energy(const Eigen::VectorXd& x, double* O) const;

  private:
    TrapSystem sys_;
    int P_, M_;
    double sigma2_;
    bool jastrow_;
    Eigen::VectorXd p_;  // [a (P), b (M), W (P×M, row-major), β, g]
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
