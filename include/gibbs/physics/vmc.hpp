// Variational Monte Carlo: the energy E(p) = ⟨ψ_p|H|ψ_p⟩/⟨ψ_p|ψ_p⟩ = ⟨E_L⟩_{|ψ|²} of a wave
// function ψ_p, estimated from samples x ~ |ψ_p(x)|² through the local energy
// E_L(x) = (Hψ)(x)/ψ(x), and minimized over the parameters p.
//
// With O_k(x) = ∂ log ψ(x)/∂p_k (real ψ) the gradient is
//   ∂E/∂p_k = 2 ⟨(E_L − ⟨E_L⟩)(O_k − ⟨O_k⟩)⟩ = 2 F_k,
// and stochastic reconfiguration (Sorella 1998; the imaginary-time step projected on the
// variational manifold, a natural gradient with the quantum Fisher metric) solves
//   (S + ε·1 + ε_rel·diag S) δ = F,   S_kl = ⟨(O_k − ⟨O_k⟩)(O_l − ⟨O_l⟩)⟩,   p ← p − η δ,
// by Cholesky (S formed, P×P) or by conjugate gradient with S v = ΔOᵀ(ΔO v)/n, S never formed.
// The energy's error bar is the blocking estimate (Flyvbjerg & Petersen 1989) over the samples
// in chain order; at an exact eigenstate E_L is constant and its variance vanishes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gibbs/physics/eigen.hpp"

namespace gibbs::physics {

// Samples of one iteration, in chain order (chain 0's samples first).
struct VmcBatch {
    Eigen::VectorXd energy;  // (S) local energies E_L(x_s)
    // (S, P) log-derivatives O_k(x_s), row-major so that each sample writes one contiguous row;
    // empty when not requested.
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> O;
    double acceptance = 0;  // fraction of accepted Metropolis proposals
    int chains = 1;
};

// A wave function together with its sampler of |ψ|².
class VmcModel {
  public:
    virtual ~VmcModel() = default;
    virtual int parameter_count() const = 0;
    virtual Eigen::VectorXd parameters() const = 0;
    virtual void set_parameters(const Eigen::VectorXd& p) = 0;
    // Draws `samples` configurations (spread over the model's chains, continuing from where they
    // stopped) and returns E_L and, if `derivatives`, O.
    virtual VmcBatch sample(int samples, bool derivatives) = 0;
};

// ⟨E_L⟩ with its blocking error, the variance of E_L and the autocorrelation time.
struct VmcEnergy {
    double mean = 0, error = 0, variance = 0, tau = 1;
};
VmcEnergy vmc_energy(const VmcBatch& batch);

// F_k = ⟨(E_L − ⟨E_L⟩)(O_k − ⟨O_k⟩)⟩ (P); the energy gradient is 2F.
Eigen::VectorXd vmc_force(const VmcBatch& batch);

enum class SrSolver { kAuto, kCholesky, kConjugateGradient };

struct SrOptions {
    double shift = 1e-2;                // ε: S + ε·1
    double shift_relative = 0.0;        // ε_rel: + ε_rel·diag S
    SrSolver solver = SrSolver::kAuto;  // auto: Cholesky up to 300 parameters, else CG
    int cg_max_iterations = 500;
    double cg_tol = 1e-8;  // relative residual
};
// δ with (S + ε + ε_rel diag S) δ = F.
Eigen::VectorXd sr_direction(const VmcBatch& batch, const SrOptions& options = {});

enum class VmcOptimizerKind { kSgd, kAdam, kSr };
VmcOptimizerKind parse_vmc_optimizer(const std::string& name);  // "sgd", "adam", "sr"
std::string to_string(VmcOptimizerKind kind);

struct VmcOptimizerOptions {
    VmcOptimizerKind kind = VmcOptimizerKind::kSr;
    double lr = 0.05;    // η
    double decay = 0.0;  // η_t = η / (1 + decay·t): smaller steps, less parameter noise, late
    // SR shift schedule (Carleo & Troyer 2017): ε_t = max(ε·shift_decay^t, shift_min), with
    // ε = sr.shift; a large early shift damps the poorly sampled directions of S, a small late
    // one removes the bias it causes. shift_decay = 1 keeps ε constant.
    double shift_decay = 1.0;
    double shift_min = 0.0;
    // Trust region: the step Δp is scaled down to |Δp|₂ = max_step when longer (0: no limit).
    double max_step = 0.0;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // Adam (Kingma & Ba 2015)
    SrOptions sr = {};
};

// The update Δp from one batch: sgd −η_t·2F; adam on g = 2F; sr −η_t δ (with shift ε_t);
// then clipped to |Δp|₂ ≤ max_step.
class VmcOptimizer {
  public:
    VmcOptimizer(int parameters, const VmcOptimizerOptions& options);
    Eigen::VectorXd step(const VmcBatch& batch);
    // η_t and ε_t of the next step.
    double learning_rate() const { return options_.lr / (1.0 + options_.decay * steps_); }
    double shift() const;
    const VmcOptimizerOptions& options() const { return options_; }

  private:
    Eigen::VectorXd direction(const VmcBatch& batch);  // Δp before the clip

    VmcOptimizerOptions options_;
    Eigen::VectorXd m_, v_;  // Adam moments (P)
    int t_ = 0;              // Adam's step count
    int steps_ = 0;          // all steps, for the decay
};

struct VmcIteration {
    int iteration = 0;
    VmcEnergy energy;
    double acceptance = 0;
    double seconds = 0;  // wall time since the start of the run
};

// `iterations` steps of: sample `samples` configurations, p ← p + Δp. Calls `progress` after
// each. Throws gibbs::Error naming the iteration if the energy or the parameters stop being
// finite.
std::vector<VmcIteration> vmc_optimize(
    VmcModel& model, VmcOptimizer& optimizer, int iterations, int samples,
    const std::function<void(const VmcIteration&)>& progress = {});

}  // namespace gibbs::physics
