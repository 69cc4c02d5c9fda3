// Learning-rate schedules give their closed-form values and set them on the optimizer.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gibbs/optim.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;

Tensor param() { return Tensor::zeros({2}, DType::f64).requires_grad_(); }

TEST(Schedule, StepLrDecaysEveryStepSize) {
    // η(t) = 0.1 · 0.5^⌊t/3⌋: 0.1 for t = 0..2, 0.05 for 3..5, 0.025 for 6..8.
    Sgd opt({param()}, {.lr = 0.1});
    StepLr sched(opt, {.step_size = 3, .gamma = 0.5});
    const double expected[] = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125};
    for (int t = 0; t < 10; ++t) {
        EXPECT_DOUBLE_EQ(opt.lr(), expected[t]) << "t = " << t;
        sched.step();
    }
    EXPECT_EQ(sched.count(), 10);
}

TEST(Schedule, ExponentialLr) {
    // η(t) = 0.2 · 0.9^t.
    Adam opt({param()}, {.lr = 0.2});
    ExponentialLr sched(opt, {.gamma = 0.9});
    for (int t = 0; t < 20; ++t) {
        EXPECT_NEAR(opt.lr(), 0.2 * std::pow(0.9, t), 1e-15) << "t = " << t;
        sched.step();
    }
}

TEST(Schedule, CosineAnnealingLr) {
    // η(t) = η_min + (η₀ − η_min)(1 + cos(πt/T))/2, held at η_min after T.
    // η(0) = η₀, η(T/2) = (η₀ + η_min)/2, η(T) = η_min.
    Adam opt({param()}, {.lr = 1.0});
    CosineAnnealingLr sched(opt, {.t_max = 10, .eta_min = 0.1});
    for (int t = 0; t <= 14; ++t) {
        const double tt = std::min(t, 10);
        EXPECT_NEAR(opt.lr(), 0.1 + 0.9 * (1 + std::cos(std::numbers::pi * tt / 10)) / 2, 1e-15);
        if (t == 5) {
            EXPECT_NEAR(opt.lr(), 0.55, 1e-15);
        }
        if (t >= 10) {
            EXPECT_NEAR(opt.lr(), 0.1, 1e-15);
        }
        sched.step();
    }
}

TEST(Schedule, LinearWarmupLr) {
    // η(t) = η₀ (f₀ + (1 − f₀) min(t, W)/W) with η₀ = 0.01, f₀ = 0.2, W = 4:
    // 0.002, 0.004, 0.006, 0.008, then 0.01.
    Sgd opt({param()}, {.lr = 0.01});
    LinearWarmupLr sched(opt, {.warmup_steps = 4, .start_factor = 0.2});
    const double expected[] = {0.002, 0.004, 0.006, 0.008, 0.01, 0.01, 0.01};
    for (int t = 0; t < 7; ++t) {
        EXPECT_NEAR(opt.lr(), expected[t], 1e-17) << "t = " << t;
        sched.step();
    }
}

TEST(Schedule, WarmupThenCosineComposes) {
    // W = 5 warm-up steps from f₀ = 0 to η₀ = 1, then cosine to η_min = 0 over T − W = 10 steps:
    // η(t) = t/5 for t ≤ 5;  η(t) = (1 + cos(π (t − 5)/10))/2 for 5 ≤ t ≤ 15;  0 after.
    Adam opt({param()}, {.lr = 1.0});
    WarmupCosineLr sched(opt, {.warmup_steps = 5, .total_steps = 15, .start_factor = 0.0});
    for (int t = 0; t <= 20; ++t) {
        double expected;
        if (t <= 5)
            expected = t / 5.0;
        else
            expected = (1 + std::cos(std::numbers::pi * std::min(t - 5, 10) / 10.0)) / 2;
        EXPECT_NEAR(opt.lr(), expected, 1e-15) << "t = " << t;
        EXPECT_NEAR(sched.lr_at(t), expected, 1e-15);
        sched.step();
    }
}

TEST(Schedule, SequentialOfThreeAndSeek) {
    // Constant-then-steps: StepLr(γ = 1) for 2 steps, ExponentialLr(0.5) for 3, StepLr(2, 0.1).
    Sgd opt({param()}, {.lr = 1.0});
    auto hold = std::make_shared<StepLr>(opt, StepLrOptions{.step_size = 1, .gamma = 1.0});
    auto halve = std::make_shared<ExponentialLr>(opt, ExponentialLrOptions{.gamma = 0.5});
    auto tenth = std::make_shared<StepLr>(opt, StepLrOptions{.step_size = 2, .gamma = 0.1});
    SequentialLr sched(opt, {hold, halve, tenth}, {2, 5});
    const double expected[] = {1, 1, 1, 0.5, 0.25, 1, 1, 0.1, 0.1, 0.01};
    for (int t = 0; t < 10; ++t) EXPECT_NEAR(sched.lr_at(t), expected[t], 1e-15) << "t = " << t;
    EXPECT_DOUBLE_EQ(opt.lr(), 1.0);
    // Resuming at t = 4 sets η(4) on the optimizer; the next step gives η(5).
    sched.seek(4);
    EXPECT_DOUBLE_EQ(opt.lr(), 0.25);
    sched.step();
    EXPECT_DOUBLE_EQ(opt.lr(), 1.0);
    EXPECT_EQ(sched.count(), 5);
}

TEST(Schedule, BadOptionsAreErrors) {
    Sgd opt({param()}, {.lr = 1.0});
    EXPECT_THROW(StepLr(opt, {.step_size = 0}), Error);
    EXPECT_THROW(CosineAnnealingLr(opt, {.t_max = 0}), Error);
    EXPECT_THROW(WarmupCosineLr(opt, {.warmup_steps = 10, .total_steps = 10}), Error);
    auto a = std::make_shared<ExponentialLr>(opt, ExponentialLrOptions{});
    EXPECT_THROW(SequentialLr(opt, {a, a}, {}), Error);
    EXPECT_THROW(SequentialLr(opt, {a, a, a}, {3, 2}), Error);
    try {
        opt.set_lr(std::nan(""));
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("Sgd: the learning rate"), std::string::npos);
    }
}

}  // namespace
