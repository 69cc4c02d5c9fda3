// L-BFGS against the BFGS update in matrix form, and the strong Wolfe line search against the
// conditions it promises.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/optim.hpp"
#include "optim/quadratic.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;
using test::quadratic_grad;
using test::Vec3;
using Mat3 = std::array<Vec3, 3>;

Mat3 identity_times(double c) {
    Mat3 m{};
    for (int i = 0; i < 3; ++i) m[i][i] = c;
    return m;
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// The inverse-Hessian update of BFGS (Nocedal & Wright eq. 6.17) in matrix form:
//   H ← Vᵀ H V + ρ s sᵀ,   V = I − ρ y sᵀ,   ρ = 1 / yᵀs.
Mat3 bfgs_update(const Mat3& H, const Vec3& s, const Vec3& y) {
    const double rho = 1.0 / dot(y, s);
    Mat3 V{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) V[i][j] = (i == j) - rho * y[i] * s[j];
    Mat3 out{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            double v = rho * s[i] * s[j];
            for (int k = 0; k < 3; ++k)
                for (int l = 0; l < 3; ++l) v += V[k][i] * H[k][l] * V[l][j];
            out[i][j] = v;
        }
    return out;
}

// Three L-BFGS iterations without line search on f(θ) = ½θᵀAθ − bᵀθ, with learning rate η:
//   x₁ = x₀ − t₀ g₀,   t₀ = η min(1, 1/‖g₀‖₁)
//   x₂ = x₁ − η H₁ g₁,  H₁ = update(γ₀ I; s₀, y₀)
//   x₃ = x₂ − η H₂ g₂,  H₂ = update(update(γ₁ I; s₀, y₀); s₁, y₁),   γ_k = s_kᵀy_k / y_kᵀy_k
std::array<Vec3, 4> lbfgs_reference(double lr) {
    std::array<Vec3, 4> x{};
    x[0] = test::kTheta0;
    std::array<Vec3, 3> g{}, s{}, y{};
    g[0] = quadratic_grad(x[0]);
    const double t0 =
        lr * std::min(1.0, 1.0 / (std::abs(g[0][0]) + std::abs(g[0][1]) + std::abs(g[0][2])));
    for (int i = 0; i < 3; ++i) x[1][i] = x[0][i] - t0 * g[0][i];
    for (int k = 1; k <= 2; ++k) {
        g[k] = quadratic_grad(x[k]);
        for (int i = 0; i < 3; ++i) {
            s[k - 1][i] = x[k][i] - x[k - 1][i];
            y[k - 1][i] = g[k][i] - g[k - 1][i];
        }
        Mat3 H = identity_times(dot(s[k - 1], y[k - 1]) / dot(y[k - 1], y[k - 1]));
        for (int j = 0; j < k; ++j) H = bfgs_update(H, s[j], y[j]);
        for (int i = 0; i < 3; ++i) x[k + 1][i] = x[k][i] - lr * dot(H[i], g[k]);
    }
    return x;
}

double quadratic_closure_value(const Tensor& theta) {
    Tensor f = test::quadratic_loss(theta);
    f.backward();
    return f.item();
}

TEST(Lbfgs, FirstThreeIterationsEqualMatrixFormBfgs) {
    const double lr = 0.7;
    const std::array<Vec3, 4> x = lbfgs_reference(lr);
    // One iteration per step() ...
    Tensor theta = test::quadratic_start();
    Lbfgs opt({theta}, {.lr = lr, .max_iter = 1});
    for (int k = 1; k <= 3; ++k) {
        opt.step([&] { return quadratic_closure_value(theta); });
        for (int i = 0; i < 3; ++i)
            EXPECT_NEAR(theta.at({i}), x[k][i], 1e-12) << "iteration " << k << ", component " << i;
    }
    // ... or three in one step(): the same iterates (max_eval raised from its default of
    // max_iter * 5/4 = 3 evaluations, which would stop after two iterations).
    Tensor theta3 = test::quadratic_start();
    Lbfgs opt3({theta3}, {.lr = lr, .max_iter = 3, .max_eval = 10});
    opt3.step([&] { return quadratic_closure_value(theta3); });
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(theta3.at({i}), x[3][i], 1e-12);
    EXPECT_GT(std::abs(x[3][0] - x[2][0]), 1e-6);
}

TEST(Lbfgs, SolvesQuadraticWithLineSearch) {
    // The minimizer solves A x* = b; checked through the residual ∇f(x*) = A x* − b = 0.
    // NOTE: near x*, f changes by ~‖∇f‖²/λ while its float64 rounding is ~1e-16 |f|, so a line
    // search on f cannot resolve ‖∇f‖ much below √(1e-16) = 1e-8.
    Tensor theta = test::quadratic_start();
    Lbfgs opt({theta}, {.max_iter = 50,
                        .tolerance_grad = 1e-12,
                        .tolerance_change = 0.0,
                        .line_search = LineSearch::strong_wolfe});
    opt.step([&] { return quadratic_closure_value(theta); });
    Vec3 x{theta.at({0}), theta.at({1}), theta.at({2})};
    const Vec3 g = quadratic_grad(x);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(g[i], 0.0, 1e-8);
    EXPECT_LT(opt.function_evaluations(), 50);
}

TEST(Lbfgs, PlainStepNeedsAClosure) {
    Tensor theta = test::quadratic_start();
    Lbfgs opt({theta});
    Optimizer& base = opt;
    EXPECT_THROW(base.step(), Error);
}

TEST(Lbfgs, DivergingLossIsReported) {
    // f(θ) = θ² from θ = 1 with a step of 10³⁰⁰: f overflows to infinity at the first trial.
    Tensor theta = Tensor::from({1.0}, {1}).requires_grad_();
    Lbfgs opt({theta}, {.lr = 1e300, .max_iter = 5});
    try {
        opt.step([&] {
            Tensor f = sum(square(theta));
            f.backward();
            return f.item();
        });
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("Lbfgs: the loss is inf at step 1"), std::string::npos)
            << e.what();
    }
}

