// Annealed importance sampling of an RBM's log Z from a base-rate model (equations in
// gibbs/boltzmann/partition.hpp). The R runs are the rows of one batch: per intermediate
// distribution, one GEMM gives x = b + Wᵀv for the weights and for the hidden draw, and one more
// gives the visible draw. Chains and GEMMs are float32; the log weights are accumulated in
// float64. Runs are split into chunks that anneal independently on the OpenMP threads.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "boltzmann/kernels.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

std::vector<double> ais_betas(int64_t K) {
    check(K >= 15, "ais_betas: need at least 15 intermediate distributions, got ", K);
    const int64_t k1 = K / 15, k2 = 4 * K / 15, k3 = K - k1 - k2;
    std::vector<double> betas;
    betas.reserve(static_cast<size_t>(K + 1));
    auto segment = [&](double lo, double hi, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
            betas.push_back(lo + (hi - lo) * i / static_cast<double>(n));
    };
    segment(0.0, 0.5, k1);
    segment(0.5, 0.9, k2);
    segment(0.9, 1.0, k3);
    betas.push_back(1.0);
    return betas;
}

std::vector<double> base_rates(const Tensor& data) {
    check(data.defined() && data.dim() == 2, "base_rates: data must be (B, M)");
    std::vector<double> p = data.to(DType::f64).sum(0).to_vector();
    for (double& v : p) v = (v + 1) / (static_cast<double>(data.size(0)) + 2);
    return p;
}

std::vector<double> column_means(const Tensor& data) {
    check(data.defined() && data.dim() == 2 && data.size(0) >= 1,
          "column_means: data must be (B, M) with B >= 1");
    return data.to(DType::f64).mean(0).to_vector();
}

