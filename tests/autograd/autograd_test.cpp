// The engine: accumulation, shared subexpressions, no_grad, detach, errors.
#include <gtest/gtest.h>

#include "gibbs/autograd/ops.hpp"

using namespace gibbs;

TEST(Autograd, QuadraticKnownDerivative) {
    // y = x² + 5x + 4, dy/dx = 2x + 5 = 11 at x = 3.
    Tensor x = Tensor::scalar(3.0, DType::f64).requires_grad_();
    Tensor y = x * x + 5.0 * x + 4.0;
    y.backward();
    EXPECT_EQ(y.item(), 28);
    EXPECT_EQ(x.grad().item(), 11);
}

TEST(Autograd, SharedSubexpressionAndAccumulation) {
    // z = (a b) + (a b)² with u = a b used twice: dz/da = b (1 + 2u).
    Tensor a = Tensor::scalar(2.0, DType::f64).requires_grad_();
    Tensor b = Tensor::scalar(-3.0, DType::f64).requires_grad_();
    Tensor u = a * b;
    Tensor z = u + u * u;
    z.backward();
    EXPECT_EQ(a.grad().item(), -3.0 * (1 + 2 * -6.0));
    EXPECT_EQ(b.grad().item(), 2.0 * (1 + 2 * -6.0));
    // A second backward of a new graph accumulates into .grad.
    (a * 4.0).backward();
    EXPECT_EQ(a.grad().item(), -3.0 * (1 + 2 * -6.0) + 4.0);
    a.zero_grad();
    EXPECT_FALSE(a.grad().defined());
}

TEST(Autograd, NoGradAndDetach) {
    Tensor x = Tensor::scalar(1.5, DType::f64).requires_grad_();
    {
        NoGradGuard guard;
        Tensor y = x * 2.0;
        EXPECT_FALSE(y.requires_grad());
    }
    Tensor y = x.detach() * x;  // d/dx (c x) = c with c = x held constant
    y.backward();
    EXPECT_EQ(x.grad().item(), 1.5);
}

TEST(Autograd, GradientsOfAddAreNotAliased) {
    // add's backward hands the same gradient to both inputs; scaling one .grad in place (as
    // clipping does) must not change the other.
    Tensor a = Tensor::ones({3}, DType::f64).requires_grad_();
    Tensor b = Tensor::ones({3}, DType::f64).requires_grad_();
    sum(a + b).backward();
    a.grad().fill_(7.0);
    EXPECT_EQ(b.grad().to_vector(), (std::vector<double>{1, 1, 1}));
}

TEST(Autograd, SeedGradientAndErrors) {
    Tensor x = Tensor::from({1, 2}, {2}).requires_grad_();
    Tensor y = x * 3.0;
    EXPECT_THROW(y.backward(), Error);  // non-scalar needs a seed
    y.backward(Tensor::from({1, 10}, {2}));
    EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{3, 30}));
    Tensor c = Tensor::ones({2});
    EXPECT_THROW(c.backward(), Error);  // nothing requires grad
    Tensor z = sum(x * x);
    z.backward();
    EXPECT_THROW(z.backward(), Error);  // graph already freed
}

TEST(Autograd, RetainGraph) {
    Tensor x = Tensor::scalar(2.0, DType::f64).requires_grad_();
    Tensor z = x * x;
    z.backward(Tensor(), true);
    z.backward();
    EXPECT_EQ(x.grad().item(), 8.0);
}
