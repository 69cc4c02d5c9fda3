// Fused forward/backward kernels of layer 3: linear, softmax, log-softmax, cross-entropy.
#include "gibbs/nn/functional.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "gibbs/tensor/blas.hpp"
#include "gibbs/tensor/reduce.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs::nn {

using autograd::Grads;
using autograd::needs_grad;

namespace {
bool recording(std::initializer_list<const Tensor*> ts) {
    if (!autograd::grad_enabled()) return false;
    for (const Tensor* t : ts)
        if (needs_grad(*t)) return true;
    return false;
}
}  // namespace

Tensor linear(const Tensor& x_in, const Tensor& W, const Tensor& b) {
    check(W.dim() == 2, "linear: weight must be (out, in), got ", W.shape());
    check(x_in.dim() >= 1 && x_in.size(-1) == W.size(1), "linear: input of shape ", x_in.shape(),
          " does not match weight of shape ", W.shape());
    detail::check_same_dtype(x_in, W, "linear");
    const int64_t in = W.size(1), out = W.size(0);
    if (b.defined()) {
        check(b.dim() == 1 && b.size(0) == out, "linear: bias of shape ", b.shape(),
              " for weight of shape ", W.shape());
        detail::check_same_dtype(b, W, "linear");
    }
    const Tensor x = x_in.contiguous();
    const int64_t rows = x.numel() / std::max<int64_t>(in, 1);
    Shape out_shape = x.shape();
    out_shape[out_shape.size() - 1] = out;
    Tensor y = Tensor::empty(out_shape, x.dtype());
    const Tensor Wc = W.contiguous();
    dispatch(x.dtype(), [&]<typename T>() {
        T* py = y.data<T>();
        T beta = T(0);
        if (b.defined()) {
            const Tensor bc = b.contiguous();
            const T* pb = bc.data<T>();
            for (int64_t r = 0; r < rows; ++r) std::memcpy(py + r * out, pb, out * sizeof(T));
            beta = T(1);
        }
        // y (rows, out) = x (rows, in) · Wᵀ (in, out) + beta y
        blas::gemm(false, true, rows, out, in, T(1), x.data<T>(), in, Wc.data<T>(), in, beta, py,
                   out);
    });
    if (!recording({&x_in, &W, &b})) return y;
    return autograd::record(
        y, {x_in, W, b},
        [x, Wc, xs = x_in.shape(), nx = needs_grad(x_in), nw = needs_grad(W), nb = needs_grad(b),
         rows, in, out](const Tensor& g_in) -> Grads {
            const Tensor g = g_in.contiguous();
            Tensor gx, gW, gb;
            dispatch(g.dtype(), [&]<typename T>() {
                const T* pg = g.data<T>();
                if (nx) {
                    gx = Tensor::empty(xs, g.dtype());  // (rows, in) = G (rows, out) · W (out, in)
                    blas::gemm(false, false, rows, in, out, T(1), pg, out, Wc.data<T>(), in, T(0),
                               gx.data<T>(), in);
                }
                if (nw) {
                    gW = Tensor::empty({out, in},
                                       g.dtype());  // (out, in) = Gᵀ (out, rows) · x (rows, in)
                    blas::gemm(true, false, out, in, rows, T(1), pg, out, x.data<T>(), in, T(0),
                               gW.data<T>(), in);
                }
                if (nb) {
                    gb = Tensor::zeros({out}, g.dtype());
                    T* pb = gb.data<T>();
                    for (int64_t r = 0; r < rows; ++r)
                        for (int64_t j = 0; j < out; ++j) pb[j] += pg[r * out + j];
                }
            });
            return {gx, gW, gb};
        },
        "linear");
}

