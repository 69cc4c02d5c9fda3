// Error bars for the mean of a correlated Markov-chain series.
//
// For a stationary series x_1..x_n with variance σ² and normalized autocorrelation ρ(t),
//   Var(x̄) ≈ τ σ² / n,   τ = 1 + 2 Σ_{t≥1} ρ(t)   (the integrated autocorrelation time),
// so n/τ is the effective number of independent samples. Two estimators of τ (or of Var(x̄))
// live here: the blocking method of Flyvbjerg & Petersen (J. Chem. Phys. 91, 461, 1989) with
// Jonsson's automated plateau test (Phys. Rev. E 98, 043304, 2018), and the windowed sum of
// the autocorrelation function with Sokal's automatic window (Sokal, "Monte Carlo methods in
// statistical mechanics", 1997; Madras & Sokal, J. Stat. Phys. 50, 109, 1988).
// A block jackknife gives errors of nonlinear functions of several means (specific heat,
// susceptibility).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace gibbs::mcmc {

// mean ± error (one standard error); tau: integrated autocorrelation time, 1 for independent
// samples, defined by error² = tau σ² / n.
struct Estimate {
    double mean;
    double error;
    double tau;
};

// Flyvbjerg & Petersen (1989) blocking: the standard error of the mean of a correlated series,
// read off the plateau of the blocked variance, found by Jonsson's (2018) test.
// Needs at least 2 samples; throws gibbs::Error otherwise or when a sample is not finite.
Estimate blocking(std::span<const double> samples);

// The whole blocking analysis: level k averages pairs of level k-1, x'_i = (x_{2i} + x_{2i+1})/2
// (an odd last element is dropped). At each level, var_of_mean[k] = s_k² / (n_k - 1) with
// s_k² = (1/n_k) Σ (x_i - x̄)² estimates Var(x̄) once blocks are longer than the correlations.
// Jonsson's statistic M_k = Σ_{j≥k} n_j (γ_j / s_j²)², γ_j the lag-1 autocovariance at level j,
// is χ²-distributed with (levels - k) degrees of freedom when blocks at levels ≥ k are
// uncorrelated; the first level with M_k below the 99% quantile is chosen.
struct BlockingAnalysis {
    double mean = 0;
    double variance = 0;                // s_0², the variance of the samples
    std::vector<std::size_t> n_blocks;  // n_k, per level
    std::vector<double> var_of_mean;    // s_k² / (n_k - 1), per level
    std::size_t level = 0;              // the chosen level k
    bool converged = true;              // false when no level passed the test (use more data)
    std::size_t block_size() const { return std::size_t{1} << level; }
};
BlockingAnalysis blocking_analysis(std::span<const double> samples);

// Integrated autocorrelation time τ = 1 + 2 Σ_{t=1}^{W} ρ(t) with Sokal's automatic window:
// the smallest W with W ≥ c τ(W). ρ(t) = C(t)/C(0), C(t) = (1/n) Σ_i (x_i - x̄)(x_{i+t} - x̄),
// computed by FFT in O(n log n). Returns 1 for a constant series.
double integrated_autocorrelation_time(std::span<const double> samples, double c = 5.0);

// τ together with its window W; the statistical error of τ is about τ sqrt(2(2W+1)/n)
// (Madras & Sokal 1988, eq. 2.20).
struct AutocorrelationTime {
    double tau;
    std::size_t window;
};
AutocorrelationTime autocorrelation_time(std::span<const double> samples, double c = 5.0);

// The normalized autocorrelation function ρ(t) for t = 0..max_lag (ρ(0) = 1).
std::vector<double> autocorrelation(std::span<const double> samples, std::size_t max_lag);

// Block jackknife for f(x̄_1, ..., x̄_m), a function of the means of m series of equal length n.
// The series are cut into n_blocks consecutive blocks (a remainder at the end is dropped);
// f_j is f evaluated on the means without block j, and
//   f_J = n_b f(all) - (n_b - 1) mean_j f_j,  error² = (n_b - 1)/n_b Σ_j (f_j - mean_j f_j)²
// (Efron 1982). Blocks longer than the correlation time make the blocks independent.
// Returns {f_J (bias-corrected), error, tau = NaN}.
Estimate jackknife(const std::vector<std::span<const double>>& series, std::size_t n_blocks,
                   const std::function<double(std::span<const double> means)>& f);

}  // namespace gibbs::mcmc
