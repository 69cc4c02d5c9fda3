// Every optimizer minimizes the Rosenbrock function
//   f(x, y) = (1 − x)² + 100 (y − x²)²,   minimum f = 0 at (1, 1),
// from (−1.5, 2) to within 1e-4 of (1, 1), with a learning rate, schedule and iteration count
// suited to each. The gradient comes from the autograd ops; x and y are two float64 parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/optim.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;

Tensor rosenbrock(const Tensor& x, const Tensor& y) {
    return sum(square(1.0 - x) + 100.0 * square(y - square(x)));
}

struct Start {
    Tensor x = Tensor::from({-1.5}, {1}).requires_grad_();
    Tensor y = Tensor::from({2.0}, {1}).requires_grad_();
    double distance() const { return std::hypot(x.item() - 1.0, y.item() - 1.0); }
};

struct Case {
    const char* name;
    std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)> make;
    int iterations;
    bool cosine;  // anneal η to 0 over the iterations (adaptive methods hover at constant η)
};

template <typename Opt, typename Options>
std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)> maker(Options o) {
    return [o](std::vector<Tensor> p) { return std::make_unique<Opt>(std::move(p), o); };
}

TEST(Rosenbrock, FirstOrderOptimizersReachTheMinimum) {
    const std::vector<Case> cases = {
        {"GradientDescent", maker<GradientDescent>(GradientDescentOptions{.lr = 1.8e-3}), 25000,
         false},
        {"SgdMomentum", maker<Sgd>(SgdOptions{.lr = 1e-3, .momentum = 0.9}), 5000, false},
        {"SgdNesterov", maker<Sgd>(SgdOptions{.lr = 1e-3, .momentum = 0.9, .nesterov = true}), 5000,
         false},
        {"Adagrad", maker<Adagrad>(AdagradOptions{.lr = 0.5}), 30000, false},
        {"Rmsprop", maker<Rmsprop>(RmspropOptions{.lr = 3e-3}), 30000, true},
        {"RmspropCenteredMomentum",
         maker<Rmsprop>(RmspropOptions{.lr = 1e-4, .momentum = 0.9, .centered = true}), 12000,
         true},
        {"Adam", maker<Adam>(AdamOptions{.lr = 2e-2}), 6000, true},
        {"AdamAmsgrad", maker<Adam>(AdamOptions{.lr = 0.1, .amsgrad = true}), 6000, true},
        {"AdamW", maker<AdamW>(AdamWOptions{.lr = 2e-2, .weight_decay = 1e-6}), 6000, true},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Start s;
        std::unique_ptr<Optimizer> opt = c.make({s.x, s.y});
        std::unique_ptr<LrScheduler> schedule;
        if (c.cosine)
            schedule = std::make_unique<CosineAnnealingLr>(
                *opt, CosineAnnealingLrOptions{.t_max = c.iterations});
        for (int k = 0; k < c.iterations; ++k) {
            opt->zero_grad();
            rosenbrock(s.x, s.y).backward();
            opt->step();
            if (schedule) schedule->step();
        }
        EXPECT_LT(s.distance(), 1e-4) << "ended at (" << s.x.item() << ", " << s.y.item() << ")";
    }
}

TEST(Rosenbrock, LbfgsWithStrongWolfeLineSearch) {
    Start s;
    Lbfgs opt({s.x, s.y}, {.max_iter = 100,
                           .tolerance_grad = 1e-10,
                           .tolerance_change = 1e-14,
                           .line_search = LineSearch::strong_wolfe});
    const double first = opt.step([&] {
        Tensor f = rosenbrock(s.x, s.y);
        f.backward();
        return f.item();
    });
    EXPECT_DOUBLE_EQ(first, 6.25 + 100 * 0.0625);  // f(−1.5, 2) = 2.5² + 100 (2 − 2.25)²
    EXPECT_LT(s.distance(), 1e-4);
    // A line search makes L-BFGS cheap here: far fewer evaluations than iterations of GD.
    EXPECT_LT(opt.function_evaluations(), 200);
}

TEST(Rosenbrock, LbfgsWithFixedStep) {
    Start s;
    Lbfgs opt({s.x, s.y},
              {.lr = 0.05, .max_iter = 2000, .tolerance_grad = 1e-10, .tolerance_change = 1e-15});
    opt.step([&] {
        Tensor f = rosenbrock(s.x, s.y);
        f.backward();
        return f.item();
    });
    EXPECT_LT(s.distance(), 1e-4);
}

}  // namespace
