// Gradient clipping: exact norms and exact clipped values.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/optim.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;

// Two parameters with gradients (3, 4) and (12): ‖g‖₂ = √(9 + 16 + 144) = 13, ‖g‖₁ = 19,
// ‖g‖_∞ = 12.
std::vector<Tensor> params_3_4_12(DType dtype) {
    Tensor a = Tensor::zeros({2}, dtype).requires_grad_();
    Tensor b = Tensor::zeros({1, 1}, dtype).requires_grad_();
    a.set_grad(Tensor::from({3.0, 4.0}, {2}, dtype));
    b.set_grad(Tensor::from({12.0}, {1, 1}, dtype));
    Tensor none = Tensor::zeros({3}, dtype).requires_grad_();  // no gradient: skipped
    return {a, b, none};
}

TEST(Clip, NormsAreExact) {
    for (DType dtype : {DType::f32, DType::f64}) {
        auto p = params_3_4_12(dtype);
        EXPECT_EQ(grad_norm(p), 13.0);
        EXPECT_EQ(grad_norm(p, 1.0), 19.0);
        EXPECT_EQ(grad_norm(p, kInfNorm), 12.0);
        EXPECT_NEAR(grad_norm(p, 3.0), std::cbrt(27.0 + 64.0 + 1728.0), 1e-12);
    }
}

TEST(Clip, ClipByNormScalesToTheMaximum) {
    // max_norm = 6.5 = 13/2: every gradient is halved exactly.
    for (DType dtype : {DType::f32, DType::f64}) {
        auto p = params_3_4_12(dtype);
        EXPECT_EQ(clip_grad_norm(p, 6.5), 13.0);
        EXPECT_EQ(p[0].grad().to_vector(), (std::vector<double>{1.5, 2.0}));
        EXPECT_EQ(p[1].grad().to_vector(), (std::vector<double>{6.0}));
        EXPECT_FALSE(p[2].grad().defined());
        EXPECT_EQ(grad_norm(p), 6.5);
    }
    // A larger maximum leaves the gradients alone.
    auto p = params_3_4_12(DType::f64);
    EXPECT_EQ(clip_grad_norm(p, 20.0), 13.0);
    EXPECT_EQ(p[0].grad().to_vector(), (std::vector<double>{3.0, 4.0}));
    // The ∞-norm: max |g| = 12 clipped to 3 scales by 1/4.
    EXPECT_EQ(clip_grad_norm(p, 3.0, kInfNorm), 12.0);
    EXPECT_EQ(p[0].grad().to_vector(), (std::vector<double>{0.75, 1.0}));
    EXPECT_EQ(p[1].grad().to_vector(), (std::vector<double>{3.0}));
}

TEST(Clip, ClipByNormOnALargeGradientUsesThreads) {
    // 2²⁰ entries of 2⁻¹⁰ (above the threading threshold): ‖g‖₂² = 2²⁰ · 2⁻²⁰ = 1, every partial
    // sum a multiple of 2⁻²⁰ and so exact in any order; clipping to 1/2 gives entries 2⁻¹¹.
    Tensor w = Tensor::zeros({1024, 1024}, DType::f64).requires_grad_();
    w.set_grad(Tensor::full({1024, 1024}, 0x1p-10, DType::f64));
    EXPECT_EQ(clip_grad_norm({w}, 0.5), 1.0);
    EXPECT_EQ(grad_norm({w}), 0.5);
    EXPECT_EQ(w.grad().at({1023, 1023}), 0x1p-11);
}

TEST(Clip, ClipByValue) {
    Tensor a = Tensor::zeros({4}, DType::f64).requires_grad_();
    a.set_grad(Tensor::from({-3.0, -0.5, 0.25, 7.0}, {4}));
    clip_grad_value({a}, 1.0);
    EXPECT_EQ(a.grad().to_vector(), (std::vector<double>{-1.0, -0.5, 0.25, 1.0}));
}

TEST(Clip, NonFiniteGradientNamesTheParameter) {
    auto p = params_3_4_12(DType::f64);
    p[1].grad().set({0, 0}, std::nan(""));
    try {
        clip_grad_norm(p, 1.0);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("parameter 1 (shape (1, 1))"), std::string::npos)
            << e.what();
    }
    // Nothing was scaled.
    EXPECT_EQ(p[0].grad().to_vector(), (std::vector<double>{3.0, 4.0}));
    EXPECT_THROW(clip_grad_norm(p, -1.0), Error);
    EXPECT_THROW(grad_norm(p, 0.5), Error);
}

}  // namespace
