// The centered Gram matrix (see gram.hpp) by one BLAS SYRK on the fast OpenBLAS kernel (Eigen's
// rankUpdate ran at a third of its speed here).
//
// (X − 1x̄)ᵀ(X − 1x̄) = XᵀX − N x̄ᵀx̄, so the SYRK runs on X itself and a rank-one update centers
// it: no (N, P) copy of X is made. The subtraction cancels digits when a column's mean is large
// against its spread: Gⱼⱼ(raw)/Gⱼⱼ(centered) = 1 + (x̄ⱼ/sⱼ)² is the factor by which the rounding
// error of the raw Gram matrix is magnified. Above kMaxCancellation (four digits of the sixteen)
// the centered copy is made instead, as before.
#include "linear/gram.hpp"

#include <Eigen/Dense>

#include "gibbs/tensor/blas.hpp"

namespace gibbs::linear::detail {

namespace {
constexpr double kMaxCancellation = 1e4;

// G's lower triangle (column-major upper) into both triangles.
void symmetrize(Eigen::MatrixXd& G) { G.triangularView<Eigen::StrictlyLower>() = G.transpose(); }
}  // namespace

Eigen::MatrixXd centered_gram(const Eigen::MatrixXd& X, const Eigen::RowVectorXd& x_mean) {
    const Eigen::Index n = X.rows(), p = X.cols();
    Eigen::MatrixXd G(p, p);  // (P, P); SYRK with β = 0 writes it without reading it
    // Column-major X (N, P) is row-major Xᵀ (P, N): G = XᵀX = A Aᵀ with A = Xᵀ. The row-major
    // lower triangle written is the column-major upper one.
    blas::syrk_lower(p, n, 1.0, X.data(), n, 0.0, G.data(), p);
    const double nd = static_cast<double>(n);
    bool safe = true;
    for (Eigen::Index j = 0; j < p && safe; ++j) {
        const double raw = G(j, j), centered = raw - nd * x_mean(j) * x_mean(j);
        safe = raw == 0.0 || (centered > 0.0 && raw <= kMaxCancellation * centered);
    }
    if (safe) {
        for (Eigen::Index j = 0; j < p; ++j)  // upper triangle (column-major): i ≤ j
            for (Eigen::Index i = 0; i <= j; ++i) G(i, j) -= nd * x_mean(i) * x_mean(j);
        symmetrize(G);
        return G;
    }
    const Eigen::MatrixXd Xc = X.rowwise() - x_mean;  // (N, P)
    blas::syrk_lower(p, n, 1.0, Xc.data(), n, 0.0, G.data(), p);
    symmetrize(G);
    return G;
}

}  // namespace gibbs::linear::detail
