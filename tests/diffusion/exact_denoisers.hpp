// Exact ε-predictors for data whose noised marginals are known in closed form, as Denoisers:
// plugged into the samplers and the bound they must reproduce the data exactly (up to the
// samplers' discretization and Monte Carlo error).
//
// For x_0 ~ N(m, Σ), q_t(x_t) = N(√ᾱ_t m, C_t), C_t = ᾱ_t Σ + (1 − ᾱ_t) I, and the optimal
// predictor of ε given x_t is E[ε | x_t] = −√(1 − ᾱ_t) ∇ log q_t(x_t)
//   = √(1 − ᾱ_t) C_t⁻¹ (x_t − √ᾱ_t m).
// For a mixture Σ_k π_k N(m_k, Σ_k), q_t is the mixture of the N(√ᾱ_t m_k, C_{k,t}) and
//   ∇ log q_t(x) = Σ_k r_k(x) (−C_{k,t}⁻¹ (x − √ᾱ_t m_k)),  r_k its responsibilities.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <vector>

#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/diffusion/schedule.hpp"

namespace gibbs::diffusion::testing {

class MixtureEps : public Denoiser {
  public:
    MixtureEps(const NoiseSchedule& s, std::vector<Eigen::VectorXd> means,
               std::vector<Eigen::MatrixXd> covs, std::vector<double> weights)
        : s_(s), m_(std::move(means)), S_(std::move(covs)), w_(std::move(weights)) {}

    Tensor predict(const Tensor& x_t, const Tensor& t) override {
        const Tensor x = x_t.to(DType::f64).contiguous();
        const int64_t B = x.size(0), D = x.numel() / B, K = static_cast<int64_t>(m_.size());
        const std::vector<double> tv = t.to_vector();
        Tensor out = Tensor::empty(x_t.shape(), DType::f64);
        // C_{k,t}⁻¹ and log det C_{k,t}, recomputed when t changes from one row to the next.
        std::vector<Eigen::MatrixXd> Cinv(K);
        std::vector<double> logdet(K);
        double t_prev = -1;
        std::vector<double> logr(K);
        std::vector<Eigen::VectorXd> score(K, Eigen::VectorXd(D));
        Eigen::VectorXd r(D), grad(D);
        for (int64_t b = 0; b < B; ++b) {
            const double ab = s_.alpha_bar(static_cast<int64_t>(tv[b]));
            if (tv[b] != t_prev) {
                for (int64_t k = 0; k < K; ++k) {
                    const Eigen::MatrixXd C =
                        ab * S_[k] + (1 - ab) * Eigen::MatrixXd::Identity(D, D);
                    Cinv[k] = C.inverse();
                    logdet[k] = std::log(C.determinant());
                }
                t_prev = tv[b];
            }
            const Eigen::Map<const Eigen::VectorXd> xb(x.data<double>() + b * D, D);
            // log r_k up to a constant, and each component's score −C⁻¹(x − √ᾱ m_k).
            double mx = -1e300;
            for (int64_t k = 0; k < K; ++k) {
                r = xb - std::sqrt(ab) * m_[k];
                score[k].noalias() = -Cinv[k] * r;
                logr[k] = std::log(w_[k]) + 0.5 * r.dot(score[k]) - 0.5 * logdet[k];
                mx = std::max(mx, logr[k]);
            }
            double z = 0;
            for (double& l : logr) z += (l = std::exp(l - mx));
            grad.setZero();
            for (int64_t k = 0; k < K; ++k) grad += logr[k] / z * score[k];
            for (int64_t d = 0; d < D; ++d)
                out.data<double>()[b * D + d] = -std::sqrt(1 - ab) * grad[d];
        }
        return out.to(x_t.dtype());
    }

  private:
    const NoiseSchedule& s_;
    std::vector<Eigen::VectorXd> m_;
    std::vector<Eigen::MatrixXd> S_;
    std::vector<double> w_;
};

// The Gaussian case: one component.
inline MixtureEps gaussian_eps(const NoiseSchedule& s, const Eigen::VectorXd& m,
                               const Eigen::MatrixXd& S) {
    return MixtureEps(s, {m}, {S}, {1.0});
}

}  // namespace gibbs::diffusion::testing