namespace {
// Applies f(row_in, row_out, n) to each row along the last axis of a contiguous tensor.
template <typename T, typename F>
void for_rows(const Tensor& x, Tensor& y, F f) {
    const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(n, 1);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    if (detail::use_threads(x.numel())) {
#pragma omp parallel for schedule(static)
        for (int64_t r = 0; r < rows; ++r) f(px + r * n, py + r * n, n);
    } else {
        for (int64_t r = 0; r < rows; ++r) f(px + r * n, py + r * n, n);
    }
}

template <typename T>
void softmax_row(const T* x, T* y, int64_t n) {
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
    T s = 0;
    for (int64_t i = 0; i < n; ++i) s += (y[i] = std::exp(x[i] - m));
    const T inv = T(1) / s;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
}

template <typename T>
void log_softmax_row(const T* x, T* y, int64_t n) {
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
    T s = 0;
    for (int64_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
    const T lse = m + std::log(s);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] - lse;
}

// Moves `axis` last (a contiguous copy unless it already is last).
Tensor last_axis(const Tensor& x, int axis) {
    return axis == x.dim() - 1 ? x.contiguous() : transpose(x, axis, -1).contiguous();
}
}  // namespace

// y = softmax(x).  ∂L/∂x = y ⊙ (g − Σ g ⊙ y).
Tensor softmax(const Tensor& x, int axis) {
    axis = normalize_axis(axis, x.dim(), "softmax");
    if (axis != x.dim() - 1) return transpose(softmax(transpose(x, axis, -1), -1), axis, -1);
    const Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() { for_rows<T>(xc, y, softmax_row<T>); });
    if (!recording({&x})) return y;
    return autograd::record(
        y, {x},
        [yd = y.detach()](const Tensor& g_in) -> Grads {
            const Tensor g = g_in.contiguous();
            Tensor gx = Tensor::empty(g.shape(), g.dtype());
            dispatch(g.dtype(), [&]<typename T>() {
                const int64_t n = g.size(-1), rows = g.numel() / std::max<int64_t>(n, 1);
                const T *pg = g.data<T>(), *py = yd.data<T>();
                T* px = gx.data<T>();
                for (int64_t r = 0; r < rows; ++r) {
                    T dot = 0;
                    for (int64_t i = 0; i < n; ++i) dot += pg[r * n + i] * py[r * n + i];
                    for (int64_t i = 0; i < n; ++i)
                        px[r * n + i] = py[r * n + i] * (pg[r * n + i] - dot);
                }
            });
            return {gx};
        },
        "softmax");
}

// y = x − logsumexp(x).  ∂L/∂x = g − softmax(x) Σ g.
Tensor log_softmax(const Tensor& x, int axis) {
    axis = normalize_axis(axis, x.dim(), "log_softmax");
    if (axis != x.dim() - 1) return transpose(log_softmax(transpose(x, axis, -1), -1), axis, -1);
    const Tensor xc = last_axis(x, axis);
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() { for_rows<T>(xc, y, log_softmax_row<T>); });
    if (!recording({&x})) return y;
    return autograd::record(
        y, {x},
        [yd = y.detach()](const Tensor& g_in) -> Grads {
            const Tensor g = g_in.contiguous();
            Tensor gx = Tensor::empty(g.shape(), g.dtype());
            dispatch(g.dtype(), [&]<typename T>() {
                const int64_t n = g.size(-1), rows = g.numel() / std::max<int64_t>(n, 1);
                const T *pg = g.data<T>(), *py = yd.data<T>();
                T* px = gx.data<T>();
                for (int64_t r = 0; r < rows; ++r) {
                    T s = 0;
                    for (int64_t i = 0; i < n; ++i) s += pg[r * n + i];
                    for (int64_t i = 0; i < n; ++i)
                        px[r * n + i] = pg[r * n + i] - std::exp(py[r * n + i]) * s;
                }
            });
            return {gx};
        },
        "log_softmax");
}

Tensor mse_loss(const Tensor& pred, const Tensor& target) {
    check(pred.shape() == target.shape(), "mse_loss: prediction of shape ", pred.shape(),
          " and target of shape ", target.shape(), " differ");
    return mean(square(sub(pred, target)));
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target) {
    check(logits.shape() == target.shape(), "binary_cross_entropy_with_logits: logits of shape ",
          logits.shape(), " and target of shape ", target.shape(), " differ");
    return mean(sub(softplus(logits), mul(target, logits)));
}

