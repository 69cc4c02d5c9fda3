// The partition function Z = Σ_x Σ_h e^{−E(x,h)} of an RBM, exactly or by annealed importance
// sampling, and the log-likelihood log p(x) = −F(x) − log Z that it makes computable.
//
// Exact: summing the smaller layer s ∈ {0,1}^K out in closed form leaves 2^K terms,
//   binary, K = N:  log Z = LSE_h [bᵀh + Σ_i softplus(a_i + (Wh)_i)]
//   binary, K = M:  log Z = LSE_x [aᵀx + Σ_j softplus(b_j + (xᵀW)_j)]
//   Gaussian:       log Z = Σ_i log(√(2π) σ_i) + LSE_h [bᵀh + Σ_i ((Wh)_i² + 2 a_i (Wh)_i)/2σ_i²]
// visited in Gray-code order (one column update per term) in parallel chunks, each with its own
// running log-sum-exp, combined in a fixed order (the result does not depend on the thread count).
//
// AIS (Neal, Statistics and Computing 11, 125, 2001; Salakhutdinov & Murray, ICML 2008): from a
// base-rate model p_A(x) ∝ exp(a_Aᵀx) (no coupling; a_A the data's logit marginals) to the RBM
// through p_k(x) ∝ p*_k(x) = exp((1−β_k) a_Aᵀx + β_k aᵀx) Π_j (1 + exp(β_k (b_j + (xᵀW)_j))),
// 0 = β_0 < β_1 < ... < β_K = 1. Each run draws x_1 ~ p_0 and x_{k+1} ~ T_k(x_k) (one Gibbs
// sweep of the β_k-scaled RBM), and w = Π_{k=1}^{K} p*_k(x_k)/p*_{k−1}(x_k). Then
//   Ẑ = Z_A · mean(w),  Z_A = 2^N Π_i (1 + e^{a_A,i}),
// unbiased for Z; the interval is log(mean(w) ± 3 sd(w)/√R) + log Z_A.
//
// Gaussian visible units: the base is the RBM with W = 0, visible means a_A (e.g. the data's)
// and the model's σ, hidden biases 0, so p*_0(x) = 2^N exp(−Σ_i (x_i − a_A,i)²/2σ_i²) and
//   Z_A = 2^N Π_i √(2π) σ_i;
// the path interpolates the visible energies and scales the hidden input by β:
//   p*_k(x) = exp(−Σ_i [(1−β_k)(x_i − a_A,i)² + β_k (x_i − a_i)²]/2σ_i²)
//             Π_j (1 + exp(β_k (b_j + Σ_i x_i W_ij/σ_i²))),
//   log p*_k(x) − log p*_{k−1}(x) = Δβ [Σ_i x_i (a_i − a_A,i)/σ_i² − Σ_i (a_i² − a_A,i²)/2σ_i²]
//                                  + Σ_j softplus(β_k u_j) − softplus(β_{k−1} u_j),
// and T_k draws h_j ~ σ(β_k u_j), then x_i ~ N((1−β_k) a_A,i + β_k (a_i + (Wh)_i), σ_i²).
#pragma once

#include <cstdint>
#include <vector>

#include "gibbs/boltzmann/rbm.hpp"

namespace gibbs::boltzmann {

inline constexpr int64_t kMaxExactLayer = 25;

// Exact log Z; needs min(M, N) ≤ 25 (binary) or N ≤ 25 (Gaussian). Float64 throughout.
double log_z_exact(const Rbm& rbm);
// Brute force over all 2^(M+N) joint states of a binary RBM (M + N ≤ 30), for tests.
double log_z_brute_force(const Rbm& rbm);

// Salakhutdinov & Murray's schedule scaled to K distributions: β uniform on [0, 0.5] for K/15
// steps, on [0.5, 0.9] for 4K/15 and on [0.9, 1] for the remaining 10K/15 (K = 15000 gives theirs).
// Returns β_0 = 0, ..., β_K = 1 (K + 1 values); K ≥ 15.
std::vector<double> ais_betas(int64_t K);

struct AisOptions {
    int64_t distributions = 15000;        // K, when `betas` is empty
    std::vector<double> betas = {};       // a schedule 0 = β_0 < ... < β_K = 1 (overrides K)
    int64_t runs = 100;                   // R
    std::vector<double> base_rates = {};  // binary: p_A(x_i = 1), (M); empty: 1/2 (uniform base)
    std::vector<double> base_means = {};  // Gaussian: a_A, (M); empty: the model's a
    uint64_t seed = 0;
};

struct AisResult {
    double log_z = 0;       // log Ẑ
    double log_z_low = 0;   // log(mean(w) − 3σ̂) + log Z_A (−inf when mean(w) ≤ 3σ̂)
    double log_z_high = 0;  // log(mean(w) + 3σ̂) + log Z_A
    double log_z_base = 0;  // log Z_A
    std::vector<double> log_weights = {};  // log w of each run, (R)
};

// AIS estimate of log Z of a binary–binary or Gaussian–binary RBM.
AisResult ais_log_z(const Rbm& rbm, const AisOptions& options = {});

// Base rates for AIS from binary data (B, M): (Σ_b x_bi + 1)/(B + 2) (Laplace smoothing keeps
// the base logits finite for pixels that are never on).
std::vector<double> base_rates(const Tensor& data);

// The mean of each column of data (B, M), float64: base means for Gaussian AIS.
std::vector<double> column_means(const Tensor& data);

// The average log-likelihood (1/B) Σ_b [−F(x_b)] − log Z over rows of data (B, M).
double mean_log_likelihood(const Rbm& rbm, const Tensor& data, double log_z);

}  // namespace gibbs::boltzmann
