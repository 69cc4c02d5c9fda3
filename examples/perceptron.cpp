// A single perceptron fitted to y = 2x + 1 by gradient descent with the derivatives written by
// hand (the lecture's first network), checked against autograd at the start.
//   build/example_perceptron
// ctest: example_perceptron
//
// a = σ(z), z = w x + b, C = (1/2n) Σ (a − y)²  ⇒  ∂C/∂w = (1/n) Σ (a − y) σ'(z) x,
//                                                 ∂C/∂b = (1/n) Σ (a − y) σ'(z).
// σ is the identity here (σ' = 1): a linear output can represent 2x + 1 exactly.
#include <cmath>
#include <cstdio>

#include "gibbs/autograd/ops.hpp"

using namespace gibbs;

int main() {
    const int n = 20;
    std::vector<double> xs(n), ys(n);
    for (int i = 0; i < n; ++i) {
        xs[i] = -1.0 + 2.0 * i / (n - 1);
        ys[i] = 2.0 * xs[i] + 1.0;
    }
    auto sigma = [](double z) { return z; };
    auto sigma_prime = [](double) { return 1.0; };
    double w = 0.1, b = -0.3;
    const double eta = 0.5;

    // The hand-written gradient at the start equals reverse-mode autodiff's.
    {
        const Tensor x = Tensor::from(xs, {n}), y = Tensor::from(ys, {n});
        Tensor tw = Tensor::scalar(w, DType::f64).requires_grad_();
        Tensor tb = Tensor::scalar(b, DType::f64).requires_grad_();
        const Tensor C = mul_scalar(sum(square(x * tw + tb - y)), 0.5 / n);
        C.backward();
        double dw = 0, db = 0;
        for (int i = 0; i < n; ++i) {
            const double z = w * xs[i] + b, a = sigma(z);
            dw += (a - ys[i]) * sigma_prime(z) * xs[i] / n;
            db += (a - ys[i]) * sigma_prime(z) / n;
        }
        std::printf("gradient at start: hand (%.12f, %.12f), autograd (%.12f, %.12f)\n", dw, db,
                    tw.grad().item(), tb.grad().item());
        if (std::abs(dw - tw.grad().item()) > 1e-12 || std::abs(db - tb.grad().item()) > 1e-12)
            return 1;
    }

    for (int epoch = 0; epoch < 200; ++epoch) {
        double dw = 0, db = 0, cost = 0;
        for (int i = 0; i < n; ++i) {
            const double z = w * xs[i] + b, a = sigma(z);
            cost += 0.5 * (a - ys[i]) * (a - ys[i]) / n;
            dw += (a - ys[i]) * sigma_prime(z) * xs[i] / n;
            db += (a - ys[i]) * sigma_prime(z) / n;
        }
        w -= eta * dw;
        b -= eta * db;
        if (epoch % 40 == 0)
            std::printf("epoch %3d  cost %.3e  w %.6f  b %.6f\n", epoch, cost, w, b);
    }
    std::printf("learned y = %.8f x + %.8f (exact: 2x + 1)\n", w, b);
    return std::abs(w - 2) < 1e-6 && std::abs(b - 1) < 1e-6 ? 0 : 1;
}