// ---- the line search ----

// φ(t) = f(x₀ + t d) for the Rosenbrock function in the plane, as a LineFunction.
struct Rosenbrock2 {
    std::vector<double> x0, d;
    double operator()(double t, std::vector<double>& g) const {
        const double x = x0[0] + t * d[0], y = x0[1] + t * d[1];
        g = {-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)};
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    }
};

void expect_strong_wolfe(const LineFunction& f, const std::vector<double>& d, double t0) {
    std::vector<double> g0;
    const double f0 = f(0.0, g0);
    double gtd0 = 0;
    for (size_t i = 0; i < d.size(); ++i) gtd0 += g0[i] * d[i];
    ASSERT_LT(gtd0, 0.0);
    const StrongWolfeOptions o;
    const LineSearchResult r = strong_wolfe(f, d, t0, f0, g0, gtd0, o);
    double gtd = 0;
    for (size_t i = 0; i < d.size(); ++i) gtd += r.g[i] * d[i];
    EXPECT_GT(r.t, 0.0);
    EXPECT_LE(r.f, f0 + o.c1 * r.t * gtd0) << "sufficient decrease, t = " << r.t;
    EXPECT_LE(std::abs(gtd), o.c2 * std::abs(gtd0)) << "curvature, t = " << r.t;
    // The value and gradient returned are those at x₀ + t d.
    std::vector<double> g;
    EXPECT_EQ(r.f, f(r.t, g));
    EXPECT_EQ(r.g, g);
    EXPECT_LE(r.evals, o.max_evals);
}

TEST(StrongWolfe, AcceptedStepSatisfiesBothConditions) {
    // Steepest descent from (−1.5, 2): d = −∇f = (−1503, 50).
    Rosenbrock2 f{{-1.5, 2.0}, {0.0, 0.0}};
    std::vector<double> g0;
    f(0.0, g0);
    f.d = {-g0[0], -g0[1]};
    for (double t0 : {1e-6, 1e-4, 1e-3, 1.0}) {  // too short (extrapolates) to far too long (zooms)
        SCOPED_TRACE(t0);
        expect_strong_wolfe(f, f.d, t0);
    }
    // A quadratic bowl φ(t) = (t − 3)² along d = 1: any t0 brackets or extrapolates to near 3.
    auto bowl = [](double t, std::vector<double>& g) {
        g = {2 * (t - 3)};
        return (t - 3) * (t - 3);
    };
    for (double t0 : {0.01, 1.0, 5.9, 100.0}) {
        SCOPED_TRACE(t0);
        expect_strong_wolfe(bowl, {1.0}, t0);
    }
}

TEST(StrongWolfe, CubicInterpolationIsExactOnAQuadratic) {
    // φ(t) = (t − 3)², first trial t = 10 fails sufficient decrease (φ(10) = 49 > φ(0) = 9); the
    // cubic through (0, 9, −6) and (10, 49, 14) is the parabola itself, minimized at t = 3,
    // where φ' = 0: accepted after two evaluations.
    auto bowl = [](double t, std::vector<double>& g) {
        g = {2 * (t - 3)};
        return (t - 3) * (t - 3);
    };
    const LineSearchResult r = strong_wolfe(bowl, {1.0}, 10.0, 9.0, {-6.0}, -6.0);
    EXPECT_NEAR(r.t, 3.0, 1e-12);
    EXPECT_EQ(r.evals, 2);
}

}  // namespace
