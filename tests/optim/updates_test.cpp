// The first three updates of each first-order optimizer on the float64 quadratic of quadratic.hpp
// equal the textbook formulas, written out below per method in plain doubles, to 1e-12.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>

#include "gibbs/optim.hpp"
#include "optim/quadratic.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;
using test::quadratic_grad;
using test::Vec3;

struct Case {
    const char* name;
    std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)> make;
    // One update of x by the textbook formula; t = 1, 2, 3. Keeps its own buffers.
    std::function<void(Vec3& x, int t)> reference;
};

template <typename Opt, typename Options>
std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)> maker(Options o) {
    return [o](std::vector<Tensor> p) { return std::make_unique<Opt>(std::move(p), o); };
}

// SGD in PyTorch's form: g ← g + λθ;  b ← g (t = 1) or μb + (1 − τ)g;
// g ← g + μb (Nesterov) or b;  θ ← θ − ηg.
std::function<void(Vec3&, int)> sgd_reference(double lr, double mu, double tau, double wd,
                                              bool nesterov) {
    return [=, b = Vec3{}](Vec3& x, int t) mutable {
        const Vec3 g0 = quadratic_grad(x);
        for (int i = 0; i < 3; ++i) {
            double g = g0[i] + wd * x[i];
            if (mu != 0) {
                b[i] = t == 1 ? g : mu * b[i] + (1 - tau) * g;
                g = nesterov ? g + mu * b[i] : b[i];
            }
            x[i] -= lr * g;
        }
    };
}

