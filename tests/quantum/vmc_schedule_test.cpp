// The SR shift schedule ε_t = max(ε·b^t, ε_min) (Carleo & Troyer 2017) together with the decaying
// learning rate η_t = η/(1 + decay·t), and the trust-region clip |Δp|₂ ≤ max_step: each step must
// equal −η_t δ(ε_t), δ solving (S + ε_t) δ = F, computed here independently by sr_direction.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gibbs/physics/vmc.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs::physics;

namespace {

VmcBatch random_batch(int samples, int parameters, uint64_t seed) {
    gibbs::Generator gen(seed);
    VmcBatch batch;
    batch.energy.resize(samples);
    batch.O.resize(samples, parameters);
    for (int s = 0; s < samples; ++s) {
        for (int k = 0; k < parameters; ++k) batch.O(s, k) = gen.normal();
        batch.energy[s] = batch.O(s, 0) - 0.5 * batch.O(s, 2) + 0.3 * gen.normal();
    }
    return batch;
}

}  // namespace

TEST(VmcSchedule, ShiftDecaysGeometricallyToItsFloor) {
    const VmcBatch batch = random_batch(40, 5, 1);
    VmcOptimizer opt(5, {.lr = 0.2,
                         .decay = 0.1,
                         .shift_decay = 0.5,
                         .shift_min = 0.1,
                         .sr = {.shift = 1.0, .solver = SrSolver::kCholesky}});
    for (int t = 0; t < 8; ++t) {
        const double shift = std::max(std::pow(0.5, t), 0.1), lr = 0.2 / (1 + 0.1 * t);
        EXPECT_NEAR(opt.shift(), shift, 1e-15) << "step " << t;
        EXPECT_NEAR(opt.learning_rate(), lr, 1e-15) << "step " << t;
        const Eigen::VectorXd expected =
            -lr * sr_direction(batch, {.shift = shift, .solver = SrSolver::kCholesky});
        const Eigen::VectorXd step = opt.step(batch);
        EXPECT_LT((step - expected).norm(), 1e-12 * expected.norm()) << "step " << t;
    }
    // The shift matters: at the floor the step differs from the one with ε = 1.
    const Eigen::VectorXd at_one = -0.2 / (1 + 0.1 * 8) * sr_direction(batch, {.shift = 1.0});
    EXPECT_GT((opt.step(batch) - at_one).norm(), 1e-3 * at_one.norm());
}

TEST(VmcSchedule, StepIsClippedToMaxStepAlongTheSameDirection) {
    const VmcBatch batch = random_batch(40, 5, 2);
    VmcOptimizer free(5, {.lr = 1.0, .sr = {.shift = 1e-2}});
    const Eigen::VectorXd full = free.step(batch);
    const double max_step = 0.25 * full.norm();
    VmcOptimizer clipped(5, {.lr = 1.0, .max_step = max_step, .sr = {.shift = 1e-2}});
    const Eigen::VectorXd step = clipped.step(batch);
    EXPECT_NEAR(step.norm(), max_step, 1e-12);
    EXPECT_NEAR(step.dot(full) / (step.norm() * full.norm()), 1.0, 1e-12);
    // A limit above the step's length leaves it unchanged.
    VmcOptimizer loose(5, {.lr = 1.0, .max_step = 2 * full.norm(), .sr = {.shift = 1e-2}});
    EXPECT_LT((loose.step(batch) - full).norm(), 1e-14 * full.norm());
}

TEST(VmcSchedule, BadOptionsThrow) {
    EXPECT_THROW(VmcOptimizer(3, {.shift_decay = 0.0}), gibbs::Error);
    EXPECT_THROW(VmcOptimizer(3, {.shift_decay = 1.5}), gibbs::Error);
    EXPECT_THROW(VmcOptimizer(3, {.shift_min = -1.0}), gibbs::Error);
    EXPECT_THROW(VmcOptimizer(3, {.max_step = -1.0}), gibbs::Error);
}
