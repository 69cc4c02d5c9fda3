// Scores for model assessment:
//   MSE = (1/n)Σ(yᵢ − ỹᵢ)²,  R² = 1 − Σ(yᵢ − ỹᵢ)²/Σ(yᵢ − ȳ)²,
//   accuracy = (1/n)Σ I(tᵢ = t̃ᵢ),  log-loss = −(1/n)Σᵢ log p̃ᵢ,tᵢ (probabilities clipped to
//   [1e−15, 1 − 1e−15], as scikit-learn does).
#pragma once

#include <Eigen/Core>

namespace gibbs::linear {

double mse(const Eigen::VectorXd& y, const Eigen::VectorXd& y_pred);
double r2_score(const Eigen::VectorXd& y, const Eigen::VectorXd& y_pred);
double accuracy(const Eigen::VectorXi& labels, const Eigen::VectorXi& predicted);
// Binary: y ∈ {0, 1}, p = P(y = 1).
double log_loss(const Eigen::VectorXd& y, const Eigen::VectorXd& p);
// Multiclass: labels in 0..K−1, P (N, K).
double log_loss(const Eigen::VectorXi& labels, const Eigen::MatrixXd& P);

}  // namespace gibbs::linear
