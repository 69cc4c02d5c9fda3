// Blocking (Flyvbjerg & Petersen 1989, Jonsson 2018), Sokal's windowed autocorrelation time,
// and the block jackknife. See include/gibbs/mcmc/stats.hpp for the equations.
#include "gibbs/mcmc/stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "gibbs/tensor/error.hpp"

namespace gibbs::mcmc {

namespace {

void check_samples(std::span<const double> x, std::size_t min_size, const char* who) {
    check(x.size() >= min_size, who, ": need at least ", min_size, " samples, got ", x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        check(std::isfinite(x[i]), who, ": sample ", i, " is not finite (", x[i], ")");
    }
}

// Regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a): its power series for
// x < a + 1, else 1 - Q(a, x) with Q from its continued fraction (modified Lentz).
double gamma_p(double a, double x) {
    if (x <= 0) return 0.0;
    const double log_prefactor = a * std::log(x) - x - std::lgamma(a);
    if (x < a + 1) {
        double term = 1.0 / a, sum = term;
        for (int n = 1; n < 1000 && term > sum * 1e-17; ++n) {
            term *= x / (a + n);
            sum += term;
        }
        return sum * std::exp(log_prefactor);
    }
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int n = 1; n < 1000; ++n) {
        const double an = -n * (n - a);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1) < 1e-16) break;
    }
    return 1.0 - std::exp(log_prefactor) * h;
}