// L = (1/N) Σᵢ (lseᵢ − z_{i,yᵢ}).  ∂L/∂z = (softmax(z) − onehot(y)) / N.
Tensor cross_entropy(const Tensor& logits, const std::vector<int64_t>& labels) {
    check(logits.dim() == 2, "cross_entropy: logits must be (N, C), got ", logits.shape());
    const int64_t N = logits.size(0), C = logits.size(1);
    check(static_cast<int64_t>(labels.size()) == N, "cross_entropy: ", labels.size(),
          " labels for logits of shape ", logits.shape());
    for (int64_t i = 0; i < N; ++i)
        check(labels[i] >= 0 && labels[i] < C, "cross_entropy: label ", labels[i], " at row ", i,
              " outside [0, ", C, ")");
    const Tensor z = logits.contiguous();
    Tensor probs = Tensor::empty(z.shape(), z.dtype());  // (N, C), kept for the backward
    Tensor loss = Tensor::empty({}, z.dtype());
    dispatch(z.dtype(), [&]<typename T>() {
        const T* pz = z.data<T>();
        T* pp = probs.data<T>();
        double total = 0;
        for (int64_t i = 0; i < N; ++i) {
            const T* row = pz + i * C;
            T* p = pp + i * C;
            T m = -std::numeric_limits<T>::infinity();
            for (int64_t j = 0; j < C; ++j) m = std::max(m, row[j]);
            T s = 0;
            for (int64_t j = 0; j < C; ++j) s += (p[j] = std::exp(row[j] - m));
            const T inv = T(1) / s;
            for (int64_t j = 0; j < C; ++j) p[j] *= inv;
            total += static_cast<double>(m + std::log(s) - row[labels[i]]);
        }
        *loss.data<T>() = static_cast<T>(total / static_cast<double>(std::max<int64_t>(N, 1)));
    });
    if (!recording({&logits})) return loss;
    return autograd::record(
        loss, {logits},
        [probs, labels, N, C](const Tensor& g) -> Grads {
            Tensor gz = Tensor::empty(probs.shape(), probs.dtype());
            dispatch(probs.dtype(), [&]<typename T>() {
                const T scale =
                    static_cast<T>(g.item() / static_cast<double>(std::max<int64_t>(N, 1)));
                const T* pp = probs.data<T>();
                T* pg = gz.data<T>();
                for (int64_t k = 0; k < N * C; ++k) pg[k] = pp[k] * scale;
                for (int64_t i = 0; i < N; ++i) pg[i * C + labels[i]] -= scale;
            });
            return {gz};
        },
        "cross_entropy");
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels) {
    check(labels.dim() == 1, "cross_entropy: labels must be (N), got ", labels.shape());
    const std::vector<double> v = labels.to_vector();
    std::vector<int64_t> idx(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        check(v[i] == std::floor(v[i]), "cross_entropy: label ", v[i], " at row ", i,
              " is not an integer");
        idx[i] = static_cast<int64_t>(v[i]);
    }
    return cross_entropy(logits, idx);
}

Tensor l1_penalty(const std::vector<Tensor>& params, double lambda) {
    check(!params.empty(), "l1_penalty: no parameters");
    Tensor total = sum(abs(params[0]));
    for (size_t i = 1; i < params.size(); ++i) total = add(total, sum(abs(params[i])));
    return mul_scalar(total, lambda);
}

Tensor l2_penalty(const std::vector<Tensor>& params, double lambda) {
    check(!params.empty(), "l2_penalty: no parameters");
    Tensor total = sum(square(params[0]));
    for (size_t i = 1; i < params.size(); ++i) total = add(total, sum(square(params[i])));
    return mul_scalar(total, lambda);
}

}  // namespace gibbs::nn