AisResult ais_log_z(const Rbm& rbm, const AisOptions& o) {
    const bool gaussian = rbm.visible() == Visible::kGaussian;
    check(gaussian || o.base_means.empty(),
          "ais_log_z: base_means are for Gaussian visible units; give base_rates");
    check(!gaussian || o.base_rates.empty(),
          "ais_log_z: base_rates are for binary visible units; give base_means");
    check(o.runs >= 2, "ais_log_z: need at least 2 runs, got ", o.runs);
    const std::vector<double> betas = o.betas.empty() ? ais_betas(o.distributions) : o.betas;
    check(betas.size() >= 2 && betas.front() == 0.0 && betas.back() == 1.0,
          "ais_log_z: the beta schedule must run from 0 to 1");
    for (size_t k = 1; k < betas.size(); ++k)
        check(betas[k] > betas[k - 1], "ais_log_z: the beta schedule must increase strictly (beta_",
              k, " = ", betas[k], ")");
    const int64_t M = rbm.M(), N = rbm.N(), R = o.runs, K = static_cast<int64_t>(betas.size()) - 1;
    check(o.base_rates.empty() || static_cast<int64_t>(o.base_rates.size()) == M,
          "ais_log_z: base_rates has ", o.base_rates.size(), " values, the RBM has ", M,
          " visible units");
    check(o.base_means.empty() || static_cast<int64_t>(o.base_means.size()) == M,
          "ais_log_z: base_means has ", o.base_means.size(), " values, the RBM has ", M,
          " visible units");

    const Rbm f = rbm.to(DType::f32);
    const auto a_B = rbm.a.to_vector();
    // Binary: the base logits log(p/(1−p)); Gaussian: the base means (default a_B).
    std::vector<double> a_A(static_cast<size_t>(M), 0.0);
    // Gaussian: 1/σ² (binary: 1).
    std::vector<double> inv_s2(static_cast<size_t>(M), 1.0);
    AisResult res;
    res.log_z_base = static_cast<double>(N) * std::log(2.0);
    double offset = 0;  // Gaussian: −Σ_i (a_B,i² − a_A,i²)/2σ_i²
    if (gaussian) {
        const auto sg = rbm.sigma.to_vector();
        for (int64_t i = 0; i < M; ++i) {
            a_A[i] = o.base_means.empty() ? a_B[i] : o.base_means[i];
            check(std::isfinite(a_A[i]), "ais_log_z: base mean ", i, " is ", a_A[i]);
            inv_s2[i] = 1.0 / (sg[i] * sg[i]);
            res.log_z_base += 0.5 * std::log(2 * std::numbers::pi) + std::log(sg[i]);
            offset -= (a_B[i] * a_B[i] - a_A[i] * a_A[i]) * 0.5 * inv_s2[i];
        }
    } else {
        for (int64_t i = 0; i < M; ++i) {
            if (!o.base_rates.empty()) {
                const double p = o.base_rates[i];
                check(p > 0 && p < 1, "ais_log_z: base rate ", i, " is ", p, ", must be in (0, 1)");
                a_A[i] = std::log(p / (1 - p));
            }
            res.log_z_base += detail::softplus(a_A[i]);
        }
    }
    // Wx = [W | a_B − a_A] (M, N+1), row i scaled by 1/σ_i² for Gaussian units: one GEMM gives
    // both x_j − b_j (= (ṽW)_j, ṽ = v/σ²) and (a_B − a_A)ᵀṽ.
    const int64_t N1 = N + 1;
    std::vector<float> Wx(static_cast<size_t>(M * N1));
    const float* W = f.W.data<float>();
    for (int64_t i = 0; i < M; ++i) {
        for (int64_t j = 0; j < N; ++j)
            Wx[i * N1 + j] = static_cast<float>(W[i * N + j] * inv_s2[i]);
        Wx[i * N1 + N] = static_cast<float>((a_B[i] - a_A[i]) * inv_s2[i]);
    }
    const std::vector<float> sigma_f =
        gaussian ? std::vector<float>(f.sigma.data<float>(), f.sigma.data<float>() + M)
                 : std::vector<float>();
    const auto b = rbm.b.to_vector();
    std::vector<double> logw(static_cast<size_t>(R), 0.0);
    // The runs go in chunks of kAisChunk rows, each a whole annealing on one thread with its own
    // stream: one parallel region in all (the GEMMs inside run single-threaded), and a result
    // that does not depend on the thread count.
    constexpr int64_t kAisChunk = 25;
    const int64_t chunks = (R + kAisChunk - 1) / kAisChunk;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
    for (int64_t q = 0; q < chunks; ++q) {
        const int64_t r0 = q * kAisChunk, rows = std::min(kAisChunk, R - r0);
        Generator gen = detail::row_generator(o.seed, q);
        std::vector<float> v(static_cast<size_t>(rows * M)), G(static_cast<size_t>(rows * N1)),
            h(static_cast<size_t>(rows * N)), bias(static_cast<size_t>(M));
        // v_1 ~ p_0: independent Bernoulli(σ(a_A)), or N(a_A, σ²).
        for (int64_t i = 0; i < M; ++i) bias[i] = static_cast<float>(a_A[i]);
        if (gaussian)
            detail::gaussian_sample<float>(v.data(), bias.data(), sigma_f.data(), v.data(), rows, M,
                                           gen.next());
        else
            detail::sigmoid_sample<float>(v.data(), bias.data(), v.data(), rows, M, gen.next());
        for (int64_t k = 1; k <= K; ++k) {
            const double beta = betas[k], beta_prev = betas[k - 1];
            // G = v Wx: x_j − b_j in columns 0..N−1 and (a_B − a_A)ᵀv in column N.
            detail::gemm<float>(false, false, rows, N1, M, 1.0f, v.data(), Wx.data(), 0.0f,
                                G.data());
            // log p*_k(v) − log p*_{k−1}(v)
            //   = Δβ (a_B − a_A)ᵀv + Σ_j softplus(β_k x_j) − softplus(β_{k−1} x_j)   (binary)
            //   = Δβ [(a_B − a_A)ᵀṽ + offset] + the same softplus terms                 (Gaussian)
            for (int64_t r = 0; r < rows; ++r) {
                const float* g = &G[static_cast<size_t>(r * N1)];
                double dw = (beta - beta_prev) * (g[N] + offset);
                for (int64_t j = 0; j < N; ++j) {
                    const double x = b[j] + g[j];
                    dw += detail::softplus(beta * x) - detail::softplus(beta_prev * x);
                }
                logw[r0 + r] += dw;
            }
            if (k == K) break;
            // v ← T_k(v): h_j ~ σ(β_k x_j), then v_i ~ σ((1−β_k) a_A,i + β_k (a_B,i + (Wh)_i))
            // or, Gaussian, v_i ~ N((1−β_k) a_A,i + β_k (a_B,i + (Wh)_i), σ_i²).
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < N; ++j) {
                    const double p = 1.0 / (1.0 + std::exp(-beta * (b[j] + G[r * N1 + j])));
                    h[r * N + j] = gen.uniform() < p ? 1.0f : 0.0f;
                }
            for (int64_t i = 0; i < M; ++i)
                bias[i] = static_cast<float>((1 - beta) * a_A[i] + beta * a_B[i]);
            detail::gemm<float>(false, true, rows, M, N, static_cast<float>(beta), h.data(), W,
                                0.0f, v.data());
            if (gaussian)
                detail::gaussian_sample<float>(v.data(), bias.data(), sigma_f.data(), v.data(),
                                               rows, M, gen.next());
            else
                detail::sigmoid_sample<float>(v.data(), bias.data(), v.data(), rows, M, gen.next());
        }
    }

    // log mean(w) and its ±3σ interval, relative to the largest weight.
    double mx = -std::numeric_limits<double>::infinity();
    for (double lw : logw) mx = std::max(mx, lw);
    double mean = 0, sq = 0;
    for (double lw : logw) mean += std::exp(lw - mx);
    mean /= static_cast<double>(R);
    for (double lw : logw) sq += (std::exp(lw - mx) - mean) * (std::exp(lw - mx) - mean);
    const double se = std::sqrt(sq / static_cast<double>(R - 1) / static_cast<double>(R));
    const double base = mx + res.log_z_base;
    res.log_z = base + std::log(mean);
    res.log_z_high = base + std::log(mean + 3 * se);
    res.log_z_low =
        mean > 3 * se ? base + std::log(mean - 3 * se) : -std::numeric_limits<double>::infinity();
    res.log_weights = std::move(logw);
    return res;
}

}  // namespace gibbs::boltzmann
