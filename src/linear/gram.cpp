// The centered Gram matrix (see gram.hpp) by one BLAS SYRK on the fast OpenBLAS kernel (Eigen's
// rankUpdate ran at a third of its speed here).
#include "linear/gram.hpp"

#include <Eigen/Dense>

#include "gibbs/tensor/blas.hpp"

namespace gibbs::linear::detail {

Eigen::MatrixXd centered_gram(const Eigen::MatrixXd& X, const Eigen::RowVectorXd& x_mean) {
    const Eigen::Index n = X.rows(), p = X.cols();
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(p, p);  // (P, P)
    const Eigen::MatrixXd Xc = X.rowwise() - x_mean;  // (N, P)
    // Column-major Xc (N, P) is row-major Xcᵀ (P, N): G = Xcᵀ Xc = A Aᵀ with A = Xcᵀ. The row-major
    // lower triangle written is the column-major upper one.
    blas::syrk_lower(p, n, 1.0, Xc.data(), n, 0.0, G.data(), p);
    G.triangularView<Eigen::StrictlyLower>() = G.transpose();
    return G;
}

}  // namespace gibbs::linear::detail
