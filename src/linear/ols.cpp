// OLS by column-pivoted QR, by the SVD pseudo-inverse, or by the normal equations (see ols.hpp).
#include "gibbs/linear/ols.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <limits>

#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {

double threshold(const OlsOptions& o, const Eigen::MatrixXd& X) {
    if (o.rcond >= 0) return o.rcond;
    return std::numeric_limits<double>::epsilon() *
           static_cast<double>(std::max(X.rows(), X.cols()));
}

// θ = VΣ⁺Uᵀy, the minimum-norm least-squares solution.
Eigen::VectorXd svd_solve(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double rcond,
                          Eigen::Index& rank, double& condition) {
    Eigen::BDCSVD<Eigen::MatrixXd> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::VectorXd& s = svd.singularValues();
    const double cut = s.size() ? rcond * s(0) : 0.0;
    rank = 0;
    Eigen::VectorXd uty = svd.matrixU().transpose() * y;
    for (Eigen::Index i = 0; i < s.size(); ++i) {
        if (s(i) > cut) {
            uty(i) /= s(i);
            ++rank;
        } else {
            uty(i) = 0.0;
        }
    }
    condition = rank == s.size() && s.size() ? s(0) / s(s.size() - 1)
                                             : std::numeric_limits<double>::infinity();
    return svd.matrixV() * uty;
}

}  // namespace

OlsFit fit_ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const OlsOptions& options) {
    const Centering c(X, y, options.fit_intercept);
    const Eigen::MatrixXd Xc = X.rowwise() - c.x_mean;  // (N, P)
    const Eigen::VectorXd yc = y.array() - c.y_mean;    // (N)
    const Eigen::Index p = X.cols();
    const double rcond = threshold(options, X);
    OlsFit fit;
    Eigen::VectorXd theta;
    switch (options.solver) {
        case OlsSolver::qr: {
            Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(Xc);
            const auto R = qr.matrixR();
            const double r0 = p ? std::abs(R(0, 0)) : 0.0;
            qr.setThreshold(rcond);
            fit.rank = qr.rank();
            if (fit.rank == p) {
                theta = qr.solve(yc);
                fit.condition = p ? r0 / std::abs(R(p - 1, p - 1)) : 1.0;
            } else {
                theta = svd_solve(Xc, yc, rcond, fit.rank, fit.condition);
            }
            break;
        }
        case OlsSolver::svd:
            theta = svd_solve(Xc, yc, rcond, fit.rank, fit.condition);
            break;
        case OlsSolver::normal_equations: {
            const Eigen::MatrixXd G = Xc.transpose() * Xc;  // (P, P)
            Eigen::LDLT<Eigen::MatrixXd> ldlt(G);
            theta = ldlt.solve(Xc.transpose() * yc);
            const auto d = ldlt.vectorD().cwiseAbs();
            const double dmax = d.size() ? d.maxCoeff() : 0.0;
            fit.rank = (d.array() > rcond * dmax).count();
            fit.condition = fit.rank == p && p ? std::sqrt(dmax / d.minCoeff())
                                               : std::numeric_limits<double>::infinity();
            break;
        }
    }
    fit.rank_deficient = fit.rank < p;
    if (fit.rank_deficient) {
        fit.warning = cat("X has rank ", fit.rank, " < ", p,
                          " columns (collinear features or fewer rows than columns)",
                          options.solver == OlsSolver::normal_equations
                              ? ": XᵀX is singular and the normal-equation solution is unreliable"
                              : ": returning the minimum-norm solution (SVD pseudo-inverse)");
    }
    fit.model = c.model(theta);
    return fit;
}

}  // namespace gibbs::linear
