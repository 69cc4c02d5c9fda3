// Internal: the Gram matrix G = XᵀX of a tall matrix, the one O(NP²) step shared by Ridge's
// Cholesky solve and the covariance-update coordinate descent of elastic_net_path.
#pragma once

#include <Eigen/Core>

namespace gibbs::linear::detail {

// G = (X − 1x̄)ᵀ(X − 1x̄), both triangles filled; one triangle is computed (BLAS SYRK).
Eigen::MatrixXd centered_gram(const Eigen::MatrixXd& X, const Eigen::RowVectorXd& x_mean);

}  // namespace gibbs::linear::detail
