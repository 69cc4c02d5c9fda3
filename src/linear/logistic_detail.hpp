// Internal helpers shared by the binary and softmax fits.
#pragma once

#include <Eigen/Core>

#include "gibbs/linear/logistic.hpp"

namespace gibbs::linear::detail {

void check_logistic(const Eigen::MatrixXd& X, Eigen::Index n_targets, const LogisticOptions& o);
// X̃ = [1 X] (N, 1 + P) with an intercept, else X.
Eigen::MatrixXd with_ones(const Eigen::MatrixXd& X, bool fit_intercept);

}  // namespace gibbs::linear::detail
