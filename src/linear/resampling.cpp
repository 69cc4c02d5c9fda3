// Splits, folds, bootstrap samples and the bias–variance decomposition (see resampling.hpp).
#include "gibbs/linear/resampling.hpp"

#include <cmath>
#include <numeric>

#include "gibbs/linear/metrics.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {
// Fisher–Yates shuffle of 0..n−1.
Indices permutation(Eigen::Index n, Generator& gen) {
    Indices idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), Eigen::Index{0});
    for (Eigen::Index i = n - 1; i > 0; --i) std::swap(idx[i], idx[gen.integer(0, i + 1)]);
    return idx;
}
}  // namespace

Split train_test_split(Eigen::Index n, double test_fraction, Generator& gen) {
    check(test_fraction > 0.0 && test_fraction < 1.0,
          "train_test_split: test_fraction must be in (0, 1), got ", test_fraction);
    const auto n_test = static_cast<Eigen::Index>(std::llround(test_fraction * n));
    check(n_test >= 1 && n_test < n, "train_test_split: ", n, " rows are too few to split");
    Indices idx = permutation(n, gen);
    return {Indices(idx.begin(), idx.end() - n_test), Indices(idx.end() - n_test, idx.end())};
}

std::vector<Split> kfold(Eigen::Index n, int k, Generator& gen) {
    check(k >= 2, "kfold: k must be >= 2, got ", k);
    check(n >= k, "kfold: ", n, " rows are too few for ", k, " folds");
    const Indices idx = permutation(n, gen);
    std::vector<Split> folds(k);
    Eigen::Index start = 0;
    for (int f = 0; f < k; ++f) {
        const Eigen::Index size = n / k + (f < n % k ? 1 : 0);
        for (Eigen::Index i = 0; i < n; ++i)
            (i >= start && i < start + size ? folds[f].test : folds[f].train).push_back(idx[i]);
        start += size;
    }
    return folds;
}

Indices bootstrap_sample(Eigen::Index n, Generator& gen) {
    check(n >= 1, "bootstrap_sample: no rows");
    Indices idx(static_cast<size_t>(n));
    for (auto& i : idx) i = gen.integer(0, n);
    return idx;
}

Eigen::MatrixXd take_rows(const Eigen::MatrixXd& X, const Indices& rows) {
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), X.cols());
    for (size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
    return out;
}

Eigen::VectorXd take_rows(const Eigen::VectorXd& y, const Indices& rows) {
    Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = y(rows[i]);
    return out;
}

CvScore cross_validate(const Fitter& fit, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int k,
                       Generator& gen) {
    check(X.rows() == y.size(), "cross_validate: X has ", X.rows(), " rows but y has ", y.size());
    const std::vector<Split> folds = kfold(X.rows(), k, gen);
    Eigen::VectorXd fold_mse(k), fold_r2(k);
    for (int f = 0; f < k; ++f) {
        const LinearModel m = fit(take_rows(X, folds[f].train), take_rows(y, folds[f].train));
        const Eigen::VectorXd y_test = take_rows(y, folds[f].test);
        const Eigen::VectorXd pred = m.predict(take_rows(X, folds[f].test));
        fold_mse(f) = mse(y_test, pred);
        fold_r2(f) = r2_score(y_test, pred);
    }
    CvScore s;
    s.mse = fold_mse.mean();
    s.mse_se = std::sqrt((fold_mse.array() - s.mse).square().sum() / (k - 1) / k);
    s.r2 = fold_r2.mean();
    return s;
}

BiasVariance bias_variance(const Fitter& fit, const Eigen::MatrixXd& X_train,
                           const Eigen::VectorXd& y_train, const Eigen::MatrixXd& X_test,
                           const Eigen::VectorXd& y_test, int B, Generator& gen) {
    check(B >= 2, "bias_variance: need at least 2 bootstrap samples, got ", B);
    check(X_test.rows() == y_test.size() && X_test.rows() > 0, "bias_variance: bad test set");
    const Eigen::Index m = X_test.rows();
    Eigen::MatrixXd pred(m, B);  // (M, B) ỹ of each refit on the test points
    for (int b = 0; b < B; ++b) {
        const Indices idx = bootstrap_sample(X_train.rows(), gen);
        pred.col(b) = fit(take_rows(X_train, idx), take_rows(y_train, idx)).predict(X_test);
    }
    const Eigen::VectorXd mean = pred.rowwise().mean();  // (M) E[ỹᵢ]
    BiasVariance bv;
    bv.error = (pred.colwise() - y_test).array().square().mean();
    bv.bias2 = (y_test - mean).array().square().mean();
    bv.variance = (pred.colwise() - mean).array().square().mean();
    return bv;
}

}  // namespace gibbs::linear
