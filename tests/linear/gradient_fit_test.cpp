// The lecture's costs minimized by the gradient optimizers converge to the closed forms:
// Ridge θ̂ = (XcᵀXc + nλI)⁻¹Xcᵀyc on centered data, and Newton's logistic solution.
#include <gtest/gtest.h>

#include "gibbs/linear/gradient_fit.hpp"
#include "gibbs/linear/logistic.hpp"
#include "gibbs/linear/ridge.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs::linear;

namespace {
// y = 1.5 + Xβ + 0.3ε with X standard normal, n = 200, p = 5.
void make_data(Eigen::MatrixXd& X, Eigen::VectorXd& y, bool binary) {
    gibbs::Generator gen(17);
    const int n = 200, p = 5;
    const double beta[p] = {1.0, -2.0, 0.5, 0.0, 3.0};
    X.resize(n, p);
    y.resize(n);
    for (int i = 0; i < n; ++i) {
        double z = 1.5;
        for (int j = 0; j < p; ++j) {
            X(i, j) = gen.normal();
            z += X(i, j) * beta[j] * (binary ? 0.5 : 1.0);
        }
        y(i) =
            binary ? (gen.uniform() < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0) : z + 0.3 * gen.normal();
    }
}

double max_diff(const LinearModel& a, const Eigen::VectorXd& coef, double intercept) {
    return std::max((a.coef - coef).cwiseAbs().maxCoeff(), std::abs(a.intercept - intercept));
}
}  // namespace

TEST(GradientFit, FullBatchMethodsReachRidgeClosedForm) {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    make_data(X, y, false);
    const double lambda = 0.05;
    const LinearModel exact = fit_ridge(X, y, {.lambda = lambda});
    struct Case {
        GradientMethod method;
        double lr;
        int64_t epochs;
        bool cosine;
    };
    for (const Case& c : {Case{GradientMethod::gd, 0.2, 3000, false},
                          Case{GradientMethod::momentum, 0.05, 1500, false},
                          Case{GradientMethod::nesterov, 0.05, 1500, false},
                          Case{GradientMethod::adagrad, 0.5, 5000, false},
                          Case{GradientMethod::rmsprop, 0.01, 6000, true},
                          Case{GradientMethod::adam, 0.05, 6000, true}}) {
        const LinearModel m = fit_by_gradient(X, y,
                                              {.lambda = lambda,
                                               .method = c.method,
                                               .lr = c.lr,
                                               .epochs = c.epochs,
                                               .cosine = c.cosine});
        EXPECT_LT(max_diff(m, exact.coef, exact.intercept), 1e-6)
            << "method " << static_cast<int>(c.method);
    }
}

TEST(GradientFit, MinibatchSgdAndAdamApproachClosedForm) {
    // Minibatches of 20 with a cosine-annealed rate: the noise of the gradient estimate dies with
    // the rate, leaving the ridge solution to about 1e-3.
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    make_data(X, y, false);
    const LinearModel exact = fit_ridge(X, y, {.lambda = 0.0});
    for (auto [method, lr] : {std::pair{GradientMethod::sgd, 0.05}, {GradientMethod::adam, 0.05}}) {
        const LinearModel m = fit_by_gradient(
            X, y,
            {.method = method, .lr = lr, .batch = 20, .epochs = 400, .cosine = true, .seed = 3});
        EXPECT_LT(max_diff(m, exact.coef, exact.intercept), 2e-3)
            << "method " << static_cast<int>(method);
    }
}

TEST(GradientFit, LogisticMatchesNewton) {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    make_data(X, y, true);
    const double lambda = 0.01;
    const LogisticModel newton = fit_logistic(X, y, {.lambda = lambda, .tol = 1e-12});
    const LinearModel m = fit_by_gradient(X, y,
                                          {.loss = Loss::logistic,
                                           .lambda = lambda,
                                           .method = GradientMethod::adam,
                                           .lr = 0.05,
                                           .epochs = 8000,
                                           .cosine = true});
    EXPECT_LT(max_diff(m, newton.coef, newton.intercept), 1e-5);
}

TEST(GradientFit, BadInputAndDivergence) {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    make_data(X, y, false);
    EXPECT_THROW(fit_by_gradient(X, y.head(10), {}), gibbs::Error);
    EXPECT_THROW(fit_by_gradient(X, y, {.lambda = -1}), gibbs::Error);
    try {
        fit_by_gradient(X, y, {.method = GradientMethod::gd, .lr = 50.0, .epochs = 200});
        FAIL() << "a learning rate of 50 must diverge";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("at epoch"), std::string::npos) << e.what();
    }
}
