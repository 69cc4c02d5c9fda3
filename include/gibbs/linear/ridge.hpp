// Ridge regression: C(θ) = (1/n)‖y − Xθ‖² + λ‖θ‖², minimized by θ̂ = (XᵀX + nλI)⁻¹Xᵀy
// (Hoerl & Kennard, Technometrics 12, 55 (1970)). The intercept, if fitted, is not penalized.
//
// scikit-learn's Ridge minimizes ‖y − Xw‖² + α‖w‖², so α = nλ.
//
// fit_ridge solves one λ by a Cholesky factorization of XᵀX + nλI (cost NP² + P³/3).
// RidgePath decomposes X = UΣVᵀ once; then every λ costs O(P·min(N,P)):
//   θ̂(λ) = V diag(σᵢ/(σᵢ² + nλ)) Uᵀy.
#pragma once

#include "gibbs/linear/model.hpp"

namespace gibbs::linear {

struct RidgeOptions {
    double lambda = 1.0;
    bool fit_intercept = true;
};

LinearModel fit_ridge(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                      const RidgeOptions& options = {});

class RidgePath {
  public:
    RidgePath(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, bool fit_intercept = true);
    LinearModel fit(double lambda) const;
    const Eigen::VectorXd& singular_values() const { return sigma_; }
    // Effective degrees of freedom Σ σᵢ²/(σᵢ² + nλ).
    double effective_dof(double lambda) const;

  private:
    Centering centering_;
    double n_ = 0.0;
    Eigen::MatrixXd V_;      // (P, R), R = min(N, P)
    Eigen::VectorXd sigma_;  // (R)
    Eigen::VectorXd uty_;    // (R) Uᵀ(y − ȳ)
};

}  // namespace gibbs::linear
