// Variational Monte Carlo estimators, optimizers (SGD, Adam, stochastic reconfiguration) and the
// optimization loop; see vmc.hpp for the equations.
#include "gibbs/physics/vmc.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

#include "gibbs/mcmc/stats.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

VmcEnergy vmc_energy(const VmcBatch& batch) {
    const Eigen::VectorXd& E = batch.energy;
    check(E.size() >= 2, "vmc: need at least 2 samples for an error bar, got ", E.size());
    check(E.allFinite(), "vmc: a local energy is not finite");
    VmcEnergy out;
    out.mean = E.mean();
    out.variance = (E.array() - out.mean).square().mean();
    const mcmc::Estimate est = mcmc::blocking(std::span<const double>(E.data(), E.size()));
    out.error = est.error;
    out.tau = est.tau;
    return out;
}

Eigen::VectorXd vmc_force(const VmcBatch& batch) {
    const auto n = static_cast<double>(batch.energy.size());
    check(batch.O.rows() == batch.energy.size(), "vmc: ", batch.O.rows(), " rows of O for ",
          batch.energy.size(), " energies");
    const Eigen::VectorXd dE = batch.energy.array() - batch.energy.mean();  // (S)
    // Σ_s (E_s − Ē)(O_sk − Ō_k) = Σ_s (E_s − Ē) O_sk, since Σ_s (E_s − Ē) = 0.
    return batch.O.transpose() * dE / n;
}

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Preconditioned conjugate gradient for A δ = F with A v = ΔOᵀ(ΔO v)/n + (ε + ε_rel d) ∘ v and
// the Jacobi preconditioner diag A = (1 + ε_rel) d + ε.
Eigen::VectorXd sr_conjugate_gradient(const RowMatrix& dO, const Eigen::VectorXd& F,
                                      const SrOptions& opt) {
    const double n = static_cast<double>(dO.rows());
    const Eigen::VectorXd d = dO.colwise().squaredNorm().transpose() / n;  // (P) diag S
    const Eigen::VectorXd shift = (opt.shift + opt.shift_relative * d.array()).matrix();
    const Eigen::VectorXd inv_diag = (d + shift).cwiseInverse();
    auto apply = [&](const Eigen::VectorXd& v) -> Eigen::VectorXd {
        const Eigen::VectorXd u = dO * v;  // (S)
        return dO.transpose() * u / n + shift.cwiseProduct(v);
    };
    Eigen::VectorXd x = Eigen::VectorXd::Zero(F.size());
    Eigen::VectorXd r = F, z = inv_diag.cwiseProduct(r), q = z;
    double rz = r.dot(z);
    const double target = opt.cg_tol * F.norm();
    for (int it = 0; it < opt.cg_max_iterations && r.norm() > target; ++it) {
        const Eigen::VectorXd Aq = apply(q);
        const double step = rz / q.dot(Aq);
        x += step * q;
        r -= step * Aq;
        z = inv_diag.cwiseProduct(r);
        const double rz_new = r.dot(z);
        q = z + (rz_new / rz) * q;
        rz = rz_new;
    }
    return x;
}

}  // namespace

Eigen::VectorXd sr_direction(const VmcBatch& batch, const SrOptions& opt) {
    const Eigen::VectorXd F = vmc_force(batch);
    const RowMatrix dO = batch.O.rowwise() - batch.O.colwise().mean();  // (S, P)
    const auto P = dO.cols();
    SrSolver solver = opt.solver;
    if (solver == SrSolver::kAuto)
        solver = P <= 300 ? SrSolver::kCholesky : SrSolver::kConjugateGradient;
    if (solver == SrSolver::kConjugateGradient) return sr_conjugate_gradient(dO, F, opt);
    const double n = static_cast<double>(dO.rows());
    Eigen::MatrixXd S = Eigen::MatrixXd::Zero(P, P);  // (P, P)
    S.selfadjointView<Eigen::Lower>().rankUpdate(dO.transpose(), 1.0 / n);
    S.diagonal() =
        S.diagonal() * (1.0 + opt.shift_relative) + Eigen::VectorXd::Constant(P, opt.shift);
    Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(S);
    if (llt.info() == Eigen::Success) return llt.solve(F);
    // NOTE: without a shift S is only semi-definite (e.g. O_a constant in a fixed-magnetization
    // sector); LDLT copes with that.
    return S.selfadjointView<Eigen::Lower>().ldlt().solve(F);
}

