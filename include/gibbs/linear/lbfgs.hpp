// Limited-memory BFGS (Nocedal, Math. Comp. 35, 773 (1980); Nocedal & Wright, Numerical
// Optimization, Alg. 7.4 and 7.5) on Eigen vectors, for the smooth convex costs of this folder
// (logistic and softmax regression). The direction d = −H∇f comes from the two-loop recursion over
// the last m pairs sₖ = xₖ₊₁ − xₖ, yₖ = ∇fₖ₊₁ − ∇fₖ, with H₀ = (sᵀy/yᵀy)I; the step length
// satisfies the strong Wolfe conditions (zoom line search, Nocedal & Wright Alg. 3.5–3.6).
// The general optimizer library (src/optim) will have its own; this one serves layer 4 alone.
#pragma once

#include <Eigen/Core>
#include <functional>

namespace gibbs::linear {

struct LbfgsOptions {
    int memory = 10;
    int max_iter = 1000;
    double gtol = 1e-8;  // stop when ‖∇f‖_∞ ≤ gtol
    double ftol = 0.0;   // and when the relative decrease of f is ≤ ftol (0: off)
    double c1 = 1e-4;    // sufficient decrease
    double c2 = 0.9;     // curvature
};

struct LbfgsResult {
    Eigen::VectorXd x;
    double f = 0.0;
    double grad_norm = 0.0;  // ‖∇f‖_∞ at x
    int iterations = 0;
    bool converged = false;
};

// f(x, grad) returns f(x) and writes ∇f(x) into grad (already sized).
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

LbfgsResult lbfgs(const Objective& f, Eigen::VectorXd x0, const LbfgsOptions& options = {});

}  // namespace gibbs::linear
