// Gradient clipping by global norm and by value (equations in clip.hpp).
#include "gibbs/optim/clip.hpp"

#include <algorithm>
#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

namespace {

// The gradient of parameter i as a contiguous tensor this code may write, or undefined.
Tensor writable_grad(const std::vector<Tensor>& params, size_t i) {
    Tensor p = params[i];  // a handle: set_grad() below reaches the caller's parameter
    check(p.defined(), "clip_grad: parameter ", i, " is an undefined tensor");
    Tensor g = p.grad();
    if (!g.defined()) return g;
    if (!g.is_contiguous()) {
        g = g.contiguous();
        p.set_grad(g);
    }
    return g;
}

// Σ |g_k|^p (or max |g_k| when p = ∞) over one contiguous gradient, in float64.
template <typename T>
double norm_part(const T* g, int64_t n, double p) {
    double acc = 0.0;
    if (p == kInfNorm) {
#pragma omp parallel for reduction(max : acc) if (gibbs::detail::use_threads(n))
        for (int64_t k = 0; k < n; ++k) acc = std::max(acc, static_cast<double>(std::abs(g[k])));
    } else if (p == 2.0) {
#pragma omp parallel for simd reduction(+ : acc) if (gibbs::detail::use_threads(n))
        for (int64_t k = 0; k < n; ++k) acc += static_cast<double>(g[k]) * g[k];
    } else {
#pragma omp parallel for reduction(+ : acc) if (gibbs::detail::use_threads(n))
        for (int64_t k = 0; k < n; ++k) acc += std::pow(std::abs(static_cast<double>(g[k])), p);
    }
    return acc;
}

}  // namespace

double grad_norm(const std::vector<Tensor>& params, double p) {
    check(p == kInfNorm || p >= 1.0, "grad_norm: the norm's p must be >= 1 or infinity, got ", p);
    double total = 0.0;
    for (size_t i = 0; i < params.size(); ++i) {
        const Tensor g = writable_grad(params, i);
        if (!g.defined()) continue;
        const double part =
            dispatch(g.dtype(), [&]<typename T>() { return norm_part(g.data<T>(), g.numel(), p); });
        if (!std::isfinite(part))
            fail("grad_norm: the gradient of parameter ", i, " (shape ", params[i].shape(),
                 ") holds a NaN or an infinity");
        total = p == kInfNorm ? std::max(total, part) : total + part;
    }
    if (p == kInfNorm) return total;
    return p == 2.0 ? std::sqrt(total) : std::pow(total, 1.0 / p);
}

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double p) {
    check(std::isfinite(max_norm) && max_norm >= 0,
          "clip_grad_norm: max_norm must be finite and >= 0, got ", max_norm);
    const double norm = grad_norm(params, p);
    if (norm <= max_norm) return norm;
    const double scale = max_norm / norm;
    for (size_t i = 0; i < params.size(); ++i) {
        const Tensor g = writable_grad(params, i);
        if (!g.defined()) continue;
        dispatch(g.dtype(), [&]<typename T>() {
            T* gp = g.data<T>();
            const T c = static_cast<T>(scale);
            detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
#pragma omp simd
                for (int64_t k = begin; k < end; ++k) gp[k] *= c;
            });
        });
    }
    return norm;
}

void clip_grad_value(const std::vector<Tensor>& params, double clip_value) {
    check(std::isfinite(clip_value) && clip_value >= 0,
          "clip_grad_value: clip_value must be finite and >= 0, got ", clip_value);
    for (size_t i = 0; i < params.size(); ++i) {
        const Tensor g = writable_grad(params, i);
        if (!g.defined()) continue;
        dispatch(g.dtype(), [&]<typename T>() {
            T* gp = g.data<T>();
            const T c = static_cast<T>(clip_value);
            detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
#pragma omp simd
                for (int64_t k = begin; k < end; ++k)
                    gp[k] = gp[k] < -c ? -c : (gp[k] > c ? c : gp[k]);
            });
        });
    }
}

}  // namespace gibbs::optim
