// Agreement with scikit-learn 1.2 (values in reference.json, made by make_reference.py) on real
// data sets from python3-sklearn and on the Franke function. Coefficient tolerance: 1e-6 relative
// (Lasso and elastic net: 1e-5, both solved to a duality gap of 1e-12·‖y‖²). Relative means
// |a − b| ≤ rtol·max(|b|, 1e-3·‖b‖_∞), so that coefficients near zero are compared on the scale of
// the others.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "gibbs/linear/elastic_net.hpp"
#include "gibbs/linear/logistic.hpp"
#include "gibbs/linear/ols.hpp"
#include "gibbs/linear/ridge.hpp"
#include "linear/sklearn_data.hpp"

using namespace gibbs::linear;
using gibbs::testing::have_sklearn_data;
using nlohmann::json;

namespace {

json reference() {
    std::ifstream in(GIBBS_SOURCE_DIR "/tests/linear/reference.json");
    return json::parse(in);
}

Eigen::VectorXd vec(const json& j) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
    for (size_t i = 0; i < j.size(); ++i) v(static_cast<Eigen::Index>(i)) = j[i].get<double>();
    return v;
}

void expect_close(const Eigen::VectorXd& got, const Eigen::VectorXd& want, double rtol,
                  const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    const double floor = 1e-3 * want.cwiseAbs().maxCoeff();
    for (Eigen::Index j = 0; j < want.size(); ++j)
        EXPECT_NEAR(got(j), want(j), rtol * std::max(std::abs(want(j)), floor))
            << what << " coefficient " << j;
}

void expect_model(const LinearModel& m, const json& ref, double rtol, const std::string& what) {
    expect_close(m.coef, vec(ref["coef"]), rtol, what);
    const double b = ref["intercept"].get<double>();
    EXPECT_NEAR(m.intercept, b, rtol * std::max(1.0, std::abs(b))) << what << " intercept";
}

class Regression : public ::testing::TestWithParam<std::string> {};

TEST_P(Regression, MatchesScikitLearn) {
    if (!have_sklearn_data()) GTEST_SKIP() << "python3-sklearn data files not installed";
    const std::string name = GetParam();
    const json ref = reference()["regression"][name];
    const auto [X, y] = gibbs::testing::load_regression(name);
    const json& lam = ref["lambda"];

    for (auto solver : {OlsSolver::qr, OlsSolver::svd}) {
        const OlsFit f = fit_ols(X, y, {.solver = solver});
        EXPECT_FALSE(f.rank_deficient) << name;
        expect_model(f.model, ref["ols"], 1e-6, name + " ols");
    }
    expect_model(fit_ridge(X, y, {.lambda = lam["ridge"]}), ref["ridge"], 1e-6, name + " ridge");
    expect_model(RidgePath(X, y).fit(lam["ridge"]), ref["ridge"], 1e-6, name + " ridge path");

    const ElasticNetFit lasso =
        fit_lasso(X, y, lam["lasso"], {.tol = 1e-12, .max_sweeps = 1000000});
    EXPECT_TRUE(lasso.converged);
    expect_model(lasso.model, ref["lasso"], 1e-5, name + " lasso");
    const ElasticNetFit en = fit_elastic_net(
        X, y, {.lambda1 = lam["l1"], .lambda2 = lam["l2"], .tol = 1e-12, .max_sweeps = 1000000});
    EXPECT_TRUE(en.converged);
    expect_model(en.model, ref["elasticnet"], 1e-5, name + " elastic net");
    // The covariance (Gram) form of the same solver reaches the same optimum.
    const ElasticNetFit en_gram = fit_elastic_net(X, y,
                                                  {.lambda1 = lam["l1"],
                                                   .lambda2 = lam["l2"],
                                                   .tol = 1e-12,
                                                   .max_sweeps = 1000000,
                                                   .precompute = Precompute::gram});
    expect_model(en_gram.model, ref["elasticnet"], 1e-5, name + " elastic net (gram)");
}

INSTANTIATE_TEST_SUITE_P(SklearnData, Regression, ::testing::Values("diabetes", "wine", "franke"));

class Classification : public ::testing::TestWithParam<std::string> {};

TEST_P(Classification, MatchesScikitLearn) {
    if (!have_sklearn_data()) GTEST_SKIP() << "python3-sklearn data files not installed";
    const std::string name = GetParam();
    const json ref = reference()["classification"][name == "wine_data" ? "wine" : name];
    const auto [X, t] = gibbs::testing::load_classification(name);
    const double lambda = ref["lambda"];
    const Eigen::MatrixXd W = [&] {  // (K or 1, P) as scikit-learn stores coef_
        Eigen::MatrixXd m(ref["coef"].size(), X.cols());
        for (size_t k = 0; k < ref["coef"].size(); ++k) m.row(k) = vec(ref["coef"][k]).transpose();
        return m;
    }();
    const Eigen::VectorXd b = vec(ref["intercept"]);
    for (auto solver : {LogisticSolver::newton, LogisticSolver::lbfgs}) {
        const std::string what = name + (solver == LogisticSolver::newton ? " newton" : " lbfgs");
        const LogisticOptions o{.lambda = lambda, .solver = solver, .tol = 1e-10};
        if (W.rows() == 1) {
            const LogisticModel m = fit_logistic(X, t, o);
            EXPECT_TRUE(m.converged) << what << " iterations " << m.iterations;
            expect_close(m.coef, W.row(0).transpose(), 1e-6, what);
            EXPECT_NEAR(m.intercept, b(0), 1e-6 * std::max(1.0, std::abs(b(0)))) << what;
        } else {
            const SoftmaxModel m = fit_softmax(X, encode_labels(t).index, o);
            EXPECT_TRUE(m.converged) << what << " iterations " << m.iterations;
            for (Eigen::Index k = 0; k < W.rows(); ++k)
                expect_close(m.coef.col(k), W.row(k).transpose(), 1e-6,
                             what + " class " + std::to_string(k));
            expect_close(m.intercept, b, 1e-6, what + " intercepts");
        }
    }
}

INSTANTIATE_TEST_SUITE_P(SklearnData, Classification,
                         ::testing::Values("breast_cancer", "iris", "wine_data"));

}  // namespace
