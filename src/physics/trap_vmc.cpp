// The Gaussian–binary RBM (with optional Padé–Jastrow factor) for particles in a harmonic trap,
// its local energy and log-derivatives, and its Metropolis / Langevin sampler; see trap_vmc.hpp.
#include "gibbs/physics/trap_vmc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

double trap_exact_energy(const TrapSystem& s) {
    if (!s.interacting) return s.particles * s.dim * s.omega / 2.0;
    if (s.particles == 2 && s.dim == 2 && s.omega == 1.0) return 3.0;
    return std::numeric_limits<double>::quiet_NaN();
}

TrapRbm::TrapRbm(const TrapSystem& system, const TrapRbmOptions& options, Generator& gen)
    : sys_(system),
      P_(system.particles * system.dim),
      M_(options.hidden),
      jastrow_(options.jastrow),
      train_sigma_(options.train_sigma) {
    check(system.particles >= 1, "trap: need at least one particle, got ", system.particles);
    check(system.dim >= 1 && system.dim <= 3, "trap: dim must be 1, 2 or 3, got ", system.dim);
    check(system.omega > 0, "trap: omega must be positive, got ", system.omega);
    check(!system.interacting || system.dim >= 2,
          "trap: --interacting needs dim 2 or 3 (1/|x| is not integrable in one dimension)");
    check(options.hidden >= 1, "trap: need at least one hidden unit, got ", options.hidden);
    check(options.sigma >= 0, "trap: sigma must be non-negative, got ", options.sigma);
    check(options.sigma_max >= 0, "trap: sigma_max must be non-negative, got ", options.sigma_max);
    const double sigma = options.sigma > 0 ? options.sigma : 1.0 / std::sqrt(system.omega);
    check(options.sigma_max == 0 || sigma <= options.sigma_max, "trap: the starting sigma ", sigma,
          " exceeds sigma_max ", options.sigma_max);
    sigma2_ = sigma * sigma;
    rho_min_ = options.sigma_max > 0 ? -2.0 * std::log(options.sigma_max)
                                     : -std::numeric_limits<double>::infinity();
    p_.resize(P_ + M_ + P_ * M_ + (train_sigma_ ? 1 : 0) + (jastrow_ ? 2 : 0));
    for (int k = 0; k < P_ + M_ + P_ * M_; ++k) p_[k] = gen.normal(0.0, options.init_sd);
    if (train_sigma_) p_[P_ + M_ + P_ * M_] = -std::log(sigma2_);  // ρ = log(1/σ²)
    if (options.init == TrapInit::kPairs) init_pairs(gen);
    if (jastrow_) {
        p_[p_.size() - 2] = system.dim >= 2 ? 1.0 / (system.dim - 1) : 0.0;  // β: the cusp
        p_[p_.size() - 1] = 0.0;                                             // g: γ = 1
    }
}

void TrapRbm::init_pairs(Generator& gen) {
    const int Q = M_ / 2;  // pairs
    if (Q == 0) return;
    const double omega = sys_.omega;
    check(sigma2_ * omega < 1, "trap: --init pairs needs sigma < 1/sqrt(omega) (the pairs add the ",
          "curvature 1/sigma^2 - omega), got sigma = ", std::sqrt(sigma2_));
    // |w|² = 2σ²(1 − ωσ²)·P/Q: Q/P frames of P orthonormal directions give Σ_q w_q w_qᵀ =
    // (Q/P)|w|²·1, and each pair's Hessian at 0 is w wᵀ/(2σ⁴), so the sum is (1/σ² − ω)·1.
    const double w = std::sqrt(2.0 * sigma2_ * (1.0 - omega * sigma2_) * P_ / Q);
    Eigen::MatrixXd frame;
    for (int q = 0; q < Q; ++q) {
        if (q % P_ == 0) {  // a fresh random orthonormal frame (columns), QR of a Gaussian matrix
            Eigen::MatrixXd g(P_, P_);
            for (auto& v : g.reshaped()) v = gen.normal();
            frame = Eigen::HouseholderQR<Eigen::MatrixXd>(g).householderQ();
        }
        for (int k = 0; k < P_; ++k) {
            const double wk = w * frame(k, q % P_);
            p_[P_ + M_ + k * M_ + 2 * q] += wk;
            p_[P_ + M_ + k * M_ + 2 * q + 1] -= wk;
        }
    }
}

void TrapRbm::set_parameters(const Eigen::VectorXd& p) {
    check(p.size() == p_.size(), "trap rbm: expected ", p_.size(), " parameters, got ", p.size());
    check(p.allFinite(), "trap rbm: parameters are not finite (the optimization diverged)");
    p_ = p;
    // The projection σ ≤ σ_max, i.e. ρ = log(1/σ²) ≥ log(1/σ_max²).
    if (train_sigma_) p_[P_ + M_ + P_ * M_] = std::max(p_[P_ + M_ + P_ * M_], rho_min_);
}

