// Ridge by Cholesky for one λ and by one SVD for a path of λ (see ridge.hpp).
#include "gibbs/linear/ridge.hpp"

#include <Eigen/Dense>
#include <cmath>

#include "gibbs/tensor/blas.hpp"
#include "gibbs/tensor/error.hpp"
#include "linear/gram.hpp"

namespace gibbs::linear {

namespace {
void check_lambda(double lambda) {
    check(std::isfinite(lambda) && lambda >= 0.0, "ridge: lambda must be >= 0, got ", lambda);
}
}  // namespace

LinearModel fit_ridge(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                      const RidgeOptions& options) {
    check_lambda(options.lambda);
    const Centering c(X, y, options.fit_intercept);
    const double n = static_cast<double>(X.rows());
    Eigen::MatrixXd A = detail::centered_gram(X, c.x_mean);  // (P, P) XᵀX + nλI
    A.diagonal().array() += n * options.lambda;
    // Xᵀ(y − ȳ) with centered columns: (X − 1x̄)ᵀ(y − ȳ) = Xᵀ(y − ȳ) since Σ(y − ȳ) = 0.
    const Eigen::VectorXd b = X.transpose() * (y.array() - c.y_mean).matrix();
    Eigen::MatrixXd factor = A;  // overwritten by the Cholesky factor
    Eigen::VectorXd theta = b;
    if (!blas::cholesky_solve(A.rows(), factor.data(), theta.data())) {
        // λ = 0 with singular XᵀX: the minimum-norm solution
        theta = A.completeOrthogonalDecomposition().solve(b);
    }
    return c.model(theta);
}

RidgePath::RidgePath(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, bool fit_intercept)
    : centering_(X, y, fit_intercept), n_(static_cast<double>(X.rows())) {
    const Eigen::MatrixXd Xc = X.rowwise() - centering_.x_mean;  // (N, P)
    Eigen::BDCSVD<Eigen::MatrixXd> svd(Xc, Eigen::ComputeThinU | Eigen::ComputeThinV);
    V_ = svd.matrixV();
    sigma_ = svd.singularValues();
    uty_ = svd.matrixU().transpose() * (y.array() - centering_.y_mean).matrix();
}

LinearModel RidgePath::fit(double lambda) const {
    check_lambda(lambda);
    const double cut = sigma_.size() ? 1e-15 * sigma_(0) * std::sqrt(n_) : 0.0;
    Eigen::VectorXd w(sigma_.size());  // σᵢ/(σᵢ² + nλ) Uᵀy
    for (Eigen::Index i = 0; i < sigma_.size(); ++i) {
        const double s = sigma_(i);
        w(i) = s > cut ? s / (s * s + n_ * lambda) * uty_(i) : 0.0;
    }
    return centering_.model(V_ * w);
}

double RidgePath::effective_dof(double lambda) const {
    const Eigen::ArrayXd s2 = sigma_.array().square();
    return (s2 / (s2 + n_ * lambda)).sum();
}

}  // namespace gibbs::linear