// Adam (Kingma & Ba, Algorithm 1) with L2 (λ in g) or decoupled (θ(1 − ηλ)) weight decay:
// m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);
// AMSGrad: u ← max(u, v), v̂ = u/(1 − β₂ᵗ);  θ ← θ − η m̂/(√v̂ + ε).
std::function<void(Vec3&, int)> adam_reference(double lr, double b1, double b2, double eps,
                                               double wd, bool decoupled, bool amsgrad) {
    return [=, m = Vec3{}, v = Vec3{}, u = Vec3{}](Vec3& x, int t) mutable {
        const Vec3 g0 = quadratic_grad(x);
        for (int i = 0; i < 3; ++i) {
            double g = g0[i];
            if (decoupled)
                x[i] *= 1 - lr * wd;
            else
                g += wd * x[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            u[i] = std::max(u[i], v[i]);
            const double m_hat = m[i] / (1 - std::pow(b1, t));
            const double v_hat = (amsgrad ? u[i] : v[i]) / (1 - std::pow(b2, t));
            x[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
        }
    };
}

// RMSprop: v ← αv + (1 − α)g²;  centered: ḡ ← αḡ + (1 − α)g, D = √(v − ḡ²) + ε, else √v + ε;
// momentum: b ← μb + g/D, θ ← θ − ηb; else θ ← θ − ηg/D.
std::function<void(Vec3&, int)> rmsprop_reference(double lr, double alpha, double eps, double wd,
                                                  double mu, bool centered) {
    return [=, v = Vec3{}, gbar = Vec3{}, b = Vec3{}](Vec3& x, int) mutable {
        const Vec3 g0 = quadratic_grad(x);
        for (int i = 0; i < 3; ++i) {
            const double g = g0[i] + wd * x[i];
            v[i] = alpha * v[i] + (1 - alpha) * g * g;
            gbar[i] = alpha * gbar[i] + (1 - alpha) * g;
            const double D = std::sqrt(centered ? v[i] - gbar[i] * gbar[i] : v[i]) + eps;
            if (mu > 0) {
                b[i] = mu * b[i] + g / D;
                x[i] -= lr * b[i];
            } else {
                x[i] -= lr * g / D;
            }
        }
    };
}

// AdaGrad: η_t = η/(1 + (t − 1)κ);  s ← s + g²;  θ ← θ − η_t g/(√s + ε).
std::function<void(Vec3&, int)> adagrad_reference(double lr, double kappa, double wd, double s0,
                                                  double eps) {
    return [=, s = Vec3{s0, s0, s0}](Vec3& x, int t) mutable {
        const Vec3 g0 = quadratic_grad(x);
        const double lr_t = lr / (1 + (t - 1) * kappa);
        for (int i = 0; i < 3; ++i) {
            const double g = g0[i] + wd * x[i];
            s[i] += g * g;
            x[i] -= lr_t * g / (std::sqrt(s[i]) + eps);
        }
    };
}

std::vector<Case> cases() {
    return {
        // Gradient descent: θ ← θ − ηg.
        {"GradientDescent", maker<GradientDescent>(GradientDescentOptions{.lr = 0.1}),
         [](Vec3& x, int) {
             const Vec3 g = quadratic_grad(x);
             for (int i = 0; i < 3; ++i) x[i] -= 0.1 * g[i];
         }},
        {"SgdPlainWeightDecay", maker<Sgd>(SgdOptions{.lr = 0.1, .weight_decay = 0.05}),
         sgd_reference(0.1, 0, 0, 0.05, false)},
        {"SgdMomentum", maker<Sgd>(SgdOptions{.lr = 0.1, .momentum = 0.9}),
         sgd_reference(0.1, 0.9, 0, 0, false)},
        {"SgdMomentumDampeningDecay",
         maker<Sgd>(
             SgdOptions{.lr = 0.05, .momentum = 0.8, .dampening = 0.3, .weight_decay = 0.01}),
         sgd_reference(0.05, 0.8, 0.3, 0.01, false)},
        {"SgdNesterov",
         maker<Sgd>(SgdOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true}),
         sgd_reference(0.1, 0.9, 0, 0.01, true)},
        {"Adagrad", maker<Adagrad>(AdagradOptions{.lr = 0.3}),
         adagrad_reference(0.3, 0, 0, 0, 1e-10)},
        {"AdagradDecayAccumulator",
         maker<Adagrad>(AdagradOptions{.lr = 0.3,
                                       .lr_decay = 0.1,
                                       .weight_decay = 0.02,
                                       .initial_accumulator_value = 0.5,
                                       .eps = 1e-6}),
         adagrad_reference(0.3, 0.1, 0.02, 0.5, 1e-6)},
        {"Rmsprop", maker<Rmsprop>(RmspropOptions{.lr = 0.01}),
         rmsprop_reference(0.01, 0.99, 1e-8, 0, 0, false)},
        {"RmspropCenteredMomentumDecay",
         maker<Rmsprop>(RmspropOptions{.lr = 0.01,
                                       .alpha = 0.9,
                                       .eps = 1e-6,
                                       .weight_decay = 0.1,
                                       .momentum = 0.5,
                                       .centered = true}),
         rmsprop_reference(0.01, 0.9, 1e-6, 0.1, 0.5, true)},
        {"RmspropMomentum", maker<Rmsprop>(RmspropOptions{.lr = 0.01, .momentum = 0.9}),
         rmsprop_reference(0.01, 0.99, 1e-8, 0, 0.9, false)},
        {"Adam", maker<Adam>(AdamOptions{.lr = 0.1}),
         adam_reference(0.1, 0.9, 0.999, 1e-8, 0, false, false)},
        // β₂ = 0.5 lets v fall between steps, so the AMSGrad maximum matters.
        {"AdamL2Amsgrad",
         maker<Adam>(AdamOptions{
             .lr = 0.1, .beta1 = 0.8, .beta2 = 0.5, .weight_decay = 0.1, .amsgrad = true}),
         adam_reference(0.1, 0.8, 0.5, 1e-8, 0.1, false, true)},
        {"AdamW", maker<AdamW>(AdamWOptions{.lr = 0.1, .weight_decay = 0.1}),
         adam_reference(0.1, 0.9, 0.999, 1e-8, 0.1, true, false)},
        {"AdamWAmsgrad",
         maker<AdamW>(AdamWOptions{.lr = 0.1, .beta2 = 0.5, .eps = 1e-3, .amsgrad = true}),
         adam_reference(0.1, 0.9, 0.5, 1e-3, 1e-2, true, true)},
    };
}

TEST(OptimizerUpdates, FirstThreeStepsEqualTextbookFormulas) {
    for (const Case& c : cases()) {
        SCOPED_TRACE(c.name);
        Tensor theta = test::quadratic_start();
        std::unique_ptr<Optimizer> opt = c.make({theta});
        Vec3 x = test::kTheta0;
        auto reference = c.reference;
        for (int t = 1; t <= 3; ++t) {
            opt->zero_grad();
            test::quadratic_loss(theta).backward();
            opt->step();
            reference(x, t);
            for (int i = 0; i < 3; ++i)
                EXPECT_NEAR(theta.at({i}), x[i], 1e-12) << "step " << t << ", component " << i;
        }
        // The updates moved θ, so the comparison above is not vacuous.
        EXPECT_GT(std::abs(x[0] - test::kTheta0[0]), 1e-3);
        EXPECT_EQ(opt->step_count(), 3);
    }
}

// AMSGrad differs from Adam on this problem: the reference keeps max(u, v) for a reason.
TEST(OptimizerUpdates, AmsgradChangesTheThirdStep) {
    auto ams = adam_reference(0.1, 0.8, 0.5, 1e-8, 0.1, false, true);
    auto plain = adam_reference(0.1, 0.8, 0.5, 1e-8, 0.1, false, false);
    Vec3 a = test::kTheta0, b = test::kTheta0;
    for (int t = 1; t <= 3; ++t) {
        ams(a, t);
        plain(b, t);
    }
    double diff = 0;
    for (int i = 0; i < 3; ++i) diff += std::abs(a[i] - b[i]);
    EXPECT_GT(diff, 1e-6);
}

// A parameter that got no gradient is left alone and keeps its own step count t.
TEST(OptimizerUpdates, ParameterWithoutGradientIsSkipped) {
    Tensor theta = test::quadratic_start();
    Tensor idle = Tensor::from({1.0, 2.0}, {2});
    idle.requires_grad_();
    Adam opt({theta, idle}, {.lr = 0.1});
    for (int t = 0; t < 2; ++t) {
        opt.zero_grad();
        test::quadratic_loss(theta).backward();
        opt.step();
    }
    EXPECT_EQ(idle.to_vector(), (std::vector<double>{1.0, 2.0}));
    for (const auto& [name, value] : opt.state()) {
        if (name == "params.0.step") {
            EXPECT_EQ(value.item(), 2.0);
        }
        if (name == "params.1.step") {
            EXPECT_EQ(value.item(), 0.0);
        }
    }
}

// float32 parameters: three Adam steps on the quadratic agree with the float64 reference to float
// precision (relative 1e-5), the buffers staying float32.
TEST(OptimizerUpdates, Float32ParametersFollowTheFormulas) {
    Tensor theta = Tensor::from_floats({0.5f, -1.0f, 2.0f}, {3});
    theta.requires_grad_();
    Adam opt({theta}, {.lr = 0.1});
    auto reference = adam_reference(0.1, 0.9, 0.999, 1e-8, 0, false, false);
    Vec3 x = test::kTheta0;
    for (int t = 1; t <= 3; ++t) {
        // ∇f = Aθ − b, set by hand (the quadratic's autograd form is float64).
        Vec3 xf;
        for (int i = 0; i < 3; ++i) xf[i] = theta.data<float>()[i];
        const Vec3 g = quadratic_grad(xf);
        theta.set_grad(Tensor::from_floats(
            {static_cast<float>(g[0]), static_cast<float>(g[1]), static_cast<float>(g[2])}, {3}));
        opt.step();
        reference(x, t);
        for (int i = 0; i < 3; ++i)
            EXPECT_NEAR(theta.data<float>()[i], x[i], 1e-5 * std::abs(x[i]));
    }
    for (const auto& [name, value] : opt.state()) {
        if (name == "params.0.exp_avg") {
            EXPECT_EQ(value.dtype(), DType::f32);
        }
    }
}

}  // namespace
