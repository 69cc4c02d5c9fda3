// Resampling for model assessment: train/test split, k-fold cross-validation, the bootstrap, and
// the bias–variance decomposition of the test error estimated by the bootstrap
// (Hastie, Tibshirani & Friedman, The Elements of Statistical Learning, §7.3 and §7.10–7.11):
//
//   E[(y − ỹ)²] = (1/n)Σᵢ(yᵢ − E[ỹᵢ])² + (1/n)Σᵢ Var[ỹᵢ] (+ σ² inside the first term for noisy y),
//
// with the expectations over models fitted to B bootstrap resamples of the training set.
#pragma once

#include <functional>
#include <vector>

#include <Eigen/Core>

#include "gibbs/linear/model.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::linear {

using Indices = std::vector<Eigen::Index>;

struct Split {
    Indices train, test;
};

// A random permutation of 0..n−1, the last round(test_fraction·n) indices for testing.
Split train_test_split(Eigen::Index n, double test_fraction, Generator& gen);

// k folds of a random permutation; fold i tests on the i-th slice (sizes differ by at most one).
std::vector<Split> kfold(Eigen::Index n, int k, Generator& gen);

// n indices drawn uniformly with replacement.
Indices bootstrap_sample(Eigen::Index n, Generator& gen);

Eigen::MatrixXd take_rows(const Eigen::MatrixXd& X, const Indices& rows);
Eigen::VectorXd take_rows(const Eigen::VectorXd& y, const Indices& rows);

// Fits a model to (X, y): the function the resampling loops call.
using Fitter = std::function<LinearModel(const Eigen::MatrixXd& X, const Eigen::VectorXd& y)>;

struct CvScore {
    double mse = 0.0, mse_se = 0.0;  // mean over folds and its standard error
    double r2 = 0.0;
};
CvScore cross_validate(const Fitter& fit, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int k,
                       Generator& gen);

struct BiasVariance {
    double error = 0.0;     // (1/n)Σᵢ E[(yᵢ − ỹᵢ)²]
    double bias2 = 0.0;     // (1/n)Σᵢ (yᵢ − E[ỹᵢ])²
    double variance = 0.0;  // (1/n)Σᵢ Var[ỹᵢ]
};
// The test set's error, bias² and variance over B bootstrap refits; error = bias2 + variance.
BiasVariance bias_variance(const Fitter& fit, const Eigen::MatrixXd& X_train,
                           const Eigen::VectorXd& y_train, const Eigen::MatrixXd& X_test,
                           const Eigen::VectorXd& y_test, int B, Generator& gen);

}  // namespace gibbs::linear
