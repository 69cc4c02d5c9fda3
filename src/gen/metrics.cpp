// Energy distance and MMD between samples (gibbs/gen/metrics.hpp), accumulated in float64.
#include "gibbs/gen/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

namespace {

// The rows of t as a contiguous float64 (n, d) tensor.
Tensor rows_f64(const Tensor& t, const char* what) {
    check(t.defined() && t.dim() >= 1 && t.size(0) >= 1, what, ": need at least one sample");
    const int64_t n = t.size(0);
    return t.to(DType::f64).contiguous().reshape({n, t.numel() / n});
}

// Σ_ij f(‖a_i − b_j‖²) over all pairs (i, j), skipping i = j when `skip_diagonal`.
template <class F>
double pair_sum(const Tensor& a, const Tensor& b, bool skip_diagonal, F f) {
    const int64_t n = a.size(0), m = b.size(0), d = a.size(1);
    const double* pa = a.data<double>();
    const double* pb = b.data<double>();
    double total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static) if (n * m * d > (1 << 16))
    for (int64_t i = 0; i < n; ++i) {
        double row = 0;
        for (int64_t j = 0; j < m; ++j) {
            if (skip_diagonal && i == j) continue;
            double d2 = 0;
            for (int64_t k = 0; k < d; ++k) {
                const double diff = pa[i * d + k] - pb[j * d + k];
                d2 += diff * diff;
            }
            row += f(d2);
        }
        total += row;
    }
    return total;
}

void check_same_width(const Tensor& x, const Tensor& y, const char* what) {
    check(x.size(1) == y.size(1), what, ": the samples have ", x.size(1), " and ", y.size(1),
          " values per row");
}

}  // namespace

double energy_distance(const Tensor& x_in, const Tensor& y_in) {
    const Tensor x = rows_f64(x_in, "energy_distance"), y = rows_f64(y_in, "energy_distance");
    check_same_width(x, y, "energy_distance");
    const auto dist = [](double d2) { return std::sqrt(d2); };
    const auto n = static_cast<double>(x.size(0)), m = static_cast<double>(y.size(0));
    const double xy = pair_sum(x, y, false, dist) / (n * m);
    const double xx = pair_sum(x, x, true, dist) / (n * n);
    const double yy = pair_sum(y, y, true, dist) / (m * m);
    return 2 * xy - xx - yy;
}

double median_distance(const Tensor& x_in, const Tensor& y_in) {
    const Tensor x = rows_f64(x_in, "median_distance"), y = rows_f64(y_in, "median_distance");
    check_same_width(x, y, "median_distance");
    const int64_t d = x.size(1);
    const int64_t nx = std::min<int64_t>(x.size(0), 2000), ny = std::min<int64_t>(y.size(0), 2000);
    std::vector<const double*> rows;
    for (int64_t i = 0; i < nx; ++i) rows.push_back(x.data<double>() + i * d);
    for (int64_t i = 0; i < ny; ++i) rows.push_back(y.data<double>() + i * d);
    std::vector<double> dists;
    dists.reserve(rows.size() * (rows.size() - 1) / 2);
    for (size_t i = 0; i < rows.size(); ++i)
        for (size_t j = i + 1; j < rows.size(); ++j) {
            double d2 = 0;
            for (int64_t k = 0; k < d; ++k) {
                const double diff = rows[i][k] - rows[j][k];
                d2 += diff * diff;
            }
            dists.push_back(std::sqrt(d2));
        }
    if (dists.empty()) return 0;
    auto mid = dists.begin() + static_cast<std::ptrdiff_t>(dists.size() / 2);
    std::nth_element(dists.begin(), mid, dists.end());
    return *mid;
}

double mmd2_rbf(const Tensor& x_in, const Tensor& y_in, double bandwidth) {
    const Tensor x = rows_f64(x_in, "mmd2_rbf"), y = rows_f64(y_in, "mmd2_rbf");
    check_same_width(x, y, "mmd2_rbf");
    check(x.size(0) >= 2 && y.size(0) >= 2, "mmd2_rbf: need at least two samples of each");
    const double h = bandwidth > 0 ? bandwidth : median_distance(x, y);
    check(h > 0 && std::isfinite(h), "mmd2_rbf: the bandwidth must be positive, got ", h);
    const double inv = 1 / (2 * h * h);
    const auto k = [inv](double d2) { return std::exp(-d2 * inv); };
    const auto n = static_cast<double>(x.size(0)), m = static_cast<double>(y.size(0));
    return pair_sum(x, x, true, k) / (n * (n - 1)) + pair_sum(y, y, true, k) / (m * (m - 1)) -
           2 * pair_sum(x, y, false, k) / (n * m);
}

}  // namespace gibbs::gen
