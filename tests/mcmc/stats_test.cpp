// Error bars of correlated series against the AR(1) process, whose autocorrelation is known:
//   x_t = ρ x_{t-1} + sqrt(1-ρ²) η_t,  η_t ~ N(0,1),  x_0 ~ N(0,1)  (stationary, σ² = 1)
//   ρ(t) = ρ^|t|,  τ = 1 + 2 Σ_{t≥1} ρ^t = (1+ρ)/(1-ρ),
//   Var(x̄_n) = (1/n) [ (1+ρ)/(1-ρ) - 2ρ(1-ρ^n) / (n (1-ρ)²) ]   (exact for finite n).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "gibbs/mcmc/stats.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs::mcmc;

namespace {

std::vector<double> ar1(double rho, std::size_t n, uint64_t seed) {
    gibbs::Generator gen(seed);
    std::vector<double> x(n);
    x[0] = gen.normal();
    const double s = std::sqrt(1 - rho * rho);
    for (std::size_t t = 1; t < n; ++t) x[t] = rho * x[t - 1] + s * gen.normal();
    return x;
}

// Var(x̄_n) of the AR(1) process, exact.
double ar1_var_of_mean(double rho, double n) {
    return (1 / n) *
           ((1 + rho) / (1 - rho) - 2 * rho * (1 - std::pow(rho, n)) / (n * (1 - rho) * (1 - rho)));
}

// The expectation of the blocking estimator s_k²/(n_k-1) at block size b with n_k blocks:
// the block means y_j have Var(y) = Var(x̄_b) and E[(1/n_k) Σ (y_j - ȳ)²] = Var(y) - Var(ȳ),
// with ȳ the mean of the n_k b samples used.
double ar1_expected_blocking(double rho, double b, double n_k) {
    return (ar1_var_of_mean(rho, b) - ar1_var_of_mean(rho, b * n_k)) / (n_k - 1);
}

void expect_blocking_matches_ar1(double rho, std::size_t n, uint64_t seed) {
    const std::vector<double> x = ar1(rho, n, seed);
    const BlockingAnalysis a = blocking_analysis(x);
    const Estimate e = blocking(x);
    ASSERT_TRUE(a.converged);
    const double b = static_cast<double>(a.block_size());
    const double n_k = static_cast<double>(a.n_blocks[a.level]);
    const double truth = ar1_var_of_mean(rho, static_cast<double>(n));
    const double expected = ar1_expected_blocking(rho, b, n_k);
    // For nearly independent normal block means, (n_k - 1) × estimate / expected ~ χ²(n_k - 1),
    // whose relative standard deviation is sqrt(2 / (n_k - 1)).
    const double sd = expected * std::sqrt(2 / (n_k - 1));
    EXPECT_NEAR(e.error * e.error, expected, 3 * sd)
        << "block size " << b << ", " << n_k << " blocks";
    // The plateau was reached: the error bar is within 10% of the exact standard error. (Jonsson's
    // test accepts a level once the lag-1 correlation of its blocks is statistically invisible,
    // about sqrt(χ²_0.99 / n_k); the variance keeps a bias of that order, 7% here for τ = 19.)
    EXPECT_NEAR(e.error / std::sqrt(truth), 1.0, 0.1) << "block size " << b;
    // The mean itself: x̄ ~ N(0, Var(x̄)).
    EXPECT_NEAR(e.mean, 0.0, 3 * std::sqrt(truth));
    // τ = error² n / σ²; with σ² = 1 and n large, τ ≈ (1+ρ)/(1-ρ) within the same relative error.
    const double tau = (1 + rho) / (1 - rho);
    EXPECT_NEAR(
        e.tau, tau,
        3 * std::sqrt(2 / (n_k - 1)) * tau + std::fabs(expected - truth) * static_cast<double>(n));
}

}  // namespace

TEST(Blocking, CorrelatedAr1StandardErrorOfTheMean) {
    expect_blocking_matches_ar1(0.9, std::size_t{1} << 20, 11);  // τ = 19
    expect_blocking_matches_ar1(0.5, std::size_t{1} << 18, 12);  // τ = 3
}

TEST(Blocking, IndependentSamplesGiveSdOverSqrtN) {
    // ρ = 0: Var(x̄) = σ²/n, τ = 1.
    expect_blocking_matches_ar1(0.0, 100000, 13);  // not a power of two: odd levels drop a sample
    const std::vector<double> x = ar1(0.0, 100000, 13);
    const Estimate e = blocking(x);
    EXPECT_NEAR(e.error, 1 / std::sqrt(1e5), 3 * std::sqrt(1 / 2e5) / std::sqrt(1e5) * 4);
}

TEST(Blocking, ConstantSeriesHasZeroError) {
    const std::vector<double> x(1000, 2.5);
    const Estimate e = blocking(x);
    EXPECT_EQ(e.mean, 2.5);
    EXPECT_EQ(e.error, 0.0);
    EXPECT_EQ(e.tau, 1.0);
}

