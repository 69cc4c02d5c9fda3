// The Fréchet distance of Gaussians against closed forms and an independent matrix square root,
// and its estimate from samples.
#include <gtest/gtest.h>

#include <cmath>
#include <unsupported/Eigen/MatrixFunctions>

#include "gibbs/gen/frechet.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::gen {
namespace {

Tensor vec(const std::vector<double>& v) {
    return Tensor::from(v, {static_cast<int64_t>(v.size())});
}
Tensor diag(const std::vector<double>& v) {
    const int64_t F = static_cast<int64_t>(v.size());
    Tensor S = Tensor::zeros({F, F}, DType::f64);
    for (int64_t i = 0; i < F; ++i) S.set({i, i}, v[i]);
    return S;
}
Eigen::Matrix3d to_eigen(const Tensor& t) {
    Eigen::Matrix3d m;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) m(i, j) = t.at({i, j});
    return m;
}
// A random symmetric positive definite 3×3 matrix A Aᵀ + 0.1 I.
Tensor random_spd(Generator& gen) {
    Eigen::Matrix3d A;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) A(i, j) = gen.normal();
    const Eigen::Matrix3d S = A * A.transpose() + 0.1 * Eigen::Matrix3d::Identity();
    Tensor t = Tensor::empty({3, 3}, DType::f64);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) t.set({i, j}, S(i, j));
    return t;
}

// Denman–Beavers (1976): Y₀ = A, Z₀ = I, Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 gives Y → A^{1/2},
// the principal root, for any A without eigenvalues on the closed negative real axis (here the
// non-symmetric A = Σ₁Σ₂, whose eigenvalues are those of Σ₁^{1/2}Σ₂Σ₁^{1/2} > 0).
Eigen::Matrix3d denman_beavers_sqrt(const Eigen::Matrix3d& A) {
    Eigen::Matrix3d Y = A, Z = Eigen::Matrix3d::Identity();
    for (int k = 0; k < 60; ++k) {
        const Eigen::Matrix3d Y_next = 0.5 * (Y + Z.inverse());
        Z = 0.5 * (Z + Y.inverse());
        Y = Y_next;
    }
    return Y;
}

TEST(Frechet, OneDimensionalClosedForm) {
    // N(m₁, s₁²) and N(m₂, s₂²): d² = (m₁ − m₂)² + (s₁ − s₂)².
    EXPECT_NEAR(frechet_distance(vec({1.5}), diag({4.0}), vec({-0.5}), diag({0.25})),
                4.0 + 1.5 * 1.5, 1e-12);
}

TEST(Frechet, DiagonalClosedForm) {
    // Diagonal covariances commute: d² = ‖μ₁ − μ₂‖² + Σᵢ (σ₁ᵢ − σ₂ᵢ)².
    const std::vector<double> s1 = {0.5, 1.0, 2.0, 3.0}, s2 = {1.5, 1.0, 0.2, 4.0};
    const std::vector<double> m1 = {0.0, 1.0, -2.0, 0.5}, m2 = {1.0, 1.0, 0.0, -0.5};
    double expected = 0;
    std::vector<double> v1, v2;
    for (size_t i = 0; i < s1.size(); ++i) {
        expected += (m1[i] - m2[i]) * (m1[i] - m2[i]) + (s1[i] - s2[i]) * (s1[i] - s2[i]);
        v1.push_back(s1[i] * s1[i]);
        v2.push_back(s2[i] * s2[i]);
    }
    EXPECT_NEAR(frechet_distance(vec(m1), diag(v1), vec(m2), diag(v2)), expected, 1e-12);
}

TEST(Frechet, FullCovariancesAgreeWithAnIndependentSquareRoot) {
    Generator gen(7);
    for (int trial = 0; trial < 5; ++trial) {
        const Tensor S1 = random_spd(gen), S2 = random_spd(gen);
        const Tensor mu1 = vec({gen.normal(), gen.normal(), gen.normal()});
        const Tensor mu2 = vec({gen.normal(), gen.normal(), gen.normal()});
        const Eigen::Matrix3d A = to_eigen(S1), B = to_eigen(S2);
        // d² = ‖μ₁ − μ₂‖² + tr(A + B − 2 (AB)^{1/2}), with (AB)^{1/2} two independent ways.
        double dmu = 0;
        for (int i = 0; i < 3; ++i) dmu += std::pow(mu1.at({i}) - mu2.at({i}), 2);
        const Eigen::Matrix3d root_db = denman_beavers_sqrt(A * B);
        ASSERT_LT((root_db * root_db - A * B).norm(), 1e-10 * (A * B).norm());
        const Eigen::Matrix3d AB = A * B;
        const Eigen::Matrix3d root_schur = AB.sqrt();  // Eigen's MatrixFunctions (Schur method)
        const double expected_db = dmu + (A + B).trace() - 2 * root_db.trace();
        const double expected_schur = dmu + (A + B).trace() - 2 * root_schur.trace();
        const double d = frechet_distance(mu1, S1, mu2, S2);
        EXPECT_NEAR(d, expected_db, 1e-9 * (1 + expected_db)) << "trial " << trial;
        EXPECT_NEAR(d, expected_schur, 1e-9 * (1 + expected_schur)) << "trial " << trial;
        // Symmetric in its two arguments, and 0 between equal Gaussians.
        EXPECT_NEAR(frechet_distance(mu2, S2, mu1, S1), d, 1e-9 * (1 + d));
        EXPECT_NEAR(frechet_distance(mu1, S1, mu1, S1), 0.0, 1e-10);
    }
}

