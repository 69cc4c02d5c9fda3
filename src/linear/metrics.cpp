// Regression and classification scores (see metrics.hpp).
#include "gibbs/linear/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {
constexpr double kClip = 1e-15;
void same_size(Eigen::Index a, Eigen::Index b, const char* what) {
    check(a == b && a > 0, what, ": sizes ", a, " and ", b, " differ or are empty");
}
}  // namespace

double mse(const Eigen::VectorXd& y, const Eigen::VectorXd& y_pred) {
    same_size(y.size(), y_pred.size(), "mse");
    return (y - y_pred).squaredNorm() / static_cast<double>(y.size());
}

double r2_score(const Eigen::VectorXd& y, const Eigen::VectorXd& y_pred) {
    same_size(y.size(), y_pred.size(), "r2_score");
    const double ss_tot = (y.array() - y.mean()).square().sum();
    const double ss_res = (y - y_pred).squaredNorm();
    if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : 0.0;  // scikit-learn's convention
    return 1.0 - ss_res / ss_tot;
}

double accuracy(const Eigen::VectorXi& labels, const Eigen::VectorXi& predicted) {
    same_size(labels.size(), predicted.size(), "accuracy");
    return static_cast<double>((labels.array() == predicted.array()).count()) /
           static_cast<double>(labels.size());
}

double log_loss(const Eigen::VectorXd& y, const Eigen::VectorXd& p) {
    same_size(y.size(), p.size(), "log_loss");
    double total = 0.0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
        const double q = std::clamp(p(i), kClip, 1.0 - kClip);
        total -= y(i) * std::log(q) + (1.0 - y(i)) * std::log1p(-q);
    }
    return total / static_cast<double>(y.size());
}

double log_loss(const Eigen::VectorXi& labels, const Eigen::MatrixXd& P) {
    same_size(labels.size(), P.rows(), "log_loss");
    double total = 0.0;
    for (Eigen::Index i = 0; i < labels.size(); ++i) {
        check(labels(i) >= 0 && labels(i) < P.cols(), "log_loss: label ", labels(i),
              " out of range");
        total -= std::log(std::clamp(P(i, labels(i)), kClip, 1.0 - kClip));
    }
    return total / static_cast<double>(labels.size());
}

}  // namespace gibbs::linear
