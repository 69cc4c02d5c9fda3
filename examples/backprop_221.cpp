// A 2-2-1 network with sigmoid units whose backpropagation is coded from the lecture's equations,
// compared with reverse-mode autodiff in float64 (they agree to 1e-12).
//   build/example_backprop_221
// ctest: example_backprop_221
//
//   zˡ = Wˡ aˡ⁻¹ + bˡ, aˡ = σ(zˡ), C = ½‖aᴸ − y‖²
//   δᴸ = σ'(zᴸ) ∘ ∂C/∂aᴸ;  δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ∘ σ'(zˡ);  ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ;  ∂C/∂bˡ = δˡ
#include <cmath>
#include <cstdio>

#include "gibbs/autograd/ops.hpp"

using namespace gibbs;

namespace {
double sigma(double z) { return 1 / (1 + std::exp(-z)); }
double sigma_prime(double z) { return sigma(z) * (1 - sigma(z)); }
}  // namespace

int main() {
    // One sample x = (0.5, −1.2), target y = 0.8; fixed weights.
    const double x[2] = {0.5, -1.2}, y = 0.8;
    double W1[2][2] = {{0.3, -0.7}, {0.9, 0.2}}, b1[2] = {0.1, -0.4};
    double W2[2] = {-0.6, 1.1}, b2 = 0.05;

    // Forward.
    double z1[2], a1[2];
    for (int j = 0; j < 2; ++j) {
        z1[j] = W1[j][0] * x[0] + W1[j][1] * x[1] + b1[j];
        a1[j] = sigma(z1[j]);
    }
    const double z2 = W2[0] * a1[0] + W2[1] * a1[1] + b2, a2 = sigma(z2);
    // Backward, by the equations.
    const double delta2 = sigma_prime(z2) * (a2 - y);
    double delta1[2], dW1[2][2], db1[2], dW2[2];
    for (int j = 0; j < 2; ++j) {
        delta1[j] = W2[j] * delta2 * sigma_prime(z1[j]);
        dW2[j] = delta2 * a1[j];
        db1[j] = delta1[j];
        for (int k = 0; k < 2; ++k) dW1[j][k] = delta1[j] * x[k];
    }
    const double db2 = delta2;

    // The same network with autograd.
    Tensor tW1 = Tensor::from({W1[0][0], W1[0][1], W1[1][0], W1[1][1]}, {2, 2}).requires_grad_();
    Tensor tb1 = Tensor::from({b1[0], b1[1]}, {2}).requires_grad_();
    Tensor tW2 = Tensor::from({W2[0], W2[1]}, {1, 2}).requires_grad_();
    Tensor tb2 = Tensor::from({b2}, {1}).requires_grad_();
    const Tensor tx = Tensor::from({x[0], x[1]}, {2});
    const Tensor ta1 = sigmoid(matmul(tW1, tx) + tb1);
    const Tensor ta2 = sigmoid(matmul(tW2, ta1) + tb2);
    const Tensor C = mul_scalar(sum(square(ta2 - y)), 0.5);
    C.backward();

    const auto gW1 = tW1.grad().to_vector(), gb1 = tb1.grad().to_vector(),
               gW2 = tW2.grad().to_vector();
    const double hand[] = {dW1[0][0], dW1[0][1], dW1[1][0], dW1[1][1], db1[0],
                           db1[1],    dW2[0],    dW2[1],    db2};
    const double autod[] = {gW1[0], gW1[1], gW1[2], gW1[3],           gb1[0],
                            gb1[1], gW2[0], gW2[1], tb2.grad().item()};
    const char* names[] = {"W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "b1[0]",
                           "b1[1]",   "W2[0]",   "W2[1]",   "b2"};
    double worst = 0;
    std::printf("%-8s %22s %22s\n", "", "backprop equations", "autograd");
    for (int i = 0; i < 9; ++i) {
        std::printf("%-8s %22.16f %22.16f\n", names[i], hand[i], autod[i]);
        worst = std::max(worst, std::abs(hand[i] - autod[i]));
    }
    std::printf("largest difference: %.3e\n", worst);
    return worst < 1e-12 ? 0 : 1;
}