namespace {

double sigmoid(double u) { return 1.0 / (1.0 + std::exp(-u)); }
// log(1 + e^u), stable for large |u|.
double softplus(double u) { return u > 0 ? u + std::log1p(std::exp(-u)) : std::log1p(std::exp(u)); }

}  // namespace

double TrapRbm::log_psi(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
    const auto a = p_.head(P_);
    const auto b = p_.segment(P_, M_);
    const Eigen::Map<const Eigen::Matrix<double, -1, -1, Eigen::RowMajor>> W(p_.data() + P_ + M_,
                                                                             P_, M_);
    const double sig2 = sigma2();                            // σ²
    const Eigen::VectorXd u = b + W.transpose() * x / sig2;  // (M)
    double log_psi = -(x - a).squaredNorm() / (2 * sig2);
    for (int j = 0; j < M_; ++j) log_psi += softplus(u[j]);
    if (grad) {
        const Eigen::VectorXd s = u.unaryExpr([](double v) { return sigmoid(v); });
        *grad = (-(x - a) + W * s) / sig2;
    }
    if (jastrow_) {
        const double beta = p_[p_.size() - 2], gamma = std::exp(p_[p_.size() - 1]);
        const int N = sys_.particles, d = sys_.dim;
        for (int i = 0; i < N; ++i)
            for (int j = i + 1; j < N; ++j) {
                double r2 = 0;
                for (int c = 0; c < d; ++c) r2 += std::pow(x[i * d + c] - x[j * d + c], 2);
                const double r = std::sqrt(r2), q = 1.0 / (1.0 + gamma * r);
                log_psi += beta * r * q;
                if (grad && r > 0) {
                    const double fr = beta * q * q / r;  // f'(r)/r
                    for (int c = 0; c < d; ++c) {
                        const double dx = x[i * d + c] - x[j * d + c];
                        (*grad)[i * d + c] += fr * dx;
                        (*grad)[j * d + c] -= fr * dx;
                    }
                }
            }
    }
    return log_psi;
}

double TrapRbm::local_energy(const Eigen::VectorXd& x, double* O) const {
    const int N = sys_.particles, d = sys_.dim;
    const auto a = p_.head(P_);
    const auto b = p_.segment(P_, M_);
    const Eigen::Map<const Eigen::Matrix<double, -1, -1, Eigen::RowMajor>> W(p_.data() + P_ + M_,
                                                                             P_, M_);
    const double sig2 = sigma2();                  // σ²
    const Eigen::VectorXd Wx = W.transpose() * x;  // (M)
    const Eigen::VectorXd u = b + Wx / sig2;       // (M)
    const Eigen::VectorXd s = u.unaryExpr([](double v) { return sigmoid(v); });
    const Eigen::VectorXd s1s = s.array() * (1.0 - s.array());  // s(1 − s), (M)
    Eigen::VectorXd grad = (-(x - a) + W * s) / sig2;           // (P) ∂_k log ψ
    // Σ_k ∂²_k log ψ = −P/σ² + Σ_kj W_kj² s_j(1 − s_j)/σ⁴.
    double laplacian = -P_ / sig2 + (W.array().square().matrix() * s1s).sum() / (sig2 * sig2);
    double interaction = 0;
    double O_beta = 0, O_g = 0;
    for (int i = 0; i < N; ++i)
        for (int j = i + 1; j < N; ++j) {
            double r2 = 0;
            for (int c = 0; c < d; ++c) r2 += std::pow(x[i * d + c] - x[j * d + c], 2);
            const double r = std::sqrt(r2);
            if (sys_.interacting) interaction += 1.0 / r;
            if (!jastrow_) continue;
            const double beta = p_[p_.size() - 2], gamma = std::exp(p_[p_.size() - 1]);
            const double q = 1.0 / (1.0 + gamma * r);
            const double f1 = beta * q * q, f2 = -2.0 * beta * gamma * q * q * q;  // f', f''
            // ∇ᵢ² f + ∇ⱼ² f = 2 (f'' + (d − 1) f'/r).
            laplacian += 2.0 * (f2 + (d - 1) * f1 / r);
            for (int c = 0; c < d; ++c) {
                const double dx = x[i * d + c] - x[j * d + c];
                grad[i * d + c] += f1 * dx / r;
                grad[j * d + c] -= f1 * dx / r;
            }
            O_beta += r * q;
            O_g += -gamma * beta * r * r * q * q;
        }
    const double kinetic = -0.5 * (laplacian + grad.squaredNorm());
    const double potential = 0.5 * sys_.omega * sys_.omega * x.squaredNorm();
    if (O) {
        for (int k = 0; k < P_; ++k) O[k] = (x[k] - a[k]) / sig2;
        for (int j = 0; j < M_; ++j) O[P_ + j] = s[j];
        for (int k = 0; k < P_; ++k)
            for (int j = 0; j < M_; ++j) O[P_ + M_ + k * M_ + j] = x[k] * s[j] / sig2;
        // O_ρ = −|x − a|²/2σ² + Σ_j s_j (Wᵀx)_j/σ².
        // At the bound σ = σ_max, σ is held: O_ρ = 0, so that SR moves the other parameters
        // without counting on a change of σ that the projection would undo.
        if (train_sigma_)
            O[P_ + M_ + P_ * M_] = p_[P_ + M_ + P_ * M_] <= rho_min_
                                       ? 0.0
                                       : (-0.5 * (x - a).squaredNorm() + s.dot(Wx)) / sig2;
        if (jastrow_) {
            O[size() - 2] = O_beta;
            O[size() - 1] = O_g;
        }
    }
    return kinetic + potential + interaction;
}

