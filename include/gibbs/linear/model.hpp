// The fitted linear model ỹ = θ₀ + Xθ shared by every regression in gibbs::linear, and the
// preprocessing that goes with it: centering (the unpenalized intercept) and standardization.
//
// Intercept. With fit_intercept the intercept θ₀ is not penalized: X and y are centered with the
// training means x̄, ȳ, the penalized problem is solved for θ on the centered data, and
// θ₀ = ȳ − x̄ᵀθ. Without it, the user's X may carry a column of ones (which is then penalized
// like any other coefficient in Ridge and Lasso).
#pragma once

#include <Eigen/Core>

namespace gibbs::linear {

struct LinearModel {
    double intercept = 0.0;
    Eigen::VectorXd coef;  // (P)

    Eigen::VectorXd predict(const Eigen::MatrixXd& X) const {
        return (X * coef).array() + intercept;
    }
};

// Column means of X and the mean of y, or zeros when no intercept is fitted.
struct Centering {
    Eigen::RowVectorXd x_mean;  // (P)
    double y_mean = 0.0;

    Centering() = default;
    Centering(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, bool fit_intercept);
    // θ₀ = ȳ − x̄ᵀθ.
    LinearModel model(const Eigen::VectorXd& theta) const {
        return {y_mean - x_mean.dot(theta), theta};
    }
};

// x ↦ (x − μ)/σ per column with μ, σ the training set's mean and population standard deviation
// (divisor N, as scikit-learn's StandardScaler); a constant column keeps σ = 1.
struct Standardizer {
    Eigen::RowVectorXd mean;   // (P)
    Eigen::RowVectorXd scale;  // (P)

    static Standardizer fit(const Eigen::MatrixXd& X);
    Eigen::MatrixXd transform(const Eigen::MatrixXd& X) const;
    // A model fitted on standardized columns, rewritten for the raw columns:
    // θ_raw = θ/σ, θ₀_raw = θ₀ − Σ μ θ/σ.
    LinearModel to_raw(const LinearModel& standardized) const;
};

}  // namespace gibbs::linear
