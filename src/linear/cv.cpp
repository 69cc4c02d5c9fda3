// Cross-validated λ for Ridge and the elastic net (see cv.hpp).
#include "gibbs/linear/cv.hpp"

#include <cmath>

#include "gibbs/linear/metrics.hpp"
#include "gibbs/linear/resampling.hpp"
#include "gibbs/linear/ridge.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {

// Runs `path(X_train, y_train)` → one model per λ on each fold and scores them on the held-out
// part.
template <typename Path>
LambdaCv cross_validate_path(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                             const std::vector<double>& lambdas, int k, Generator& gen,
                             bool standardize, Path&& path) {
    check(!lambdas.empty(), "cross-validation: no lambda values");
    check(X.rows() == y.size(), "cross-validation: X has ", X.rows(), " rows but y has ", y.size());
    const std::vector<Split> folds = kfold(X.rows(), k, gen);
    const size_t L = lambdas.size();
    Eigen::MatrixXd err(L, k);  // (L, K) held-out MSE
    for (int f = 0; f < k; ++f) {
        Eigen::MatrixXd Xtr = take_rows(X, folds[f].train), Xte = take_rows(X, folds[f].test);
        if (standardize) {
            const Standardizer s = Standardizer::fit(Xtr);
            Xtr = s.transform(Xtr);
            Xte = s.transform(Xte);
        }
        const Eigen::VectorXd yte = take_rows(y, folds[f].test);
        const std::vector<LinearModel> models = path(Xtr, take_rows(y, folds[f].train));
        for (size_t l = 0; l < L; ++l)
            err(static_cast<Eigen::Index>(l), f) = mse(yte, models[l].predict(Xte));
    }
    LambdaCv cv;
    cv.lambdas = lambdas;
    for (size_t l = 0; l < L; ++l) {
        const auto row = err.row(static_cast<Eigen::Index>(l)).array();
        const double m = row.mean();
        cv.mse.push_back(m);
        cv.mse_se.push_back(std::sqrt((row - m).square().sum() / (k - 1) / k));
        if (cv.mse[l] < cv.mse[cv.best]) cv.best = l;
    }
    return cv;
}

}  // namespace

LambdaCv cv_ridge(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                  const std::vector<double>& lambdas, int k, Generator& gen, bool standardize) {
    return cross_validate_path(X, y, lambdas, k, gen, standardize,
                               [&](const Eigen::MatrixXd& Xt, const Eigen::VectorXd& yt) {
                                   const RidgePath path(Xt, yt);
                                   std::vector<LinearModel> out;
                                   for (double lambda : lambdas) out.push_back(path.fit(lambda));
                                   return out;
                               });
}

LambdaCv cv_elastic_net(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                        const std::vector<double>& lambdas, int k, Generator& gen,
                        const PathOptions& options, bool standardize) {
    return cross_validate_path(X, y, lambdas, k, gen, standardize,
                               [&](const Eigen::MatrixXd& Xt, const Eigen::VectorXd& yt) {
                                   std::vector<LinearModel> out;
                                   for (auto& f : elastic_net_path(Xt, yt, lambdas, options))
                                       out.push_back(f.model);
                                   return out;
                               });
}

}  // namespace gibbs::linear
