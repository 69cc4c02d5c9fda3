// Choosing λ by k-fold cross-validation for Ridge and the elastic net. Every fold standardizes
// its columns with the means and deviations of its own training part only (standardize = true),
// so that nothing about the held-out rows leaks into the fit.
#pragma once

#include <vector>

#include "gibbs/linear/elastic_net.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::linear {

struct LambdaCv {
    std::vector<double> lambdas;
    std::vector<double> mse;     // mean held-out MSE over the folds, per λ
    std::vector<double> mse_se;  // its standard error
    size_t best = 0;             // index of the smallest mse
    double best_lambda() const { return lambdas[best]; }
};

// Ridge with one SVD per fold (RidgePath).
LambdaCv cv_ridge(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                  const std::vector<double>& lambdas, int k, Generator& gen,
                  bool standardize = true);

// Elastic net (Lasso for l1_ratio = 1) with one warm-started path per fold.
LambdaCv cv_elastic_net(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                        const std::vector<double>& lambdas, int k, Generator& gen,
                        const PathOptions& options = {}, bool standardize = true);

}  // namespace gibbs::linear
