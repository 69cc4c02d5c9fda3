// Centering and standardization (see model.hpp).
#include "gibbs/linear/model.hpp"

#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

Centering::Centering(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, bool fit_intercept) {
    check(X.rows() == y.size(), "linear model: X has ", X.rows(), " rows but y has ", y.size());
    check(X.rows() > 0, "linear model: no rows");
    if (fit_intercept) {
        x_mean = X.colwise().mean();
        y_mean = y.mean();
    } else {
        x_mean = Eigen::RowVectorXd::Zero(X.cols());
    }
}

Standardizer Standardizer::fit(const Eigen::MatrixXd& X) {
    check(X.rows() > 0, "Standardizer: no rows");
    Standardizer s;
    s.mean = X.colwise().mean();
    s.scale = ((X.rowwise() - s.mean).array().square().colwise().mean()).sqrt();
    for (Eigen::Index j = 0; j < s.scale.size(); ++j)
        if (!(s.scale(j) > 0.0)) s.scale(j) = 1.0;
    return s;
}

Eigen::MatrixXd Standardizer::transform(const Eigen::MatrixXd& X) const {
    check(X.cols() == mean.size(), "Standardizer: fitted on ", mean.size(), " columns, got ",
          X.cols());
    return (X.rowwise() - mean).array().rowwise() / scale.array();
}

LinearModel Standardizer::to_raw(const LinearModel& m) const {
    LinearModel raw;
    raw.coef = m.coef.array() / scale.transpose().array();
    raw.intercept = m.intercept - mean.dot(raw.coef);
    return raw;
}

}  // namespace gibbs::linear
