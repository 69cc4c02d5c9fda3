// The Bernoulli decoder's negative log-likelihood as one fused op (gibbs/vae/vae.hpp):
//   C = (1/N) Σ_{n,d} softplus(ℓ_nd) − x_nd ℓ_nd,   ∂C/∂ℓ = (σ(ℓ) − x) / N.
// softplus(ℓ) = max(ℓ, 0) + log(1 + e^{−|ℓ|}) is stable for any ℓ. float32 uses branch-free
// exp and log1p that GCC vectorizes (libm's log1pf was a tenth of a training step); float64 keeps
// libm for gradient checks. Rows are summed in float64, one partial sum per row, then the rows
// in order, so the value does not depend on the thread count.
#include <cmath>
#include <vector>

#include "gibbs/tensor/error.hpp"
#include "gibbs/vae/vae.hpp"
#include "tensor/elementwise.hpp"
#include "tensor/vmath.hpp"

namespace gibbs::vae {

namespace {

// log(1 + u) for u ∈ [0, 1]: with t = u / (2 + u) ∈ [0, ⅓], log(1 + u) = 2 atanh t
// = 2 (t + t³/3 + t⁵/5 + …); the terms after t¹⁵/15 are below 2⁻²⁴ relative.
[[gnu::always_inline]] inline float log1p_unit(float u) {
    const float t = u / (2.0f + u), t2 = t * t;
    float p = 1.0f / 15;
    p = p * t2 + 1.0f / 13;
    p = p * t2 + 1.0f / 11;
    p = p * t2 + 1.0f / 9;
    p = p * t2 + 1.0f / 7;
    p = p * t2 + 1.0f / 5;
    p = p * t2 + 1.0f / 3;
    p = p * t2 + 1.0f;
    return 2.0f * t * p;
}

[[gnu::always_inline]] inline float softplus_f(float l) {
    return std::max(l, 0.0f) + log1p_unit(vm::exp(-std::abs(l)));
}
inline double softplus_f(double l) { return std::max(l, 0.0) + std::log1p(std::exp(-std::abs(l))); }

template <typename T>
double row_nll(const T* l, const T* x, int64_t D) {
    T s = 0;  // D terms of size O(1): float32 suffices within a row
#pragma omp simd reduction(+ : s)
    for (int64_t d = 0; d < D; ++d) s += softplus_f(l[d]) - x[d] * l[d];
    return static_cast<double>(s);
}

template <typename T>
void row_grad(const T* l, const T* x, T* g, int64_t D, T scale) {
    for (int64_t d = 0; d < D; ++d) g[d] = scale * (vm::sigmoid(l[d]) - x[d]);
}

}  // namespace

namespace {
std::vector<double> nll_rows(const Tensor& logits, const Tensor& x_in) {
    check(logits.dim() == 2 && logits.shape() == x_in.shape(), "bernoulli_nll: logits of shape ",
          logits.shape(), " and data of shape ", x_in.shape(), " must be the same (N, D)");
    check(logits.dtype() == x_in.dtype(), "bernoulli_nll: logits are ", dtype_name(logits.dtype()),
          ", data ", dtype_name(x_in.dtype()));
    const Tensor l = logits.contiguous(), x = x_in.contiguous();
    const int64_t N = l.size(0), D = l.size(1);
    std::vector<double> rows(N);
    dispatch(l.dtype(), [&]<typename T>() {
        const T *pl = l.data<T>(), *px = x.data<T>();
        if (detail::use_threads(N * D)) {
#pragma omp parallel for schedule(static)
            for (int64_t n = 0; n < N; ++n) rows[n] = row_nll(pl + n * D, px + n * D, D);
        } else {
            for (int64_t n = 0; n < N; ++n) rows[n] = row_nll(pl + n * D, px + n * D, D);
        }
    });
    return rows;
}
}  // namespace

Tensor bernoulli_nll_rows(const Tensor& logits, const Tensor& x) {
    const std::vector<double> rows = nll_rows(logits, x);
    return Tensor::from(rows, {static_cast<int64_t>(rows.size())}, DType::f64);
}

Tensor bernoulli_nll(const Tensor& logits, const Tensor& x_in) {
    const std::vector<double> rows = nll_rows(logits, x_in);
    const Tensor l = logits.contiguous(), x = x_in.contiguous();
    const int64_t N = l.size(0), D = l.size(1);
    double total = 0;
    for (double r : rows) total += r;
    Tensor out = Tensor::scalar(total / static_cast<double>(N), l.dtype());
    if (!autograd::grad_enabled() || !autograd::needs_grad(logits)) return out;
    check(!autograd::needs_grad(x_in), "bernoulli_nll: the data must not require a gradient");
    return autograd::record(
        out, {logits},
        [l, x, N, D](const Tensor& g_out) -> autograd::Grads {
            Tensor g = Tensor::empty({N, D}, l.dtype());
            dispatch(l.dtype(), [&]<typename T>() {
                const T scale = static_cast<T>(g_out.item() / static_cast<double>(N));
                const T *pl = l.data<T>(), *px = x.data<T>();
                T* pg = g.data<T>();
                if (detail::use_threads(N * D)) {
#pragma omp parallel for schedule(static)
                    for (int64_t n = 0; n < N; ++n)
                        row_grad(pl + n * D, px + n * D, pg + n * D, D, scale);
                } else {
                    for (int64_t n = 0; n < N; ++n)
                        row_grad(pl + n * D, px + n * D, pg + n * D, D, scale);
                }
            });
            return {g};
        },
        "bernoulli_nll");
}

}  // namespace gibbs::vae
