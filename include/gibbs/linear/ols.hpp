// Ordinary least squares: θ̂ = argmin (1/n)‖y − Xθ‖², i.e. the solution of XᵀXθ = Xᵀy.
//
// Three solvers:
//  - qr (default): column-pivoted Householder QR, X = QRPᵀ, θ = P R⁻¹ Qᵀy. Backward stable; the
//    error grows like κ(X).
//  - svd: X = UΣVᵀ, θ = VΣ⁺Uᵀy with singular values below rcond·σ_max treated as zero: the
//    minimum-norm solution, also when XᵀX is singular.
//  - normal_equations: Cholesky (LDLT) of XᵀX. Kept for teaching: forming XᵀX squares the
//    condition number, κ(XᵀX) = κ(X)², so it loses twice as many digits as QR.
// When QR finds X rank-deficient it falls back to the SVD pseudo-inverse and says so in the
// returned OlsFit (rank_deficient, warning) rather than failing.
#pragma once

#include <string>

#include "gibbs/linear/model.hpp"

namespace gibbs::linear {

enum class OlsSolver { qr, svd, normal_equations };

struct OlsOptions {
    OlsSolver solver = OlsSolver::qr;
    bool fit_intercept = true;  // unpenalized θ₀ by centering (model.hpp)
    double rcond = -1.0;        // relative rank threshold; < 0 means ε·max(n, p)
};

struct OlsFit {
    LinearModel model;
    Eigen::Index rank = 0;        // numerical rank of the (centered) X
    bool rank_deficient = false;  // rank < number of columns: θ is the minimum-norm solution
    double condition = 0.0;       // κ(X) = σ_max/σ_min (QR: estimate from |diag R|)
    std::string warning;          // empty unless something needs the user's attention
};

OlsFit fit_ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const OlsOptions& options = {});

}  // namespace gibbs::linear
