// The variational bound of a diffusion model (gibbs/diffusion/bound.hpp).
#include "gibbs/diffusion/bound.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {

namespace {

// log Φ(z) for the standard normal CDF, accurate in the far left tail.
double log_normal_cdf(double z) {
    return z < -5 ? std::log(0.5 * std::erfc(-z / std::numbers::sqrt2))
                  : std::log1p(-0.5 * std::erfc(z / std::numbers::sqrt2));
}

// log P(bin of x) under N(μ, σ²) for x on the grid {−1, −1 + 2/255, ..., 1}.
double log_bin_probability(double x, double mu, double sigma) {
    const double h = 1.0 / 255;
    if (x < -1 + h) return log_normal_cdf((x + h - mu) / sigma);
    if (x > 1 - h) return log_normal_cdf(-(x - h - mu) / sigma);
    const double hi = (x + h - mu) / sigma, lo = (x - h - mu) / sigma;
    // Φ(hi) − Φ(lo) with the tail that keeps its precision.
    const double p =
        lo > 0
            ? 0.5 * (std::erfc(lo / std::numbers::sqrt2) - std::erfc(hi / std::numbers::sqrt2))
            : 0.5 * (std::erfc(-hi / std::numbers::sqrt2) - std::erfc(-lo / std::numbers::sqrt2));
    return std::log(std::max(p, 1e-300));
}

}  // namespace

BoundResult variational_bound(Denoiser& net, const NoiseSchedule& s, const Tensor& x0_in,
                              Generator& gen, const BoundOptions& o) {
    check(x0_in.dim() >= 2 && x0_in.size(0) >= 2,
          "variational_bound: x0 must be (N, ...) with N >= 2, got ", x0_in.shape());
    check(o.t_samples >= 0 && o.batch >= 1, "variational_bound: bad t_samples ", o.t_samples,
          " or batch ", o.batch);
    NoGradGuard no_grad;
    const Tensor x0 = x0_in.detach().to(DType::f64).contiguous();
    const int64_t N = x0.size(0), D = x0.numel() / N, T = s.T();
    const double* X = x0.data<double>();
    std::vector<double> total(N, 0.0), prior(N, 0.0), decoder(N, 0.0);
    // L_T in closed form.
    const double abT = s.alpha_bar(T);
    for (int64_t i = 0; i < N; ++i) {
        double kl = 0;
        for (int64_t d = 0; d < D; ++d) {
            const double m = std::sqrt(abT) * X[i * D + d];
            kl += 0.5 * (m * m + (1 - abT) - 1 - std::log(1 - abT));
        }
        prior[i] = kl;
        total[i] = kl;
    }
    // term(i, t): L_0 at t = 1, L_{t−1} for t ≥ 2, for the examples of one batch with their t.
    const auto terms = [&](int64_t i0, int64_t rows, const std::vector<int64_t>& t_rows,
                           std::vector<double>& out) {
        std::vector<int64_t> dims = {rows};
        for (int k = 1; k < x0.dim(); ++k) dims.push_back(x0.size(k));
        const Shape shape(dims);
        Tensor xt32 = Tensor::empty(shape, DType::f32);
        Tensor t32 = Tensor::empty({rows}, DType::f32);
        std::vector<double> xt(rows * D);
        for (int64_t r = 0; r < rows; ++r) {
            const double ab = s.alpha_bar(t_rows[r]);
            t32.data<float>()[r] = static_cast<float>(t_rows[r]);
            for (int64_t d = 0; d < D; ++d) {
                const int64_t k = r * D + d;
                xt[k] = std::sqrt(ab) * X[(i0 + r) * D + d] + std::sqrt(1 - ab) * gen.normal();
                xt32.data<float>()[k] = static_cast<float>(xt[k]);
            }
        }
        const Tensor eps = net.predict(xt32, t32).to(DType::f64).contiguous();
        check(eps.numel() == rows * D, "variational_bound: the denoiser returned ", eps.shape());
        const double* E = eps.data<double>();
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t t = t_rows[r];
            const double ab = s.alpha_bar(t), beta = s.beta(t);
            const double a = 1 / std::sqrt(s.alpha(t)), b = beta / std::sqrt(1 - ab);
            double v = 0;
            if (t == 1) {
                const double var = beta, sigma = std::sqrt(beta);
                for (int64_t d = 0; d < D; ++d) {
                    const int64_t k = r * D + d;
                    const double mu = a * (xt[k] - b * E[k]), x = X[(i0 + r) * D + d];
                    v -= o.discrete ? log_bin_probability(x, mu, sigma)
                                    : -0.5 * (std::log(2 * std::numbers::pi * var) +
                                              (x - mu) * (x - mu) / var);
                }
            } else {
                const double bt = s.beta_tilde(t), var = o.tilde_variance ? bt : beta;
                const double c0 = s.posterior_c0(t), ct = s.posterior_ct(t);
                const double per_dim = 0.5 * (std::log(var / bt) + bt / var - 1);
                for (int64_t d = 0; d < D; ++d) {
                    const int64_t k = r * D + d;
                    const double mu = a * (xt[k] - b * E[k]);
                    const double mu_q = c0 * X[(i0 + r) * D + d] + ct * xt[k];
                    v += per_dim + 0.5 * (mu_q - mu) * (mu_q - mu) / var;
                }
            }
            out[r] = v;
        }
    };
    std::vector<double> out;
    for (int64_t i0 = 0; i0 < N; i0 += o.batch) {
        const int64_t rows = std::min(o.batch, N - i0);
        out.assign(rows, 0.0);
        if (o.t_samples == 0) {
            for (int64_t t = 1; t <= T; ++t) {
                terms(i0, rows, std::vector<int64_t>(rows, t), out);
                for (int64_t r = 0; r < rows; ++r) {
                    total[i0 + r] += out[r];
                    if (t == 1) decoder[i0 + r] = out[r];
                }
            }
        } else {
            std::vector<int64_t> t_rows(rows);
            for (int64_t k = 0; k < o.t_samples; ++k) {
                for (int64_t& t : t_rows) t = gen.integer(1, T + 1);
                terms(i0, rows, t_rows, out);
                for (int64_t r = 0; r < rows; ++r)
                    total[i0 + r] +=
                        static_cast<double>(T) * out[r] / static_cast<double>(o.t_samples);
            }
        }
    }
    BoundResult res;
    res.examples = N;
    res.dims = D;
    double m = 0, m2 = 0;
    for (int64_t i = 0; i < N; ++i) {
        check(std::isfinite(total[i]), "variational_bound: the bound of example ", i, " is ",
              total[i]);
        m += total[i];
        res.prior += prior[i] / N;
        res.decoder += decoder[i] / N;
    }
    m /= N;
    for (double v : total) m2 += (v - m) * (v - m);
    res.nats = m;
    res.nats_se = std::sqrt(m2 / (N - 1) / N);
    res.bits_per_dim = m / (D * std::numbers::ln2);
    res.method = o.t_samples == 0 ? "exact sum over t"
                                  : std::to_string(o.t_samples) + " random t per example";
    return res;
}

}  // namespace gibbs::diffusion
