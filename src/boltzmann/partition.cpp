// Exact partition functions of RBMs by Gray-code enumeration of the smaller layer, the brute-force
// reference, and the log-likelihood (equations in gibbs/boltzmann/partition.hpp).
#include "gibbs/boltzmann/partition.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "boltzmann/kernels.hpp"
#include "gibbs/tensor/error.hpp"
#include "tensor/vmath.hpp"

namespace gibbs::boltzmann {

namespace {

using vm::exp_nonpositive;

// Running log-sum-exp: log Σ e^{t} = m + log s.
struct Lse {
    double m = -std::numeric_limits<double>::infinity();
    double s = 0;
    void add(double t) {
        if (t <= m) {
            s += std::exp(t - m);
        } else {
            s = s * std::exp(m - t) + 1;
            m = t;
        }
    }
    void merge(const Lse& o) {
        if (o.s == 0) return;
        if (o.m <= m) {
            s += o.s * std::exp(o.m - m);
        } else {
            s = s * std::exp(m - o.m) + o.s;
            m = o.m;
        }
    }
    double value() const { return m + std::log(s); }
};

// The per-term function of the other layer's L-vector u.
enum class Term {
    kSoftplus,  // Σ_l softplus(u_l)
    kGaussian,  // Σ_l (u_l² + 2 a_l u_l) / 2σ_l², with u = Wh (no offset)
};

// LSE over s ∈ {0,1}^K of cᵀs + g(d + U s), U given by rows Ut (K, L) (row k = column k of U).
double enumerate(const std::vector<double>& c, const std::vector<double>& d,
                 const std::vector<double>& Ut, int64_t L, Term term,
                 const std::vector<double>& gauss_a, const std::vector<double>& gauss_inv2s2) {
    const int64_t K = static_cast<int64_t>(c.size());
    const uint64_t states = uint64_t{1} << K;
    // A fixed number of chunks, whatever the thread count.
    const int log_chunks = K < 8 ? 0 : 8;
    const int64_t chunks = int64_t{1} << log_chunks;
    const uint64_t per_chunk = states >> log_chunks;
    std::vector<Lse> parts(static_cast<size_t>(chunks));
#pragma omp parallel for schedule(dynamic, 1) if (K * L >= 64 * 1024 && chunks > 1)
    for (int64_t q = 0; q < chunks; ++q) {
        std::vector<double> u(static_cast<size_t>(L));
        const uint64_t t0 = static_cast<uint64_t>(q) * per_chunk;
        uint64_t g = t0 ^ (t0 >> 1);  // the Gray code of t0
        double cs = 0;
        for (int64_t l = 0; l < L; ++l) u[l] = d[l];
        for (int64_t k = 0; k < K; ++k) {
            if (!((g >> k) & 1)) continue;
            cs += c[k];
            const double* row = &Ut[static_cast<size_t>(k * L)];
            for (int64_t l = 0; l < L; ++l) u[l] += row[l];
        }
        Lse lse;
        double* __restrict up = u.data();
        for (uint64_t t = t0;; ++t) {
            double value = cs;
            if (term == Term::kSoftplus) {
                // Σ softplus(u) = Σ max(u, 0) + log Π (1 + e^{−|u|}); each factor is in [1, 2],
                // so the product of L ≤ 1000 factors cannot overflow.
                double pos = 0, prod = 1;
                int64_t l = 0;
                for (; l < L;) {
                    const int64_t end = std::min<int64_t>(L, l + 512);
                    double p = 1;
#pragma omp simd reduction(+ : pos) reduction(* : p)
                    for (int64_t i = l; i < end; ++i) {
                        pos += up[i] > 0 ? up[i] : 0.0;
                        p *= 1.0 + exp_nonpositive(-std::fabs(up[i]));
                    }
                    prod *= p;
                    l = end;
                }
                value += pos + std::log(prod);
            } else {
                double sum = 0;
                const double* ga = gauss_a.data();
                const double* gs = gauss_inv2s2.data();
#pragma omp simd reduction(+ : sum)
                for (int64_t i = 0; i < L; ++i) sum += (up[i] * up[i] + 2 * ga[i] * up[i]) * gs[i];
                value += sum;
            }
            lse.add(value);
            if (t + 1 == t0 + per_chunk) break;
            // Gray code step t -> t+1 flips bit ctz(t+1).
            const int k = std::countr_zero(t + 1);
            const double sign = ((g >> k) & 1) ? -1.0 : 1.0;
            g ^= uint64_t{1} << k;
            cs += sign * c[k];
            const double* row = &Ut[static_cast<size_t>(k * L)];
#pragma omp simd
            for (int64_t l = 0; l < L; ++l) up[l] += sign * row[l];
        }
        parts[q] = lse;
    }
    Lse total;
    for (const Lse& p : parts) total.merge(p);
    return total.value();
}

}  // namespace

double log_z_exact(const Rbm& rbm) {
    const Rbm d = rbm.to(DType::f64);
    const int64_t M = d.M(), N = d.N();
    const auto W = d.W.to_vector(), a = d.a.to_vector(), b = d.b.to_vector();
    if (rbm.visible() == Visible::kGaussian) {
        check(N <= kMaxExactLayer, "log_z_exact: a Gaussian RBM is summed over its ", N,
              " hidden units; exact log Z needs N <= ", kMaxExactLayer);
        const auto s = d.sigma.to_vector();
        std::vector<double> Ut(static_cast<size_t>(N * M)), inv(static_cast<size_t>(M));
        for (int64_t j = 0; j < N; ++j)
            for (int64_t i = 0; i < M; ++i) Ut[j * M + i] = W[i * N + j];
        double log_norm = 0;
        for (int64_t i = 0; i < M; ++i) {
            inv[i] = 1.0 / (2 * s[i] * s[i]);
            log_norm += std::log(std::sqrt(2 * std::numbers::pi) * s[i]);
        }
        return log_norm + enumerate(b, std::vector<double>(M, 0.0), Ut, M, Term::kGaussian, a, inv);
    }
    check(std::min(M, N) <= kMaxExactLayer, "log_z_exact: min(M, N) = ", std::min(M, N),
          " is too large; exact log Z needs min(M, N) <= ", kMaxExactLayer, " (use AIS)");
    if (N <= M) {  // sum over h: U = W, row j of Ut is column j of W
        std::vector<double> Ut(static_cast<size_t>(N * M));
        for (int64_t j = 0; j < N; ++j)
            for (int64_t i = 0; i < M; ++i) Ut[j * M + i] = W[i * N + j];
        return enumerate(b, a, Ut, M, Term::kSoftplus, {}, {});
    }
    return enumerate(a, b, W, N, Term::kSoftplus, {}, {});  // sum over x: Ut = W
}

double log_z_brute_force(const Rbm& rbm) {
    check(rbm.visible() == Visible::kBinary, "log_z_brute_force: binary RBMs only");
    const int64_t M = rbm.M(), N = rbm.N();
    check(M + N <= 30, "log_z_brute_force: M + N = ", M + N, " exceeds 30");
    const auto W = rbm.W.to_vector(), a = rbm.a.to_vector(), b = rbm.b.to_vector();
    Lse lse;
    for (uint64_t x = 0; x < (uint64_t{1} << M); ++x)
        for (uint64_t h = 0; h < (uint64_t{1} << N); ++h) {
            // −E(x, h) = aᵀx + bᵀh + xᵀWh
            double minus_e = 0;
            for (int64_t i = 0; i < M; ++i) {
                if (!((x >> i) & 1)) continue;
                minus_e += a[i];
                for (int64_t j = 0; j < N; ++j)
                    if ((h >> j) & 1) minus_e += W[i * N + j];
            }
            for (int64_t j = 0; j < N; ++j)
                if ((h >> j) & 1) minus_e += b[j];
            lse.add(minus_e);
        }
    return lse.value();
}

double mean_log_likelihood(const Rbm& rbm, const Tensor& data, double log_z) {
    check(data.defined() && data.dim() == 2 && data.size(0) > 0,
          "mean_log_likelihood: data must be a non-empty (B, M) tensor");
    const auto F = rbm.free_energy(data).to_vector();
    double sum = 0;
    for (double f : F) sum -= f;
    return sum / static_cast<double>(F.size()) - log_z;
}

}  // namespace gibbs::boltzmann
