// Logistic (binary) and multinomial (softmax) regression with an L2 penalty on the weights; the
// intercepts are not penalized. With zᵢ = θ₀ + xᵢᵀθ and σ(z) = 1/(1 + e^{−z}):
//
//   binary:   C(θ₀, θ) = −(1/n)Σᵢ [yᵢ log σ(zᵢ) + (1 − yᵢ) log(1 − σ(zᵢ))] + λ‖θ‖²
//             ∇_θ C = (1/n)Xᵀ(σ(z) − y) + 2λθ,   ∇²C = (1/n)X̃ᵀ diag(σ(1 − σ)) X̃ + 2λI
//   softmax:  C(b, Θ) = −(1/n)Σᵢ log pᵢ,yᵢ + λ‖Θ‖²_F,  pᵢₖ = e^{zᵢₖ}/Σₗ e^{zᵢₗ}, zᵢ = b + Θᵀxᵢ
//             ∇_Θ C = (1/n)Xᵀ(P − Y) + 2λΘ  (Y one-hot)
//
// Solvers: Newton's method, which for the binary case is iteratively reweighted least squares
// (IRLS), with backtracking; or L-BFGS (lbfgs.hpp). The softmax intercepts are defined up to a
// common shift; gibbs returns the ones with Σₖ bₖ = 0, as scikit-learn's lbfgs solver does.
//
// scikit-learn: LogisticRegression(C) minimizes C·Σᵢ lossᵢ + ½‖w‖², i.e. (1/n)Σ loss + ‖w‖²/(2nC),
// so C = 1/(2nλ). Its multinomial option penalizes all K weight vectors, as here.
#pragma once

#include <vector>

#include <Eigen/Core>

namespace gibbs::linear {

enum class LogisticSolver { newton, lbfgs };

struct LogisticOptions {
    double lambda = 0.0;  // L2 weight λ
    bool fit_intercept = true;
    LogisticSolver solver = LogisticSolver::newton;
    double tol = 1e-8;    // stop when ‖∇C‖_∞ ≤ tol
    int max_iter = 1000;  // Newton steps or L-BFGS iterations
};

struct LogisticModel {
    double intercept = 0.0;
    Eigen::VectorXd coef;  // (P)
    int iterations = 0;
    bool converged = false;

    Eigen::VectorXd decision(const Eigen::MatrixXd& X) const;       // (N) z
    Eigen::VectorXd predict_proba(const Eigen::MatrixXd& X) const;  // (N) σ(z)
    Eigen::VectorXi predict(const Eigen::MatrixXd& X) const;        // (N) 1 if z > 0
};

// y holds 0 and 1.
LogisticModel fit_logistic(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const LogisticOptions& options = {});

struct SoftmaxModel {
    Eigen::VectorXd intercept;  // (K)
    Eigen::MatrixXd coef;       // (P, K)
    int iterations = 0;
    bool converged = false;

    Eigen::MatrixXd predict_proba(const Eigen::MatrixXd& X) const;  // (N, K)
    Eigen::VectorXi predict(const Eigen::MatrixXd& X) const;        // (N) argmax
};

// labels hold classes 0, …, K−1 (K = max label + 1, at least 2).
SoftmaxModel fit_softmax(const Eigen::MatrixXd& X, const Eigen::VectorXi& labels,
                         const LogisticOptions& options = {});

// Distinct values of y in increasing order and each yᵢ's index among them.
struct Labels {
    Eigen::VectorXi index;        // (N)
    std::vector<double> classes;  // (K)
};
Labels encode_labels(const Eigen::VectorXd& y);

}  // namespace gibbs::linear
