// L-BFGS on a known minimum, logistic regression's optimality, the scores on hand-computed
// cases, and the resampling identities.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "gibbs/linear/lbfgs.hpp"
#include "gibbs/linear/logistic.hpp"
#include "gibbs/linear/metrics.hpp"
#include "gibbs/linear/ols.hpp"
#include "gibbs/linear/resampling.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::linear;

namespace {

TEST(Lbfgs, MinimizesRosenbrock) {
    // f(x, y) = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1).
    const Objective f = [](const Eigen::VectorXd& v, Eigen::VectorXd& g) {
        const double x = v(0), y = v(1);
        g(0) = -2 * (1 - x) - 400 * x * (y - x * x);
        g(1) = 200 * (y - x * x);
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    };
    const LbfgsResult r = lbfgs(f, Eigen::Vector2d(-1.2, 1.0), {.gtol = 1e-10});
    EXPECT_TRUE(r.converged);
    EXPECT_NEAR(r.x(0), 1.0, 1e-9);
    EXPECT_NEAR(r.x(1), 1.0, 1e-9);
}

TEST(Logistic, GradientVanishesAndSolversAgree) {
    // ∇C = (1/n)X̃ᵀ(σ(z) − y) + 2λ(0, θ) = 0 at the optimum.
    gibbs::Generator gen(8);
    const int n = 300, p = 4;
    Eigen::MatrixXd X(n, p);
    Eigen::VectorXd y(n);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < p; ++j) X(i, j) = gen.normal();
        y(i) = gen.bernoulli(1.0 / (1.0 + std::exp(-(0.5 + X(i, 0) - 2 * X(i, 1))))) ? 1 : 0;
    }
    const double lambda = 0.01;
    const LogisticModel a = fit_logistic(X, y, {.lambda = lambda, .tol = 1e-12});
    const LogisticModel b =
        fit_logistic(X, y, {.lambda = lambda, .solver = LogisticSolver::lbfgs, .tol = 1e-12});
    ASSERT_TRUE(a.converged && b.converged);
    const Eigen::VectorXd resid = a.predict_proba(X) - y;
    EXPECT_NEAR(resid.mean(), 0.0, 1e-12);
    EXPECT_LT((X.transpose() * resid / n + 2 * lambda * a.coef).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((a.coef - b.coef).norm(), 1e-9);
    EXPECT_GT(accuracy(y.cast<int>(), a.predict(X)), 0.7);
    EXPECT_THROW(fit_logistic(X, 2 * y, {}), gibbs::Error);
}

TEST(Logistic, SoftmaxWithTwoClassesIsLogistic) {
    // With K = 2 only differences of logits matter: θ = Θ₂ − Θ₁. At the optimum Θ₁ = −Θ₂ (the
    // penalty prefers the symmetric split), so λ‖Θ‖² = (λ/2)‖θ‖²: softmax at λ is logistic at λ/2.
    gibbs::Generator gen(9);
    Eigen::MatrixXd X(100, 2);
    Eigen::VectorXd y(100);
    for (int i = 0; i < 100; ++i) {
        X(i, 0) = gen.normal(), X(i, 1) = gen.normal();
        y(i) = gen.bernoulli(1.0 / (1.0 + std::exp(-X(i, 0)))) ? 1 : 0;
    }
    const LogisticModel lr = fit_logistic(X, y, {.lambda = 0.005, .tol = 1e-12});
    const SoftmaxModel sm = fit_softmax(X, y.cast<int>(), {.lambda = 0.01, .tol = 1e-12});
    EXPECT_LT((sm.coef.col(1) - sm.coef.col(0) - lr.coef).norm(), 1e-9);
    EXPECT_NEAR(sm.intercept(1) - sm.intercept(0), lr.intercept, 1e-9);
}

TEST(Metrics, HandComputed) {
    const Eigen::Vector3d y(1, 2, 3), f(1, 2, 6);
    EXPECT_DOUBLE_EQ(mse(y, f), 3.0);
    EXPECT_DOUBLE_EQ(r2_score(y, f), 1.0 - 9.0 / 2.0);
    EXPECT_DOUBLE_EQ(accuracy(Eigen::Vector3i(0, 1, 1), Eigen::Vector3i(0, 1, 0)), 2.0 / 3.0);
    EXPECT_NEAR(log_loss(Eigen::VectorXd(Eigen::Vector2d(1, 0)),
                         Eigen::VectorXd(Eigen::Vector2d(0.8, 0.4))),
                -(std::log(0.8) + std::log(0.6)) / 2, 1e-15);
    Eigen::MatrixXd P(2, 3);
    P << 0.2, 0.5, 0.3, 0.1, 0.1, 0.8;
    EXPECT_NEAR(log_loss(Eigen::VectorXi(Eigen::Vector2i(1, 2)), P),
                -(std::log(0.5) + std::log(0.8)) / 2, 1e-15);
}

TEST(Resampling, FoldsPartitionAndBootstrapCoverage) {
    gibbs::Generator gen(10);
    const auto folds = kfold(23, 5, gen);
    std::multiset<Eigen::Index> tested;
    for (const auto& f : folds) {
        EXPECT_EQ(f.train.size() + f.test.size(), 23u);
        EXPECT_TRUE(f.test.size() == 4 || f.test.size() == 5);
        tested.insert(f.test.begin(), f.test.end());
    }
    EXPECT_EQ(tested.size(), 23u);
    EXPECT_EQ(std::set<Eigen::Index>(tested.begin(), tested.end()).size(), 23u);
    // A bootstrap sample of size n holds a fraction 1 − (1 − 1/n)ⁿ ≈ 0.632 of distinct rows, with
    // standard deviation ≈ √(e⁻¹(1 − 2e⁻¹)/n) ≈ 0.0099 at n = 1000; the mean of 200 samples has
    // standard error ≈ 0.0007.
    double distinct = 0;
    for (int b = 0; b < 200; ++b) {
        const auto idx = bootstrap_sample(1000, gen);
        distinct += std::set<Eigen::Index>(idx.begin(), idx.end()).size() / 1000.0 / 200;
    }
    EXPECT_NEAR(distinct, 1 - std::pow(1 - 1e-3, 1000), 3 * 0.0007);
    EXPECT_THROW(kfold(3, 5, gen), gibbs::Error);
    EXPECT_THROW(train_test_split(10, 1.5, gen), gibbs::Error);
}

TEST(Resampling, BiasVarianceAddsUpAndCvOfExactModelIsZero) {
    gibbs::Generator gen(11);
    Eigen::MatrixXd X(60, 2);
    Eigen::VectorXd y(60);
    for (int i = 0; i < 60; ++i) {
        X(i, 0) = gen.normal(), X(i, 1) = gen.normal();
        y(i) = 1 + 2 * X(i, 0) - X(i, 1) + 0.3 * gen.normal();
    }
    const Fitter ols = [](const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
        return fit_ols(A, b).model;
    };
    // error = bias² + variance holds exactly for the sample moments (divisor B in both).
    const BiasVariance bv =
        bias_variance(ols, X.topRows(40), y.head(40), X.bottomRows(20), y.tail(20), 50, gen);
    EXPECT_NEAR(bv.error, bv.bias2 + bv.variance, 1e-12);
    EXPECT_GT(bv.variance, 0.0);
    // Noise-free linear data: every fold predicts exactly.
    const Eigen::VectorXd exact = (1 + 2 * X.col(0).array() - X.col(1).array()).matrix();
    EXPECT_LT(cross_validate(ols, X, exact, 5, gen).mse, 1e-20);
}

}  // namespace
