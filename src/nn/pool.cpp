// max_pool2d, avg_pool2d and upsample_nearest2d with their backward (see gibbs/nn/conv.hpp).
// Every kernel works plane by plane (one (n, c) image), planes spread over OpenMP threads.
#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/nn/conv.hpp"
#include "nn/image_common.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs::nn {

using autograd::Grads;

namespace {

struct PoolGeometry {
    int64_t planes, H, W, k, s, p, Ho, Wo;
};

PoolGeometry pool_geometry(const char* op, const Tensor& x, const Pool2dOptions& o) {
    check(x.dim() == 4, op, ": input must be (N, C, H, W), got ", x.shape());
    check(o.kernel >= 1, op, ": kernel must be at least 1, got ", o.kernel);
    const int64_t s = o.stride == 0 ? o.kernel : o.stride;
    check(s >= 1, op, ": stride must be positive, got ", o.stride);
    check(o.padding >= 0 && 2 * o.padding <= o.kernel, op,
          ": padding must be in [0, kernel/2], got ", o.padding, " for kernel ", o.kernel);
    PoolGeometry g{x.size(0) * x.size(1), x.size(2), x.size(3), o.kernel, s, o.padding, 0, 0};
    check(x.size(2) + 2 * g.p >= g.k && x.size(3) + 2 * g.p >= g.k, op, ": kernel ", g.k,
          " larger than the input ", x.size(2), "x", x.size(3), " with padding ", g.p);
    g.Ho = (g.H + 2 * g.p - g.k) / g.s + 1;
    g.Wo = (g.W + 2 * g.p - g.k) / g.s + 1;
    return g;
}

// Runs f(plane) for every plane, on threads when the tensor is large.
template <typename F>
void for_planes(int64_t planes, int64_t work, F f) {
    if (planes > 1 && detail::use_threads(work)) {
#pragma omp parallel for schedule(static)
        for (int64_t q = 0; q < planes; ++q) f(q);
    } else {
        for (int64_t q = 0; q < planes; ++q) f(q);
    }
}

Shape out_shape(const Tensor& x, int64_t Ho, int64_t Wo) { return {x.size(0), x.size(1), Ho, Wo}; }

}  // namespace

// y[a,b] = max_{i,j<k} x[a·s − p + i, b·s − p + j]; the index of the maximum is kept (the first
// one in row-major window order at ties) and the backward adds g there.
Tensor max_pool2d(const Tensor& x_in, Pool2dOptions options) {
    const PoolGeometry g = pool_geometry("max_pool2d", x_in, options);
    const Tensor x = x_in.contiguous();
    Tensor y = Tensor::empty(out_shape(x, g.Ho, g.Wo), x.dtype());
    const bool rec = any_needs_grad({&x_in});
    // argmax[q·Ho·Wo + a·Wo + b] = flat index in the H×W plane (left uninitialized: all written)
    std::shared_ptr<int32_t[]> argmax(new int32_t[rec ? g.planes * g.Ho * g.Wo : 0]);
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        T* py = y.data<T>();
        int32_t* pi = argmax.get();
        for_planes(g.planes, x.numel(), [&](int64_t q) {
            const T* plane = px + q * g.H * g.W;
            if (g.k == 2 && g.s == 2 && g.p == 0) {
                // The common case, branch-free so that it vectorizes: a tournament over the
                // window (x00, x01, x10, x11) whose strict comparisons keep the first maximum.
                const int32_t W = static_cast<int32_t>(g.W);
                for (int64_t a = 0; a < g.Ho; ++a) {
                    const T *r0 = plane + 2 * a * g.W, *r1 = r0 + g.W;
                    T* out = py + (q * g.Ho + a) * g.Wo;
                    int32_t* idx = rec ? pi + (q * g.Ho + a) * g.Wo : nullptr;
                    const int32_t base = static_cast<int32_t>(2 * a * g.W);
                    for (int64_t b = 0; b < g.Wo; ++b) {
                        const T v0 = r0[2 * b], v1 = r0[2 * b + 1], v2 = r1[2 * b],
                                v3 = r1[2 * b + 1];
                        const bool c01 = v1 > v0, c23 = v3 > v2;
                        const T m01 = c01 ? v1 : v0, m23 = c23 ? v3 : v2;
                        const bool c = m23 > m01;
                        out[b] = c ? m23 : m01;
                        if (idx)
                            idx[b] =
                                base + static_cast<int32_t>(2 * b) +
                                (c ? W + static_cast<int32_t>(c23) : static_cast<int32_t>(c01));
                    }
                }
                return;
            }
            for (int64_t a = 0; a < g.Ho; ++a) {
                const int64_t h0 = a * g.s - g.p;
                const int64_t hlo = std::max<int64_t>(h0, 0), hhi = std::min(h0 + g.k, g.H);
                for (int64_t b = 0; b < g.Wo; ++b) {
                    const int64_t w0 = b * g.s - g.p;
                    const int64_t wlo = std::max<int64_t>(w0, 0), whi = std::min(w0 + g.k, g.W);
                    T best = -std::numeric_limits<T>::infinity();
                    int64_t at = hlo * g.W + wlo;
                    for (int64_t h = hlo; h < hhi; ++h)
                        for (int64_t w = wlo; w < whi; ++w)
                            if (plane[h * g.W + w] > best) {
                                best = plane[h * g.W + w];
                                at = h * g.W + w;
                            }
                    const int64_t o = (q * g.Ho + a) * g.Wo + b;
                    py[o] = best;
                    if (rec) pi[o] = static_cast<int32_t>(at);
                }
            }
        });
    });
    if (!rec) return y;
    return autograd::record(
        y, {x_in},
        [g, argmax, xs = x.shape()](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();
            Tensor gx = Tensor::empty(xs, G.dtype());
            dispatch(G.dtype(), [&]<typename T>() {
                const T* pg = G.data<T>();
                T* px = gx.data<T>();
                const int32_t* pi = argmax.get();
                const int64_t L = g.Ho * g.Wo;
                for_planes(g.planes, gx.numel(), [&](int64_t q) {
                    T* plane = px + q * g.H * g.W;
                    std::fill(plane, plane + g.H * g.W, T(0));
                    for (int64_t l = q * L; l < (q + 1) * L; ++l) plane[pi[l]] += pg[l];
                });
            });
            return {gx};
        },
        "max_pool2d");
}