TEST(Frechet, PsdSqrtSquaresBackAndClampsRounding) {
    Generator gen(8);
    const Tensor S = random_spd(gen);
    const Eigen::Matrix3d R = to_eigen(psd_sqrt(S));
    EXPECT_LT((R * R - to_eigen(S)).norm(), 1e-12 * to_eigen(S).norm());
    EXPECT_LT((R - R.transpose()).norm(), 1e-14);
    // A rank-one matrix v vᵀ: rounding gives eigenvalues of about ±1e-17 that must not be NaN.
    const Tensor P = Tensor::from({1, 2, 3, 2, 4, 6, 3, 6, 9}, {3, 3});
    const Eigen::Matrix3d RP = to_eigen(psd_sqrt(P));
    EXPECT_TRUE(RP.allFinite());
    EXPECT_LT((RP * RP - to_eigen(P)).norm(), 1e-7);
}

TEST(Frechet, MomentsAreTheMeanAndUnbiasedCovariance) {
    // Rows (0, 0), (2, 0), (1, 3): mean (1, 1); deviations (−1, −1), (1, −1), (0, 2);
    // covariance Σ dᵢdᵢᵀ / (n − 1) = [[2, 0], [0, 6]] / 2.
    const GaussianMoments m = gaussian_moments(Tensor::from({0, 0, 2, 0, 1, 3}, {3, 2}));
    EXPECT_EQ(m.n, 3);
    EXPECT_DOUBLE_EQ(m.mean.at({0}), 1.0);
    EXPECT_DOUBLE_EQ(m.mean.at({1}), 1.0);
    EXPECT_DOUBLE_EQ(m.cov.at({0, 0}), 1.0);
    EXPECT_DOUBLE_EQ(m.cov.at({0, 1}), 0.0);
    EXPECT_DOUBLE_EQ(m.cov.at({1, 0}), 0.0);
    EXPECT_DOUBLE_EQ(m.cov.at({1, 1}), 3.0);
}

TEST(Frechet, SampleEstimateApproachesThePopulationDistance) {
    // x ~ N(0, I₂), y ~ N((1, 1), 4 I₂): d² = 2 + 2 (2 − 1)² = 4. The estimate from n samples each
    // has a standard error of order √(tr Σ²/n) ≈ 0.03 at n = 20000; we allow 0.15.
    Generator gen(9);
    const int64_t n = 20000;
    const Tensor x = randn({n, 2}, gen, DType::f64);
    Tensor y = randn({n, 2}, gen, DType::f64);
    double* py = y.data<double>();
    for (int64_t i = 0; i < 2 * n; ++i) py[i] = 1 + 2 * py[i];
    EXPECT_NEAR(frechet_distance(gaussian_moments(x), gaussian_moments(y)), 4.0, 0.15);
    // Two samples of one Gaussian: only the finite-sample bias, about 2·tr Σ / n ≈ 2e-4.
    const Tensor x2 = randn({n, 2}, gen, DType::f64);
    EXPECT_LT(frechet_distance(gaussian_moments(x), gaussian_moments(x2)), 0.01);
}

TEST(Frechet, BadInputIsAnError) {
    EXPECT_THROW(frechet_distance(vec({0, 0}), diag({1, 1}), vec({0}), diag({1})), Error);
    EXPECT_THROW(frechet_distance(vec({0, 0}), diag({1, 1}), vec({0, 0}), diag({1})), Error);
    EXPECT_THROW(frechet_distance(vec({0, NAN}), diag({1, 1}), vec({0, 0}), diag({1, 1})), Error);
    EXPECT_THROW(gaussian_moments(Tensor::zeros({1, 3})), Error);
    EXPECT_THROW(gaussian_moments(Tensor::zeros({4})), Error);
    try {
        frechet_distance(vec({0, 0}), diag({1, 1}), vec({0, 0}), diag({1}));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("frechet_distance"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace gibbs::gen
