// Design matrices: polynomial features in one, two or more variables, and the Franke function
// used throughout the course as a test surface for two-variable fits.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace gibbs::linear {

struct Design {
    Eigen::MatrixXd X;               // (N, P)
    std::vector<std::string> names;  // (P) e.g. "x^2 y"
};

// All monomials x₁^{k₁}⋯x_d^{k_d} with 1 ≤ Σk ≤ degree (plus the constant 1 first when
// include_bias), ordered by total degree and then as scikit-learn's PolynomialFeatures
// (combinations with replacement of the variables). `names` names the variables.
Design polynomial_features(const Eigen::MatrixXd& X, int degree,
                           const std::vector<std::string>& names, bool include_bias = false);

// One variable: columns x, x², …, x^p.
Design polynomial_features(const Eigen::VectorXd& x, int degree, bool include_bias = false);

// Two variables: columns xⁱyʲ with 1 ≤ i + j ≤ p, (p+1)(p+2)/2 − 1 of them.
Design polynomial_features(const Eigen::VectorXd& x, const Eigen::VectorXd& y, int degree,
                           bool include_bias = false);

// Franke, R. (1979), "A critical comparison of some methods for interpolation of scattered data":
// f(x,y) = ¾exp(−(9x−2)²/4 − (9y−2)²/4) + ¾exp(−(9x+1)²/49 − (9y+1)/10)
//        + ½exp(−(9x−7)²/4 − (9y−3)²/4) − ⅕exp(−(9x−4)² − (9y−7)²).
double franke(double x, double y);

}  // namespace gibbs::linear
