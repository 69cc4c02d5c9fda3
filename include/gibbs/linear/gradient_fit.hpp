// The bridge from regression to networks: the lecture's costs minimized by the gradient
// optimizers of gibbs::optim on (mini)batches, with the gradient from reverse-mode autodiff.
//   squared:  C(θ₀, θ) = (1/n) ‖y − θ₀ − Xθ‖² + λ‖θ‖²          (OLS for λ = 0, Ridge otherwise)
//   logistic: C(θ₀, θ) = (1/n) Σ [log(1 + e^{zᵢ}) − yᵢ zᵢ] + λ‖θ‖²,  zᵢ = θ₀ + xᵢᵀθ,  yᵢ ∈ {0, 1}
// θ₀ is not penalized. On a minibatch B the data term is averaged over B, an unbiased estimate of
// the full cost's gradient. With full batches and enough steps the result converges to the closed
// form (Ridge) or to Newton's solution (logistic); minibatches need the cosine-annealed rate to
// settle. tests/linear/gradient_fit_test.cpp checks both.
#pragma once

#include <Eigen/Core>
#include <cstdint>

#include "gibbs/linear/model.hpp"

namespace gibbs::linear {

enum class Loss { squared, logistic };
enum class GradientMethod { gd, sgd, momentum, nesterov, adagrad, rmsprop, adam };

struct GradientFitOptions {
    Loss loss = Loss::squared;
    double lambda = 0.0;
    GradientMethod method = GradientMethod::adam;
    double lr = 1e-2;
    double momentum = 0.9;  // for momentum and nesterov
    int64_t batch = 0;      // 0: the whole training set
    int64_t epochs = 1000;
    bool cosine = false;  // anneal the rate to 0 over all steps (needed for minibatches to settle)
    uint64_t seed = 0;    // minibatch shuffling
};

// Returns the fitted model; X is (N, P), y is (N). Throws gibbs::Error on shape mismatch, NaN, a
// negative λ, or a cost that diverges (naming the epoch).
LinearModel fit_by_gradient(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                            const GradientFitOptions& options);

}  // namespace gibbs::linear
