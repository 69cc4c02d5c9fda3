// Polynomial design matrices and the Franke function (see design.hpp).
#include "gibbs/linear/design.hpp"

#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {

// Calls visit(powers) for every multiset of variables of size `degree`, in the order of
// itertools.combinations_with_replacement, which is scikit-learn's column order.
template <typename Visit>
void combinations(int d, int degree, std::vector<int>& chosen, int start, Visit&& visit) {
    if (static_cast<int>(chosen.size()) == degree) {
        visit(chosen);
        return;
    }
    for (int v = start; v < d; ++v) {
        chosen.push_back(v);
        combinations(d, degree, chosen, v, visit);
        chosen.pop_back();
    }
}

}  // namespace

Design polynomial_features(const Eigen::MatrixXd& X, int degree,
                           const std::vector<std::string>& names, bool include_bias) {
    check(degree >= 1, "polynomial_features: degree must be >= 1, got ", degree);
    check(static_cast<Eigen::Index>(names.size()) == X.cols(),
          "polynomial_features: ", names.size(), " names for ", X.cols(), " columns");
    const int d = static_cast<int>(X.cols());
    std::vector<Eigen::VectorXd> cols;
    Design out;
    if (include_bias) {
        cols.push_back(Eigen::VectorXd::Ones(X.rows()));
        out.names.push_back("1");
    }
    std::vector<int> chosen;
    for (int k = 1; k <= degree; ++k) {
        combinations(d, k, chosen, 0, [&](const std::vector<int>& vars) {
            Eigen::VectorXd c = Eigen::VectorXd::Ones(X.rows());
            std::vector<int> power(d, 0);
            for (int v : vars) {
                c.array() *= X.col(v).array();
                ++power[v];
            }
            std::string name;
            for (int v = 0; v < d; ++v) {
                if (power[v] == 0) continue;
                if (!name.empty()) name += " ";
                name += names[v];
                if (power[v] > 1) {
                    name += '^';
                    name += std::to_string(power[v]);
                }
            }
            cols.push_back(std::move(c));
            out.names.push_back(std::move(name));
        });
    }
    out.X.resize(X.rows(), static_cast<Eigen::Index>(cols.size()));
    for (size_t j = 0; j < cols.size(); ++j) out.X.col(static_cast<Eigen::Index>(j)) = cols[j];
    return out;
}

Design polynomial_features(const Eigen::VectorXd& x, int degree, bool include_bias) {
    return polynomial_features(Eigen::MatrixXd(x), degree, {"x"}, include_bias);
}

Design polynomial_features(const Eigen::VectorXd& x, const Eigen::VectorXd& y, int degree,
                           bool include_bias) {
    check(x.size() == y.size(), "polynomial_features: x has ", x.size(), " values, y has ",
          y.size());
    Eigen::MatrixXd xy(x.size(), 2);
    xy << x, y;
    return polynomial_features(xy, degree, {"x", "y"}, include_bias);
}

double franke(double x, double y) {
    const double t1 =
        0.75 * std::exp(-0.25 * std::pow(9 * x - 2, 2) - 0.25 * std::pow(9 * y - 2, 2));
    const double t2 = 0.75 * std::exp(-std::pow(9 * x + 1, 2) / 49.0 - 0.1 * (9 * y + 1));
    const double t3 =
        0.5 * std::exp(-0.25 * std::pow(9 * x - 7, 2) - 0.25 * std::pow(9 * y - 3, 2));
    const double t4 = -0.2 * std::exp(-std::pow(9 * x - 4, 2) - std::pow(9 * y - 7, 2));
    return t1 + t2 + t3 + t4;
}

}  // namespace gibbs::linear
