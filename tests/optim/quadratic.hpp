// A float64 quadratic shared by the optimizer tests:
//   f(θ) = ½ θᵀAθ − bᵀθ,   ∇f(θ) = Aθ − b   (A symmetric positive definite, 3 × 3),
// evaluated with the autograd ops so that the optimizers read the gradient backward() leaves.
#pragma once

#include <array>

#include "gibbs/autograd/ops.hpp"

namespace gibbs::optim::test {

using Vec3 = std::array<double, 3>;

inline constexpr double kA[3][3] = {{3.0, 1.0, 0.0}, {1.0, 2.0, 0.5}, {0.0, 0.5, 1.0}};
inline constexpr Vec3 kB = {1.0, -2.0, 0.5};
inline constexpr Vec3 kTheta0 = {0.5, -1.0, 2.0};

// ∇f(θ) = Aθ − b, written out.
inline Vec3 quadratic_grad(const Vec3& x) {
    Vec3 g{};
    for (int i = 0; i < 3; ++i) {
        g[i] = -kB[i];
        for (int j = 0; j < 3; ++j) g[i] += kA[i][j] * x[j];
    }
    return g;
}

// f(θ) through autograd; θ has shape (3).
inline Tensor quadratic_loss(const Tensor& theta) {
    const Tensor A = Tensor::from(
        {kA[0][0], kA[0][1], kA[0][2], kA[1][0], kA[1][1], kA[1][2], kA[2][0], kA[2][1], kA[2][2]},
        {3, 3});
    const Tensor b = Tensor::from({kB[0], kB[1], kB[2]}, {3});
    const Tensor A_theta = matmul(A, reshape(theta, {3, 1})).reshape({3});  // (3)
    return 0.5 * sum(theta * A_theta) - sum(b * theta);
}

inline Tensor quadratic_start() {
    Tensor theta = Tensor::from({kTheta0[0], kTheta0[1], kTheta0[2]}, {3});
    theta.requires_grad_();
    return theta;
}

}  // namespace gibbs::optim::test
