// Known answers for the regression solvers: exact recovery of noise-free data, the normal
// equations and optimality (KKT) conditions written out, and agreement between the different
// solvers of one cost.
#include <gtest/gtest.h>

#include "gibbs/linear/design.hpp"
#include "gibbs/linear/elastic_net.hpp"
#include "gibbs/linear/liquid_drop.hpp"
#include "gibbs/linear/ols.hpp"
#include "gibbs/linear/ridge.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"
#include "linear/gram.hpp"

using namespace gibbs::linear;

namespace {

Eigen::MatrixXd normal_matrix(Eigen::Index n, Eigen::Index p, gibbs::Generator& gen) {
    Eigen::MatrixXd X(n, p);
    for (Eigen::Index j = 0; j < p; ++j)
        for (Eigen::Index i = 0; i < n; ++i) X(i, j) = gen.normal();
    return X;
}

TEST(Ols, RecoversPolynomialExactly) {
    // y = 4 + 5x + x² on 20 points: every solver returns (4, 5, 1) to rounding.
    Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(20, -1.0, 2.0);
    const Eigen::VectorXd y = 4.0 + 5.0 * x.array() + x.array().square();
    const Eigen::MatrixXd X = polynomial_features(x, 2).X;
    for (auto s : {OlsSolver::qr, OlsSolver::svd, OlsSolver::normal_equations}) {
        const OlsFit f = fit_ols(X, y, {.solver = s});
        EXPECT_NEAR(f.model.intercept, 4.0, 1e-10);
        EXPECT_NEAR(f.model.coef(0), 5.0, 1e-10);
        EXPECT_NEAR(f.model.coef(1), 1.0, 1e-10);
        EXPECT_FALSE(f.rank_deficient);
    }
}

TEST(Ols, RankDeficientGivesMinimumNormWithWarning) {
    // Column 3 = column 1 + column 2. The minimum-norm solution of y = x₁ + x₃ spreads the weight:
    // θ = argmin ‖θ‖ subject to Xθ = y, which satisfies the normal equations and θ ⊥ null(X).
    gibbs::Generator gen(3);
    Eigen::MatrixXd X = normal_matrix(30, 3, gen);
    X.col(2) = X.col(0) + X.col(1);
    const Eigen::VectorXd y = X.col(0) + X.col(2);
    const OlsFit f = fit_ols(X, y, {.fit_intercept = false});
    EXPECT_TRUE(f.rank_deficient);
    EXPECT_EQ(f.rank, 2);
    EXPECT_FALSE(f.warning.empty());
    EXPECT_NEAR((X * f.model.coef - y).norm(), 0.0, 1e-10);
    const Eigen::Vector3d null_dir(1, 1, -1);
    EXPECT_NEAR(f.model.coef.dot(null_dir), 0.0, 1e-10);
}

TEST(Gram, CenteredGramEqualsTheGramOfCenteredColumns) {
    // Both paths: the rank-one update of XᵀX (moderate means) and the centered copy (a column
    // whose mean is 10⁶ times its spread, and a constant column), against (X − 1x̄)ᵀ(X − 1x̄).
    gibbs::Generator gen(11);
    for (double offset : {0.0, 3.0, 1e6}) {
        Eigen::MatrixXd X = normal_matrix(200, 6, gen);
        X.col(0).array() += 2.0;
        X.col(1).array() += offset;
        if (offset == 3.0) X.col(2).setConstant(7.0);
        const Eigen::RowVectorXd mean = X.colwise().mean();
        const Eigen::MatrixXd Xc = X.rowwise() - mean;
        const Eigen::MatrixXd direct = Xc.transpose() * Xc;
        const Eigen::MatrixXd G = detail::centered_gram(X, mean);
        EXPECT_LT((G - direct).norm(), 1e-11 * direct.norm()) << "offset " << offset;
        EXPECT_EQ((G - G.transpose()).norm(), 0.0);
        if (offset == 3.0) {
            EXPECT_EQ(G.col(2).norm(), 0.0);  // constant column: exactly zero
        }
    }
}

TEST(Ridge, SatisfiesShiftedNormalEquationsAndPathAgrees) {
    // (X̃ᵀX̃ + nλI)θ = X̃ᵀỹ with X̃, ỹ centered; scikit-learn alpha = nλ.
    gibbs::Generator gen(4);
    const Eigen::MatrixXd X = normal_matrix(50, 8, gen);
    const Eigen::VectorXd y = normal_matrix(50, 1, gen).col(0);
    const Eigen::MatrixXd Xc = X.rowwise() - X.colwise().mean();
    const Eigen::VectorXd yc = y.array() - y.mean();
    const RidgePath path(X, y);
    for (double lambda : {0.0, 0.01, 1.0, 100.0}) {
        const LinearModel m = fit_ridge(X, y, {.lambda = lambda});
        const Eigen::VectorXd lhs =
            (Xc.transpose() * Xc + 50 * lambda * Eigen::MatrixXd::Identity(8, 8)) * m.coef;
        EXPECT_LT((lhs - Xc.transpose() * yc).norm(), 1e-10);
        EXPECT_NEAR(m.intercept, y.mean() - X.colwise().mean().dot(m.coef), 1e-12);
        const LinearModel q = path.fit(lambda);
        EXPECT_LT((q.coef - m.coef).norm(), 1e-10 * (1 + m.coef.norm()));
    }
    EXPECT_NEAR(path.effective_dof(0.0), 8.0, 1e-12);
    EXPECT_THROW(fit_ridge(X, y, {.lambda = -1.0}), gibbs::Error);
}

TEST(ElasticNet, SatisfiesKktConditions) {
    // Optimality of C = (1/n)‖y − Xθ‖² + λ₁‖θ‖₁ + λ₂‖θ‖²: with gⱼ = (2/n)Xⱼᵀr − 2λ₂θⱼ,
    // gⱼ = λ₁ sign θⱼ where θⱼ ≠ 0 and |gⱼ| ≤ λ₁ where θⱼ = 0.
    gibbs::Generator gen(5);
    const Eigen::MatrixXd X = normal_matrix(200, 30, gen);
    Eigen::VectorXd truth = Eigen::VectorXd::Zero(30);
    truth.head(5) << 3, -2, 1.5, 1, -0.5;
    const Eigen::VectorXd y = X * truth + 0.5 * normal_matrix(200, 1, gen).col(0);
    const Eigen::MatrixXd Xc = X.rowwise() - X.colwise().mean();
    for (double l2 : {0.0, 0.3}) {
        const double l1 = 0.2;
        const ElasticNetFit f = fit_elastic_net(X, y, {.lambda1 = l1, .lambda2 = l2, .tol = 1e-14});
        ASSERT_TRUE(f.converged);
        EXPECT_LE(f.gap, 1e-12);
        const Eigen::VectorXd r = (y.array() - y.mean()).matrix() - Xc * f.model.coef;
        const Eigen::VectorXd g = 2.0 / 200 * Xc.transpose() * r - 2 * l2 * f.model.coef;
        int nonzero = 0;
        for (int j = 0; j < 30; ++j) {
            const double t = f.model.coef(j);
            if (t != 0.0) {
                ++nonzero;
                EXPECT_NEAR(g(j), l1 * (t > 0 ? 1 : -1), 1e-7);
            } else {
                EXPECT_LE(std::abs(g(j)), l1 + 1e-7);
            }
        }
        EXPECT_GE(nonzero, 4);
        EXPECT_LT(nonzero, 30);
    }
}

TEST(ElasticNet, PathWarmStartsMatchSingleFitsAndLambdaMaxIsZero) {
    gibbs::Generator gen(6);
    const Eigen::MatrixXd X = normal_matrix(80, 120, gen);  // n < p: residual form
    const Eigen::VectorXd y = X.leftCols(3).rowwise().sum() + normal_matrix(80, 1, gen).col(0);
    const double lmax = lambda_max(X, y);
    EXPECT_EQ(fit_lasso(X, y, lmax).model.coef.cwiseAbs().maxCoeff(), 0.0);
    EXPECT_GT(fit_lasso(X, y, 0.99 * lmax).model.coef.cwiseAbs().maxCoeff(), 0.0);
    const std::vector<double> grid = lambda_grid(lmax, 10, 1e-2);
    for (auto pre : {Precompute::residual, Precompute::gram}) {
        const auto path =
            elastic_net_path(X, y, grid, {.l1_ratio = 0.7, .tol = 1e-12, .precompute = pre});
        for (size_t i = 0; i < grid.size(); i += 3) {
            const ElasticNetFit one = fit_elastic_net(
                X, y, {.lambda1 = 0.7 * grid[i], .lambda2 = 0.3 * grid[i], .tol = 1e-12});
            EXPECT_LT((path[i].model.coef - one.model.coef).norm(),
                      1e-5 * (1 + one.model.coef.norm()));
        }
    }
}

TEST(ElasticNet, RidgeLimitMatchesClosedForm) {
    // λ₁ = 0 is Ridge: coordinate descent must reach (XᵀX + nλ₂I)⁻¹Xᵀy.
    gibbs::Generator gen(7);
    const Eigen::MatrixXd X = normal_matrix(60, 10, gen);
    const Eigen::VectorXd y = normal_matrix(60, 1, gen).col(0);
    const auto en = fit_elastic_net(X, y, {.lambda1 = 0.0, .lambda2 = 0.05, .tol = 1e-14});
    const auto ridge = fit_ridge(X, y, {.lambda = 0.05});
    EXPECT_LT((en.model.coef - ridge.coef).norm(), 1e-6 * ridge.coef.norm());
    EXPECT_THROW(fit_lasso(X, y, -0.1), gibbs::Error);
}

TEST(Design, PolynomialColumnsAndStandardizer) {
    // (p+1)(p+2)/2 − 1 monomials in two variables; names in scikit-learn's order.
    const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(5, 0, 1), y = x.reverse();
    const Design d = polynomial_features(x, y, 3);
    EXPECT_EQ(d.X.cols(), 9);
    EXPECT_EQ(d.names, (std::vector<std::string>{"x", "y", "x^2", "x y", "y^2", "x^3", "x^2 y",
                                                 "x y^2", "y^3"}));
    EXPECT_DOUBLE_EQ(d.X(1, 6), 0.25 * 0.25 * 0.75);
    const Standardizer s = Standardizer::fit(d.X);
    const Eigen::MatrixXd Z = s.transform(d.X);
    EXPECT_LT(Z.colwise().mean().cwiseAbs().maxCoeff(), 1e-14);
    EXPECT_LT((Z.array().square().colwise().mean() - 1.0).abs().maxCoeff(), 1e-12);
    // A model on standardized columns predicts the same as its raw-column rewrite.
    const LinearModel m{0.3, Eigen::VectorXd::LinSpaced(9, -1, 1)};
    EXPECT_LT((m.predict(Z) - s.to_raw(m).predict(d.X)).norm(), 1e-12);
    EXPECT_NEAR(franke(0.0, 0.0), 0.7664205912849231, 1e-15);  // numpy, same formula
}

TEST(LiquidDrop, RecoversCoefficientsOfSyntheticTable) {
    // B generated by the formula itself with (15.8, 18.3, 0.714, 23.2, 12) MeV is fitted exactly.
    const LiquidDrop truth{15.8, 18.3, 0.714, 23.2, 12.0, 0.0};
    Eigen::VectorXi Z(300), N(300);
    Eigen::VectorXd B(300);
    for (int i = 0; i < 300; ++i) {
        Z(i) = 8 + i % 80;
        N(i) = Z(i) + i % 37;
        B(i) = truth.binding(Z(i), N(i));
    }
    const LiquidDrop f = fit_liquid_drop(Z, N, B);
    EXPECT_NEAR(f.a_V, 15.8, 1e-9);
    EXPECT_NEAR(f.a_S, 18.3, 1e-9);
    EXPECT_NEAR(f.a_C, 0.714, 1e-11);
    EXPECT_NEAR(f.a_A, 23.2, 1e-9);
    EXPECT_NEAR(f.a_P, 12.0, 1e-8);
    EXPECT_LT(f.rms, 1e-9);
}

}  // namespace
