// Lasso and elastic net by cyclic coordinate descent (Friedman, Hastie & Tibshirani,
// "Regularization paths for generalized linear models via coordinate descent", J. Stat. Softw. 33
// (2010)):
//
//   C(θ) = (1/n)‖y − Xθ‖² + λ₁‖θ‖₁ + λ₂‖θ‖²        (Lasso: λ₂ = 0; Tibshirani 1996)
//
// One coordinate at a time, with ρⱼ = (1/n)Xⱼᵀ(y − Xθ + Xⱼθⱼ),
//   θⱼ ← S(ρⱼ, λ₁/2) / ((1/n)‖Xⱼ‖² + λ₂),   S(z, t) = sign(z)·max(|z| − t, 0)  (soft thresholding).
// The intercept, if fitted, is not penalized (columns and y are centered).
//
// Convergence is certified by the duality gap: with r = y − Xθ the dual point
// ν = s·r, s = min(1, (nλ₁/2)/‖Xᵀr − nλ₂θ‖_∞), bounds C from below; fitting stops when the gap of
// (n/2)C, the objective ½‖r‖² + (nλ₁/2)‖θ‖₁ + (nλ₂/2)‖θ‖², is at most tol·‖y − ȳ‖². That is
// scikit-learn's criterion: the same tol means the same accuracy.
//
// scikit-learn: Lasso(alpha) minimizes (1/2n)‖y − Xw‖² + α‖w‖₁, so α = λ₁/2.
// ElasticNet(alpha, l1_ratio) minimizes (1/2n)‖y − Xw‖² + αρ‖w‖₁ + ½α(1−ρ)‖w‖², so
// α = λ₁/2 + λ₂ and ρ = (λ₁/2)/α. In the path's (λ, r) form below, λ₁ = rλ and λ₂ = (1 − r)λ.
//
// Speed. A single fit keeps the residual r and iterates over an active set, checking the KKT
// conditions of all other coordinates with one parallel product Xᵀr (glmnet's strategy). A path
// with n ≥ p uses covariance updates: G = XᵀX once, then every coordinate step costs O(p).
#pragma once

#include <vector>

#include "gibbs/linear/model.hpp"

namespace gibbs::linear {

enum class Precompute { automatic, gram, residual };

struct ElasticNetOptions {
    double lambda1 = 0.1;  // weight of ‖θ‖₁
    double lambda2 = 0.0;  // weight of ‖θ‖²
    bool fit_intercept = true;
    double tol = 1e-4;       // duality-gap tolerance, relative to ‖y − ȳ‖² (see above)
    int max_sweeps = 10000;  // passes over the coordinates
    Precompute precompute = Precompute::automatic;  // single fit: residual unless `gram`
};

struct ElasticNetFit {
    LinearModel model;
    double gap = 0.0;  // duality gap of C at the returned θ
    int sweeps = 0;
    bool converged = false;
};

// One fit; `warm_start` (P) is the initial θ.
ElasticNetFit fit_elastic_net(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                              const ElasticNetOptions& options,
                              const Eigen::VectorXd* warm_start = nullptr);

// The Lasso: fit_elastic_net with λ₂ = 0.
ElasticNetFit fit_lasso(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                        ElasticNetOptions options = {});

struct PathOptions {
    double l1_ratio = 1.0;  // r: λ₁ = rλ, λ₂ = (1 − r)λ
    bool fit_intercept = true;
    double tol = 1e-4;
    int max_sweeps = 10000;
    Precompute precompute = Precompute::automatic;  // gram when n ≥ p
};

// Fits every λ in `lambdas` (sorted large to small for warm starts), each starting from the
// previous solution.
std::vector<ElasticNetFit> elastic_net_path(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                                            const std::vector<double>& lambdas,
                                            const PathOptions& options = {});

// The smallest λ at which θ̂ = 0: λ_max = (2/(n r))·max_j |Xⱼᵀ(y − ȳ)| (centered columns).
double lambda_max(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double l1_ratio = 1.0,
                  bool fit_intercept = true);

// `count` values from λ_max down to eps·λ_max, evenly spaced in log λ.
std::vector<double> lambda_grid(double lambda_max, int count, double eps = 1e-3);

}  // namespace gibbs::linear