TrapSampler parse_trap_sampler(const std::string& name) {
    if (name == "metropolis" || name == "brute-force") return TrapSampler::kMetropolis;
    if (name == "importance" || name == "langevin") return TrapSampler::kImportance;
    fail("unknown sampler '", name, "' (expected metropolis or importance)");
}

TrapInit parse_trap_init(const std::string& name) {
    if (name == "gaussian") return TrapInit::kGaussian;
    if (name == "pairs") return TrapInit::kPairs;
    fail("unknown init '", name, "' (expected gaussian or pairs)");
}

std::string to_string(TrapInit init) { return init == TrapInit::kPairs ? "pairs" : "gaussian"; }

std::string to_string(TrapSampler sampler) {
    return sampler == TrapSampler::kMetropolis ? "metropolis" : "importance";
}

TrapVmc::TrapVmc(const TrapSystem& system, const TrapVmcOptions& options)
    : sys_(system), options_(options), gen_(options.seed), rbm_(system, options.rbm, gen_) {
    check(options.chains >= 1, "trap vmc: chains must be at least 1, got ", options.chains);
    check(options.moves >= 1, "trap vmc: moves must be at least 1, got ", options.moves);
    check(options.step > 0 && options.dt > 0, "trap vmc: step and dt must be positive");
    const int P = rbm_.coordinates();
    for (int c = 0; c < options.chains; ++c) {
        gens_.push_back(gen_.split());
        mcmc::ContinuousState<Eigen::VectorXd> st;
        st.x.resize(P);
        // Start spread over the trap's width 1/√ω, so that no two particles coincide.
        for (int k = 0; k < P; ++k) st.x[k] = gens_.back().normal(0.0, 1.0 / std::sqrt(sys_.omega));
        st.grad.resize(P);
        state_.push_back(std::move(st));
    }
}

VmcBatch TrapVmc::sample(int samples, bool derivatives) {
    const int C = options_.chains, P = rbm_.coordinates();
    check(samples >= C, "trap vmc: need at least one sample per chain (", C, " chains), got ",
          samples);
    VmcBatch batch;
    batch.chains = C;
    batch.energy.resize(samples);
    if (derivatives) batch.O.resize(samples, parameter_count());
    const int burn = thermalized_ ? options_.discard : options_.thermalize;
    thermalized_ = true;
    std::vector<long> accepted(C, 0), proposed(C, 0);
    const bool importance = options_.sampler == TrapSampler::kImportance;
    const double eps = std::sqrt(options_.dt);
    // log p = 2 log ψ and ∇ log p = 2 ∇ log ψ.
    auto target = [this](const Eigen::VectorXd& x, Eigen::VectorXd* grad) {
        const double lp = 2.0 * rbm_.log_psi(x, grad);
        if (grad) *grad *= 2.0;
        return lp;
    };
    const double work = static_cast<double>(samples) * options_.moves * P * rbm_.hidden();
#pragma omp parallel for schedule(static) if (C > 1 && work > 2e5)
    for (int c = 0; c < C; ++c) {
        const int first = c * (samples / C) + std::min(c, samples % C);
        const int count = samples / C + (c < samples % C);
        Generator& g = gens_[c];
        auto& st = state_[c];
        st.log_p = target(st.x, &st.grad);  // the parameters may have changed
        Eigen::VectorXd proposal(P), proposal_grad(P);
        Eigen::VectorXd O_row(derivatives ? parameter_count() : 0);
        auto move = [&]() {
            ++proposed[c];
            accepted[c] += importance
                               ? mcmc::mala_step(target, st, proposal, proposal_grad, eps, g)
                               : mcmc::random_walk_step(target, st, proposal, options_.step, g);
        };
        for (int k = 0; k < burn; ++k) move();
        for (int k = 0; k < count; ++k) {
            for (int w = 0; w < options_.moves; ++w) move();
            batch.energy[first + k] = rbm_.local_energy(st.x, derivatives ? O_row.data() : nullptr);
            if (derivatives) batch.O.row(first + k) = O_row.transpose();
        }
    }
    long acc = 0, prop = 0;
    for (int c = 0; c < C; ++c) acc += accepted[c], prop += proposed[c];
    batch.acceptance = prop > 0 ? static_cast<double>(acc) / prop : 0.0;
    return batch;
}

}  // namespace gibbs::physics