VmcOptimizerKind parse_vmc_optimizer(const std::string& name) {
    if (name == "sgd") return VmcOptimizerKind::kSgd;
    if (name == "adam") return VmcOptimizerKind::kAdam;
    if (name == "sr") return VmcOptimizerKind::kSr;
    fail("unknown optimizer '", name, "' (expected sr, adam or sgd)");
}

std::string to_string(VmcOptimizerKind kind) {
    switch (kind) {
        case VmcOptimizerKind::kSgd:
            return "sgd";
        case VmcOptimizerKind::kAdam:
            return "adam";
        case VmcOptimizerKind::kSr:
            return "sr";
    }
    return "?";
}

VmcOptimizer::VmcOptimizer(int parameters, const VmcOptimizerOptions& options) : options_(options) {
    check(options.lr > 0, "vmc optimizer: lr must be positive, got ", options.lr);
    check(options.decay >= 0, "vmc optimizer: decay must be non-negative, got ", options.decay);
    check(options.sr.shift >= 0 && options.sr.shift_relative >= 0,
          "vmc optimizer: SR shifts must be non-negative");
    check(options.shift_decay > 0 && options.shift_decay <= 1,
          "vmc optimizer: shift_decay must be in (0, 1], got ", options.shift_decay);
    check(options.shift_min >= 0, "vmc optimizer: shift_min must be non-negative, got ",
          options.shift_min);
    check(options.max_step >= 0, "vmc optimizer: max_step must be non-negative, got ",
          options.max_step);
    m_ = Eigen::VectorXd::Zero(parameters);
    v_ = Eigen::VectorXd::Zero(parameters);
}

double VmcOptimizer::shift() const {
    // ε_t = max(ε·b^t, ε_min).
    return std::max(options_.sr.shift * std::pow(options_.shift_decay, steps_), options_.shift_min);
}

Eigen::VectorXd VmcOptimizer::step(const VmcBatch& batch) {
    Eigen::VectorXd dp = direction(batch);
    ++steps_;
    const double norm = dp.norm();
    if (options_.max_step > 0 && norm > options_.max_step) dp *= options_.max_step / norm;
    return dp;
}

Eigen::VectorXd VmcOptimizer::direction(const VmcBatch& batch) {
    const double lr = learning_rate();
    switch (options_.kind) {
        case VmcOptimizerKind::kSgd:
            return -lr * 2.0 * vmc_force(batch);
        case VmcOptimizerKind::kSr: {
            SrOptions sr = options_.sr;
            sr.shift = shift();
            return -lr * sr_direction(batch, sr);
        }
        case VmcOptimizerKind::kAdam: {
            const Eigen::VectorXd g = 2.0 * vmc_force(batch);
            ++t_;
            const double b1 = options_.beta1, b2 = options_.beta2;
            m_ = b1 * m_ + (1 - b1) * g;
            v_ = b2 * v_ + (1 - b2) * g.cwiseAbs2();
            const double c1 = 1 - std::pow(b1, t_), c2 = 1 - std::pow(b2, t_);
            return (-lr * (m_ / c1).array() / ((v_ / c2).array().sqrt() + options_.eps)).matrix();
        }
    }
    return Eigen::VectorXd::Zero(m_.size());
}

std::vector<VmcIteration> vmc_optimize(VmcModel& model, VmcOptimizer& optimizer, int iterations,
                                       int samples,
                                       const std::function<void(const VmcIteration&)>& progress) {
    check(iterations >= 0, "vmc: iterations must be non-negative, got ", iterations);
    check(samples >= 2, "vmc: samples must be at least 2, got ", samples);
    const auto start = std::chrono::steady_clock::now();
    std::vector<VmcIteration> trace;
    for (int it = 0; it < iterations; ++it) {
        const VmcBatch batch = model.sample(samples, true);
        check(batch.energy.allFinite(), "vmc: the local energy is not finite at iteration ", it,
              " (the optimization diverged; lower --lr)");
        VmcIteration rec;
        rec.iteration = it;
        rec.energy = vmc_energy(batch);
        rec.acceptance = batch.acceptance;
        const Eigen::VectorXd p = model.parameters() + optimizer.step(batch);
        check(p.allFinite(), "vmc: the parameters are not finite after iteration ", it,
              " (the optimization diverged; lower --lr)");
        model.set_parameters(p);
        rec.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        trace.push_back(rec);
        if (progress) progress(rec);
    }
    return trace;
}

}  // namespace gibbs::physics