TEST(Blocking, BadInputThrows) {
    const std::vector<double> one{1.0};
    EXPECT_THROW(blocking(one), gibbs::Error);
    const std::vector<double> with_nan{1.0, std::numeric_limits<double>::quiet_NaN(), 2.0};
    try {
        blocking(with_nan);
        FAIL() << "no error for NaN";
    } catch (const gibbs::Error& err) {
        EXPECT_NE(std::string(err.what()).find("sample 1"), std::string::npos) << err.what();
    }
}

TEST(AutocorrelationTime, Ar1TauIsOnePlusRhoOverOneMinusRho) {
    // Sokal's estimator: bias from the window -2 Σ_{t>W} ρ^t = -2ρ^{W+1}/(1-ρ), statistical
    // error τ sqrt(2(2W+1)/n) (Madras & Sokal 1988).
    for (double rho : {0.0, 0.5, 0.9}) {
        const std::size_t n = std::size_t{1} << 19;
        const std::vector<double> x = ar1(rho, n, 21);
        const AutocorrelationTime a = autocorrelation_time(x);
        const double tau = (1 + rho) / (1 - rho);
        const double W = static_cast<double>(a.window);
        const double bias = 2 * std::pow(rho, W + 1) / (1 - rho);
        const double sd = tau * std::sqrt(2 * (2 * W + 1) / static_cast<double>(n));
        EXPECT_NEAR(a.tau, tau, 3 * sd + bias) << "rho " << rho << ", window " << a.window;
        EXPECT_GE(W, 5 * a.tau);
        EXPECT_EQ(integrated_autocorrelation_time(x), a.tau);
    }
}

TEST(AutocorrelationTime, AutocorrelationFunctionIsRhoToTheT) {
    // ρ(t) = ρ^t; the estimate of ρ(t) has standard error about sqrt(τ/n) for small t (Bartlett).
    const double rho = 0.8;
    const std::size_t n = 200000;
    const std::vector<double> x = ar1(rho, n, 22);
    const std::vector<double> r = autocorrelation(x, 10);
    ASSERT_EQ(r.size(), 11u);
    EXPECT_DOUBLE_EQ(r[0], 1.0);
    const double se = std::sqrt((1 + rho) / (1 - rho) / static_cast<double>(n));
    for (int t = 1; t <= 10; ++t) EXPECT_NEAR(r[t], std::pow(rho, t), 3 * se) << "t " << t;
}

TEST(Jackknife, LinearFunctionGivesTheBlockStandardError) {
    // For f(x̄) = x̄ the jackknife error equals sqrt(Σ_b (ȳ_b - ȳ)² / (n_b (n_b - 1))) exactly.
    const std::vector<double> x = ar1(0.3, 1000, 31);
    const std::size_t nb = 20, block = 50;
    std::vector<double> y(nb, 0.0);
    for (std::size_t b = 0; b < nb; ++b) {
        for (std::size_t t = 0; t < block; ++t) y[b] += x[b * block + t] / block;
    }
    double ybar = 0, ss = 0;
    for (double v : y) ybar += v / nb;
    for (double v : y) ss += (v - ybar) * (v - ybar);
    const Estimate e =
        jackknife({std::span<const double>(x)}, nb, [](std::span<const double> m) { return m[0]; });
    EXPECT_NEAR(e.mean, ybar, 1e-12);
    EXPECT_NEAR(e.error, std::sqrt(ss / (nb * (nb - 1.0))), 1e-12);
}

TEST(Jackknife, VarianceOfIndependentNormals) {
    // f(<x>, <x²>) = <x²> - <x>² estimates σ² = 1; for N(0,1) samples Var(s²) = 2/(n-1).
    const std::size_t n = 100000, nb = 100;
    const std::vector<double> x = ar1(0.0, n, 32);
    std::vector<double> x2(n);
    for (std::size_t i = 0; i < n; ++i) x2[i] = x[i] * x[i];
    const Estimate e = jackknife({std::span<const double>(x), std::span<const double>(x2)}, nb,
                                 [](std::span<const double> m) { return m[1] - m[0] * m[0]; });
    const double sd = std::sqrt(2.0 / (n - 1));
    EXPECT_NEAR(e.mean, 1.0, 3 * sd);
    // The error estimate from n_b blocks has relative standard deviation about sqrt(1/(2(n_b-1))).
    EXPECT_NEAR(e.error, sd, 3 * sd * std::sqrt(0.5 / (nb - 1)));
}

TEST(Jackknife, BadInputThrows) {
    const std::vector<double> a(10, 1.0), b(11, 1.0);
    auto f = [](std::span<const double> m) { return m[0]; };
    EXPECT_THROW(jackknife({std::span<const double>(a), std::span<const double>(b)}, 2, f),
                 gibbs::Error);
    EXPECT_THROW(jackknife({std::span<const double>(a)}, 1, f), gibbs::Error);
    EXPECT_THROW(jackknife({std::span<const double>(a)}, 11, f), gibbs::Error);
}