// y[a,b] = (1/k²) Σ_{i,j<k} x[a·s − p + i, b·s − p + j] (zeros in the padding);
// backward: every element of the window receives g/k².
Tensor avg_pool2d(const Tensor& x_in, Pool2dOptions options) {
    const PoolGeometry g = pool_geometry("avg_pool2d", x_in, options);
    const Tensor x = x_in.contiguous();
    Tensor y = Tensor::empty(out_shape(x, g.Ho, g.Wo), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        T* py = y.data<T>();
        const T scale = T(1) / static_cast<T>(g.k * g.k);
        for_planes(g.planes, x.numel(), [&](int64_t q) {
            const T* plane = px + q * g.H * g.W;
            for (int64_t a = 0; a < g.Ho; ++a) {
                const int64_t h0 = a * g.s - g.p;
                const int64_t hlo = std::max<int64_t>(h0, 0), hhi = std::min(h0 + g.k, g.H);
                for (int64_t b = 0; b < g.Wo; ++b) {
                    const int64_t w0 = b * g.s - g.p;
                    const int64_t wlo = std::max<int64_t>(w0, 0), whi = std::min(w0 + g.k, g.W);
                    T sum = 0;
                    for (int64_t h = hlo; h < hhi; ++h)
                        for (int64_t w = wlo; w < whi; ++w) sum += plane[h * g.W + w];
                    py[(q * g.Ho + a) * g.Wo + b] = sum * scale;
                }
            }
        });
    });
    if (!any_needs_grad({&x_in})) return y;
    return autograd::record(
        y, {x_in},
        [g, xs = x.shape()](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();
            Tensor gx = Tensor::empty(xs, G.dtype());
            dispatch(G.dtype(), [&]<typename T>() {
                const T* pg = G.data<T>();
                T* px = gx.data<T>();
                const T scale = T(1) / static_cast<T>(g.k * g.k);
                for_planes(g.planes, gx.numel(), [&](int64_t q) {
                    T* plane = px + q * g.H * g.W;
                    std::fill(plane, plane + g.H * g.W, T(0));
                    for (int64_t a = 0; a < g.Ho; ++a) {
                        const int64_t h0 = a * g.s - g.p;
                        const int64_t hlo = std::max<int64_t>(h0, 0), hhi = std::min(h0 + g.k, g.H);
                        for (int64_t b = 0; b < g.Wo; ++b) {
                            const int64_t w0 = b * g.s - g.p;
                            const int64_t wlo = std::max<int64_t>(w0, 0),
                                          whi = std::min(w0 + g.k, g.W);
                            const T v = pg[(q * g.Ho + a) * g.Wo + b] * scale;
                            for (int64_t h = hlo; h < hhi; ++h)
                                for (int64_t w = wlo; w < whi; ++w) plane[h * g.W + w] += v;
                        }
                    }
                });
            });
            return {gx};
        },
        "avg_pool2d");
}

Tensor upsample_nearest2d(const Tensor& x_in, int64_t s) {
    check(x_in.dim() == 4, "upsample_nearest2d: input must be (N, C, H, W), got ", x_in.shape());
    check(s >= 1, "upsample_nearest2d: scale must be a positive integer, got ", s);
    const Tensor x = x_in.contiguous();
    const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
    Tensor y = Tensor::empty(out_shape(x, H * s, W * s), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        T* py = y.data<T>();
        for_planes(planes, y.numel(), [&](int64_t q) {
            for (int64_t h = 0; h < H; ++h) {
                const T* in = px + (q * H + h) * W;
                T* out = py + (q * H + h) * s * W * s;
                for (int64_t w = 0; w < W; ++w)
                    for (int64_t j = 0; j < s; ++j) out[w * s + j] = in[w];
                for (int64_t i = 1; i < s; ++i) std::copy(out, out + W * s, out + i * W * s);
            }
        });
    });
    if (!any_needs_grad({&x_in})) return y;
    return autograd::record(
        y, {x_in},
        [s, planes, H, W, xs = x.shape()](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();
            Tensor gx = Tensor::empty(xs, G.dtype());
            dispatch(G.dtype(), [&]<typename T>() {
                const T* pg = G.data<T>();
                T* px = gx.data<T>();
                for_planes(planes, G.numel(), [&](int64_t q) {
                    for (int64_t h = 0; h < H; ++h) {
                        T* out = px + (q * H + h) * W;
                        std::fill(out, out + W, T(0));
                        for (int64_t i = 0; i < s; ++i) {
                            const T* in = pg + ((q * H + h) * s + i) * W * s;
                            for (int64_t w = 0; w < W; ++w)
                                for (int64_t j = 0; j < s; ++j) out[w] += in[w * s + j];
                        }
                    }
                });
            });
            return {gx};
        },
        "upsample_nearest2d");
}

}  // namespace gibbs::nn
