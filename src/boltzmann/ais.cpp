// Annealed importance sampling of an RBM's log Z from a base-rate model (equations in
// gibbs/boltzmann/partition.hpp). The R runs are the rows of one batch: per intermediate
// distribution, one GEMM gives x = b + Wᵀv for the weights and for the hidden draw, and one more
// gives the visible draw. Chains and GEMMs are float32; the log weights are accumulated in
// float64. Runs are split into chunks that anneal independently on the OpenMP threads.
#include <algorithm>
#include <cmath>
#include <limits>

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
    const Tensor d = data.to(DType::f64).contiguous();
    const int64_t B = d.size(0), M = d.size(1);
    std::vector<double> p(static_cast<size_t>(M), 0.0);
    const double* x = d.data<double>();
    for (int64_t r = 0; r < B; ++r)
        for (int64_t i = 0; i < M; ++i) p[i] += x[r * M + i];
    for (double& v : p) v = (v + 1) / (static_cast<double>(B) + 2);
    return p;
}

AisResult ais_log_z(const Rbm& rbm, const AisOptions& o) {
    check(rbm.visible() == Visible::kBinary,
          "ais_log_z: AIS is implemented for binary visible units; for a Gaussian RBM use the "
          "exact log Z (N <= ",
          kMaxExactLayer, ")");
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

    const Rbm f = rbm.to(DType::f32);
    const auto a_B = rbm.a.to_vector();
    std::vector<double> a_A(static_cast<size_t>(M), 0.0);  // base logits log(p/(1−p))
    AisResult res;
    res.log_z_base = static_cast<double>(N) * std::log(2.0);
    for (int64_t i = 0; i < M; ++i) {
        if (!o.base_rates.empty()) {
            const double p = o.base_rates[i];
            check(p > 0 && p < 1, "ais_log_z: base rate ", i, " is ", p, ", must be in (0, 1)");
            a_A[i] = std::log(p / (1 - p));
        }
        res.log_z_base += detail::softplus(a_A[i]);
    }
    // Wx = [W | a_B − a_A] (M, N+1): one GEMM gives both x_j − b_j and (a_B − a_A)ᵀv.
    const int64_t N1 = N + 1;
    std::vector<float> Wx(static_cast<size_t>(M * N1));
    const float* W = f.W.data<float>();
    for (int64_t i = 0; i < M; ++i) {
        for (int64_t j = 0; j < N; ++j) Wx[i * N1 + j] = W[i * N + j];
        Wx[i * N1 + N] = static_cast<float>(a_B[i] - a_A[i]);
    }
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
        // v_1 ~ p_0: independent Bernoulli(σ(a_A)).
        for (int64_t i = 0; i < M; ++i) bias[i] = static_cast<float>(a_A[i]);
        detail::sigmoid_sample<float>(v.data(), bias.data(), v.data(), rows, M, gen.next());
        for (int64_t k = 1; k <= K; ++k) {
            const double beta = betas[k], beta_prev = betas[k - 1];
            // G = v Wx: x_j − b_j in columns 0..N−1 and (a_B − a_A)ᵀv in column N.
            detail::gemm<float>(false, false, rows, N1, M, 1.0f, v.data(), Wx.data(), 0.0f,
                                G.data());
            // log p*_k(v) − log p*_{k−1}(v)
            //   = Δβ (a_B − a_A)ᵀv + Σ_j softplus(β_k x_j) − softplus(β_{k−1} x_j)
            for (int64_t r = 0; r < rows; ++r) {
                const float* g = &G[static_cast<size_t>(r * N1)];
                double dw = (beta - beta_prev) * g[N];
                for (int64_t j = 0; j < N; ++j) {
                    const double x = b[j] + g[j];
                    dw += detail::softplus(beta * x) - detail::softplus(beta_prev * x);
                }
                logw[r0 + r] += dw;
            }
            if (k == K) break;
            // v ← T_k(v): h_j ~ σ(β_k x_j), then v_i ~ σ((1−β_k) a_A,i + β_k (a_B,i + (Wh)_i)).
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < N; ++j) {
                    const double p = 1.0 / (1.0 + std::exp(-beta * (b[j] + G[r * N1 + j])));
                    h[r * N + j] = gen.uniform() < p ? 1.0f : 0.0f;
                }
            for (int64_t i = 0; i < M; ++i)
                bias[i] = static_cast<float>((1 - beta) * a_A[i] + beta * a_B[i]);
            detail::gemm<float>(false, true, rows, M, N, static_cast<float>(beta), h.data(), W,
                                0.0f, v.data());
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