// The p-quantile of the χ² distribution with k degrees of freedom: P(k/2, x/2) = p by bisection.
double chi2_quantile(double p, int k) {
    double lo = 0, hi = k + 20.0 * std::sqrt(2.0 * k) + 20;
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (gamma_p(0.5 * k, 0.5 * mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double chi2_quantile_99(std::size_t k) {
    static const auto table = [] {
        std::array<double, 64> q{};
        for (int i = 1; i < 64; ++i) q[i] = chi2_quantile(0.99, i);
        return q;
    }();
    return table.at(k);
}

// In-place radix-2 FFT (Cooley-Tukey); inverse without the 1/n factor. a.size() is a power of 2.
void fft(std::vector<std::complex<double>>& a, bool inverse) {
    const std::size_t n = a.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const double angle = 2 * std::numbers::pi / static_cast<double>(len) * (inverse ? 1 : -1);
        const std::complex<double> w_len(std::cos(angle), std::sin(angle));
        for (std::size_t i = 0; i < n; i += len) {
            std::complex<double> w(1);
            for (std::size_t j = 0; j < len / 2; ++j) {
                const auto u = a[i + j], v = a[i + j + len / 2] * w;
                a[i + j] = u + v;
                a[i + j + len / 2] = u - v;
                w *= w_len;
            }
        }
    }
}

// C(t) = (1/n) Σ_{i} (x_i - x̄)(x_{i+t} - x̄) for t = 0..n-1, by the Wiener-Khinchin theorem on
// the series zero-padded to at least 2n (so that the circular correlation is the linear one).
std::vector<double> autocovariance(std::span<const double> x) {
    const std::size_t n = x.size();
    double mean = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(n);
    std::size_t size = 1;
    while (size < 2 * n) size <<= 1;
    std::vector<std::complex<double>> a(size);
    for (std::size_t i = 0; i < n; ++i) a[i] = x[i] - mean;
    fft(a, false);
    for (auto& v : a) v = std::norm(v);
    fft(a, true);
    std::vector<double> c(n);
    const double scale = 1.0 / (static_cast<double>(size) * static_cast<double>(n));
    for (std::size_t t = 0; t < n; ++t) c[t] = a[t].real() * scale;
    return c;
}

}  // namespace

BlockingAnalysis blocking_analysis(std::span<const double> samples) {
    check_samples(samples, 2, "blocking");
    BlockingAnalysis out;
    std::vector<double> x(samples.begin(), samples.end());
    std::vector<double> gamma_over_s2_sq;  // n_k (γ_k / s_k²)², per level
    for (std::size_t level = 0; x.size() >= 2; ++level) {
        const std::size_t n = x.size();
        double mean = 0;
        for (double v : x) mean += v;
        mean /= static_cast<double>(n);
        double s2 = 0, gamma = 0;
        for (std::size_t i = 0; i < n; ++i) s2 += (x[i] - mean) * (x[i] - mean);
        for (std::size_t i = 0; i + 1 < n; ++i) gamma += (x[i] - mean) * (x[i + 1] - mean);
        s2 /= static_cast<double>(n);
        gamma /= static_cast<double>(n);
        if (level == 0) {
            out.mean = mean;
            out.variance = s2;
        }
        out.n_blocks.push_back(n);
        out.var_of_mean.push_back(s2 / static_cast<double>(n - 1));
        // A constant level (s² = 0) carries no evidence of correlation.
        gamma_over_s2_sq.push_back(s2 > 0 ? static_cast<double>(n) * (gamma / s2) * (gamma / s2)
                                          : 0.0);
        for (std::size_t i = 0; i < n / 2; ++i) x[i] = 0.5 * (x[2 * i] + x[2 * i + 1]);
        x.resize(n / 2);
    }
    // M_k = Σ_{j≥k} n_j (γ_j/s_j²)² ~ χ²(levels - k) once blocks at level k are uncorrelated.
    const std::size_t levels = out.n_blocks.size();
    std::vector<double> M(levels + 1, 0.0);
    for (std::size_t k = levels; k-- > 0;) M[k] = M[k + 1] + gamma_over_s2_sq[k];
    out.level = levels - 1;
    out.converged = false;
    for (std::size_t k = 0; k < levels; ++k) {
        if (M[k] < chi2_quantile_99(levels - k)) {
            out.level = k;
            out.converged = true;
            break;
        }
    }
    return out;
}

Estimate blocking(std::span<const double> samples) {
    const BlockingAnalysis a = blocking_analysis(samples);
    const double var_of_mean = a.var_of_mean[a.level];
    const double n = static_cast<double>(samples.size());
    const double tau = a.variance > 0 ? var_of_mean * n / a.variance : 1.0;
    return {a.mean, std::sqrt(var_of_mean), tau};
}

std::vector<double> autocorrelation(std::span<const double> samples, std::size_t max_lag) {
    check_samples(samples, 1, "autocorrelation");
    const std::vector<double> c = autocovariance(samples);
    std::vector<double> rho(std::min(max_lag + 1, c.size()), 0.0);
    if (c[0] == 0) {
        rho[0] = 1;
        return rho;
    }
    for (std::size_t t = 0; t < rho.size(); ++t) rho[t] = c[t] / c[0];
    return rho;
}

AutocorrelationTime autocorrelation_time(std::span<const double> samples, double c) {
    check_samples(samples, 2, "integrated_autocorrelation_time");
    check(c > 0, "integrated_autocorrelation_time: window factor c must be positive, got ", c);
    const std::vector<double> C = autocovariance(samples);
    if (C[0] == 0) return {1.0, 0};
    double tau = 1;
    for (std::size_t W = 1; W < C.size(); ++W) {
        tau += 2 * C[W] / C[0];
        if (static_cast<double>(W) >= c * tau) return {tau, W};
    }
    return {tau, C.size() - 1};
}

double integrated_autocorrelation_time(std::span<const double> samples, double c) {
    return autocorrelation_time(samples, c).tau;
}

Estimate jackknife(const std::vector<std::span<const double>>& series, std::size_t n_blocks,
                   const std::function<double(std::span<const double> means)>& f) {
    check(!series.empty(), "jackknife: no series given");
    const std::size_t n = series[0].size();
    for (const auto& s : series) {
        check(s.size() == n, "jackknife: series lengths differ (", n, " and ", s.size(), ")");
    }
    check(n_blocks >= 2, "jackknife: need at least 2 blocks, got ", n_blocks);
    check(n >= n_blocks, "jackknife: ", n, " samples cannot fill ", n_blocks, " blocks");
    const std::size_t m = series.size(), block = n / n_blocks, used = block * n_blocks;
    // block_sum[b * m + i]: the sum of series i over block b.
    std::vector<double> block_sum(n_blocks * m, 0.0), total(m, 0.0);
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t b = 0; b < n_blocks; ++b) {
            double s = 0;
            for (std::size_t t = b * block; t < (b + 1) * block; ++t) s += series[i][t];
            block_sum[b * m + i] = s;
            total[i] += s;
        }
    }
    std::vector<double> means(m);
    for (std::size_t i = 0; i < m; ++i) means[i] = total[i] / static_cast<double>(used);
    const double f_all = f(means);
    std::vector<double> f_j(n_blocks);
    double f_bar = 0;
    for (std::size_t b = 0; b < n_blocks; ++b) {
        for (std::size_t i = 0; i < m; ++i) {
            means[i] = (total[i] - block_sum[b * m + i]) / static_cast<double>(used - block);
        }
        f_j[b] = f(means);
        f_bar += f_j[b];
    }
    const double nb = static_cast<double>(n_blocks);
    f_bar /= nb;
    double ss = 0;
    for (double v : f_j) ss += (v - f_bar) * (v - f_bar);
    return {nb * f_all - (nb - 1) * f_bar, std::sqrt((nb - 1) / nb * ss),
            std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace gibbs::mcmc
