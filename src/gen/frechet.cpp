// Gaussian moments of feature sets and the Fréchet distance between them (gibbs/gen/frechet.hpp).
#include <Eigen/Dense>
#include <cmath>

#include "gibbs/gen/frechet.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A float64 contiguous copy (or the tensor itself) to map with Eigen.
Tensor as_f64(const Tensor& t) { return t.to(DType::f64).contiguous(); }

bool all_finite(const Tensor& t) {
    const double* p = t.data<double>();
    for (int64_t i = 0; i < t.numel(); ++i)
        if (!std::isfinite(p[i])) return false;
    return true;
}

Tensor to_tensor(const Eigen::MatrixXd& m) {
    Tensor t = Tensor::empty({m.rows(), m.cols()}, DType::f64);
    Eigen::Map<RowMatrix>(t.data<double>(), m.rows(), m.cols()) = m;
    return t;
}

// V diag(√max(λ, 0)) Vᵀ for a symmetric S (only its lower triangle is read by the solver).
Eigen::MatrixXd sqrt_symmetric(const Eigen::MatrixXd& S) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(S);
    check(eig.info() == Eigen::Success, "psd_sqrt: the eigensolver did not converge on a ",
          S.rows(), "x", S.cols(), " matrix");
    const Eigen::VectorXd root = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt();
    return eig.eigenvectors() * root.asDiagonal() * eig.eigenvectors().transpose();
}

}  // namespace

GaussianMoments gaussian_moments(const Tensor& features) {
    check(features.dim() == 2, "gaussian_moments: features must be (n, F), got ", features.shape());
    const int64_t n = features.size(0), F = features.size(1);
    check(n >= 2, "gaussian_moments: the covariance needs at least 2 rows, got ", n);
    const Tensor x = as_f64(features);
    check(all_finite(x), "gaussian_moments: the features ", features.shape(),
          " hold a value that is not finite");
    const Eigen::Map<const RowMatrix> X(x.data<double>(), n, F);
    const Eigen::RowVectorXd mu = X.colwise().mean();  // (F)
    const RowMatrix D = X.rowwise() - mu;              // (n, F)
    const Eigen::MatrixXd S = D.transpose() * D / static_cast<double>(n - 1);
    GaussianMoments m;
    m.mean = Tensor::empty({F}, DType::f64);
    Eigen::Map<Eigen::RowVectorXd>(m.mean.data<double>(), F) = mu;
    m.cov = to_tensor(S);
    m.n = n;
    return m;
}

Tensor psd_sqrt(const Tensor& S) {
    check(S.dim() == 2 && S.size(0) == S.size(1), "psd_sqrt: S must be square, got ", S.shape());
    const Tensor s = as_f64(S);
    check(all_finite(s), "psd_sqrt: S ", S.shape(), " holds a value that is not finite");
    const int64_t F = S.size(0);
    return to_tensor(sqrt_symmetric(Eigen::Map<const RowMatrix>(s.data<double>(), F, F)));
}

double frechet_distance(const Tensor& mu1, const Tensor& S1, const Tensor& mu2, const Tensor& S2) {
    check(mu1.dim() == 1 && mu2.dim() == 1 && mu1.size(0) == mu2.size(0),
          "frechet_distance: the means must be vectors of one length, got ", mu1.shape(), " and ",
          mu2.shape());
    const int64_t F = mu1.size(0);
    for (const Tensor* S : {&S1, &S2})
        check(S->dim() == 2 && S->size(0) == F && S->size(1) == F, "frechet_distance: for means (",
              F, ") the covariances must be (", F, ", ", F, "), got ", S1.shape(), " and ",
              S2.shape());
    const Tensor m1 = as_f64(mu1), m2 = as_f64(mu2), s1 = as_f64(S1), s2 = as_f64(S2);
    for (const Tensor* t : {&m1, &m2, &s1, &s2})
        check(all_finite(*t), "frechet_distance: a mean or covariance (F = ", F,
              ") holds a value that is not finite");
    const Eigen::Map<const Eigen::VectorXd> a(m1.data<double>(), F), b(m2.data<double>(), F);
    const Eigen::Map<const RowMatrix> A(s1.data<double>(), F, F), B(s2.data<double>(), F, F);
    // tr (A^{1/2} B A^{1/2})^{1/2} = Σ √λ of the symmetric product (symmetrized against rounding).
    const Eigen::MatrixXd root_A = sqrt_symmetric(A);
    Eigen::MatrixXd M = root_A * B * root_A;
    M = 0.5 * (M + M.transpose()).eval();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(M, Eigen::EigenvaluesOnly);
    check(eig.info() == Eigen::Success,
          "frechet_distance: the eigensolver did not converge (F = ", F, ")");
    const double trace_root = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
    return (a - b).squaredNorm() + A.trace() + B.trace() - 2 * trace_root;
}

double frechet_distance(const GaussianMoments& a, const GaussianMoments& b) {
    return frechet_distance(a.mean, a.cov, b.mean, b.cov);
}

}  // namespace gibbs::gen
