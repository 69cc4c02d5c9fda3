// conv2d and conv_transpose2d: im2col + GEMM kernels with their backward (see gibbs/nn/conv.hpp).
//
// Three kernels serve both ops, for a convolution mapping (N, C, H, W) to (N, O, Ho, Wo):
//   conv_apply        y_n = W X_n (+ b)           conv2d forward, conv_transpose2d ∂x
//   conv_adjoint      x_n = col2im(Wᵀ G_n)        conv2d ∂x, conv_transpose2d forward
//   conv_weight_grad  ∂W = Σ_n G_n X_nᵀ           conv2d ∂W, conv_transpose2d ∂W (roles swapped)
// Images are spread over OpenMP threads, each with its own (C·kh·kw, L) column buffer that
// stays in cache and calls a single-threaded GEMM per image; ∂W is summed per thread and then
// across threads in a fixed order. Small problems run on one thread and let BLAS thread.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/nn/conv.hpp"
#include "gibbs/tensor/blas.hpp"
#include "nn/image_common.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs::nn {

using autograd::Grads;
using autograd::needs_grad;

namespace {

// The geometry of a convolution of a (C, H, W) image by a (kh, kw) kernel.
struct Geometry {
    int64_t C, H, W, kh, kw, stride, pad, Ho, Wo;
    int64_t patch() const { return C * kh * kw; }  // rows of X_n
    int64_t L() const { return Ho * Wo; }          // columns of X_n
    // 1×1, stride 1, no padding: X_n is the image itself.
    bool pointwise() const { return kh == 1 && kw == 1 && stride == 1 && pad == 0; }
};

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The output columns ow whose input column ow·s − p + j lies inside [0, W): [lo, hi).
void valid_columns(const Geometry& g, int64_t j, int64_t* lo, int64_t* hi) {
    *lo = std::clamp<int64_t>(floor_div(g.pad - j + g.stride - 1, g.stride), 0, g.Wo);
    *hi = std::clamp<int64_t>(floor_div(g.W - 1 + g.pad - j, g.stride) + 1, *lo, g.Wo);
}

// X[(c,i,j), (a,b)] = x[c, a·s − p + i, b·s − p + j], zero outside the image.
template <typename T>
void im2col(const Geometry& g, const T* x, T* X) {
    const int64_t L = g.L();
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
                T* row = X + ((c * g.kh + i) * g.kw + j) * L;
                int64_t lo, hi;
                valid_columns(g, j, &lo, &hi);
                for (int64_t a = 0; a < g.Ho; ++a) {
                    T* out = row + a * g.Wo;
                    const int64_t ih = a * g.stride - g.pad + i;
                    if (ih < 0 || ih >= g.H) {
                        std::fill(out, out + g.Wo, T(0));
                        continue;
                    }
                    const T* in = x + (c * g.H + ih) * g.W - g.pad + j;  // in[b·s] = x[c,ih,·]
                    std::fill(out, out + lo, T(0));
                    if (g.stride == 1)
                        std::memcpy(out + lo, in + lo, (hi - lo) * sizeof(T));
                    else
                        for (int64_t b = lo; b < hi; ++b) out[b] = in[b * g.stride];
                    std::fill(out + hi, out + g.Wo, T(0));
                }
            }
}

// The adjoint of im2col: x[c, a·s − p + i, b·s − p + j] += X[(c,i,j), (a,b)]; x is zeroed first.
template <typename T>
void col2im(const Geometry& g, const T* X, T* x) {
    const int64_t L = g.L();
    std::fill(x, x + g.C * g.H * g.W, T(0));
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
                const T* row = X + ((c * g.kh + i) * g.kw + j) * L;
                int64_t lo, hi;
                valid_columns(g, j, &lo, &hi);
                for (int64_t a = 0; a < g.Ho; ++a) {
                    const int64_t ih = a * g.stride - g.pad + i;
                    if (ih < 0 || ih >= g.H) continue;
                    const T* in = row + a * g.Wo;
                    T* out = x + (c * g.H + ih) * g.W - g.pad + j;
                    if (g.stride == 1)
                        for (int64_t b = lo; b < hi; ++b) out[b] += in[b];
                    else
                        for (int64_t b = lo; b < hi; ++b) out[b * g.stride] += in[b];
                }
            }
}

// Whether to spread N images over threads: enough images and enough work per call.
bool parallel_images(int64_t N, int64_t flops) {
    return N > 1 && omp_get_max_threads() > 1 && detail::use_threads(flops / 64);
}

// y (N, O, L) = W (O, patch) · X_n, plus b (O) if given; x (N, C, H, W).
template <typename T>
void conv_apply(const Geometry& g, int64_t N, int64_t O, const T* x, const T* W, const T* b, T* y) {
    const int64_t P = g.patch(), L = g.L(), image = g.C * g.H * g.W;
    const bool par = parallel_images(N, 2 * N * O * P * L);
    const int threads = par ? omp_get_max_threads() : 1;
    Tensor scratch = Tensor::empty({g.pointwise() ? 0 : threads * P * L}, dtype_of<T>());
    auto one = [&](int64_t n, T* X) {
        const T* xn = x + n * image;
        T* yn = y + n * O * L;
        if (g.pointwise())
            X = const_cast<T*>(xn);
        else
            im2col(g, xn, X);
        if (b)
            for (int64_t o = 0; o < O; ++o) std::fill(yn + o * L, yn + (o + 1) * L, b[o]);
        blas::gemm(false, false, O, L, P, T(1), W, P, X, L, b ? T(1) : T(0), yn, L);
    };
    if (par) {
#pragma omp parallel num_threads(threads)
        {
            T* X = scratch.data<T>() + (g.pointwise() ? 0 : omp_get_thread_num() * P * L);
#pragma omp for schedule(static)
            for (int64_t n = 0; n < N; ++n) one(n, X);
        }
    } else {
        for (int64_t n = 0; n < N; ++n) one(n, scratch.data<T>());
    }
}

// x (N, C, H, W) = col2im(Wᵀ (patch, O) · G_n (O, L)) for G (N, O, L).
template <typename T>
void conv_adjoint(const Geometry& g, int64_t N, int64_t O, const T* G, const T* W, T* x) {
    const int64_t P = g.patch(), L = g.L(), image = g.C * g.H * g.W;
    const bool par = parallel_images(N, 2 * N * O * P * L);
    const int threads = par ? omp_get_max_threads() : 1;
    Tensor scratch = Tensor::empty({g.pointwise() ? 0 : threads * P * L}, dtype_of<T>());
    auto one = [&](int64_t n, T* X) {
        const T* Gn = G + n * O * L;
        T* xn = x + n * image;
        if (g.pointwise()) {
            blas::gemm(true, false, P, L, O, T(1), W, P, Gn, L, T(0), xn, L);
            return;
        }
        blas::gemm(true, false, P, L, O, T(1), W, P, Gn, L, T(0), X, L);
        col2im(g, X, xn);
    };
    if (par) {
#pragma omp parallel num_threads(threads)
        {
            T* X = scratch.data<T>() + (g.pointwise() ? 0 : omp_get_thread_num() * P * L);
#pragma omp for schedule(static)
            for (int64_t n = 0; n < N; ++n) one(n, X);
        }
    } else {
        for (int64_t n = 0; n < N; ++n) one(n, scratch.data<T>());
    }
}

// dW (O, patch) = Σ_n G_n (O, L) · X_nᵀ (L, patch) for x (N, C, H, W), G (N, O, L).
template <typename T>
void conv_weight_grad(const Geometry& g, int64_t N, int64_t O, const T* x, const T* G, T* dW) {
    const int64_t P = g.patch(), L = g.L(), image = g.C * g.H * g.W;
    const bool par = parallel_images(N, 2 * N * O * P * L);
    const int threads = par ? omp_get_max_threads() : 1;
    Tensor scratch = Tensor::empty({g.pointwise() ? 0 : threads * P * L}, dtype_of<T>());
    // One partial sum per thread beyond the first; thread 0 accumulates into dW.
    Tensor partial = Tensor::zeros({(threads - 1) * O * P}, dtype_of<T>());
    std::fill(dW, dW + O * P, T(0));
    auto one = [&](int64_t n, T* X, T* acc) {
        const T* xn = x + n * image;
        if (g.pointwise())
            X = const_cast<T*>(xn);
        else
            im2col(g, xn, X);
        blas::gemm(false, true, O, P, L, T(1), G + n * O * L, L, X, L, T(1), acc, P);
    };
    if (par) {
#pragma omp parallel num_threads(threads)
        {
            const int t = omp_get_thread_num();
            T* X = scratch.data<T>() + (g.pointwise() ? 0 : t * P * L);
            T* acc = t == 0 ? dW : partial.data<T>() + (t - 1) * O * P;
#pragma omp for schedule(static)
            for (int64_t n = 0; n < N; ++n) one(n, X, acc);
        }
        const T* pp = partial.data<T>();
        for (int t = 1; t < threads; ++t)
            for (int64_t k = 0; k < O * P; ++k) dW[k] += pp[(t - 1) * O * P + k];
    } else {
        for (int64_t n = 0; n < N; ++n) one(n, scratch.data<T>(), dW);
    }
}

// db[o] = Σ_{n,l} G[n, o, l] for G (N, O, L), summed in double.
template <typename T>
void channel_sums(int64_t N, int64_t O, int64_t L, const T* G, T* db) {
    for (int64_t o = 0; o < O; ++o) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) {
            const T* row = G + (n * O + o) * L;
            T r = 0;
            for (int64_t l = 0; l < L; ++l) r += row[l];
            s += r;
        }
        db[o] = static_cast<T>(s);
    }
}

void check_conv_inputs(const char* op, const Tensor& x, const Tensor& W, const Tensor& b,
                       int64_t channels_in, int64_t channels_out, int64_t stride, int64_t padding) {
    check(x.dim() == 4, op, ": input must be (N, C, H, W), got ", x.shape());
    check(W.dim() == 4, op, ": weight must be 4-dimensional, got ", W.shape());
    check(x.size(1) == channels_in, op, ": input of shape ", x.shape(), " has ", x.size(1),
          " channels, the weight of shape ", W.shape(), " expects ", channels_in);
    detail::check_same_dtype(x, W, op);
    if (b.defined()) {
        check(b.dim() == 1 && b.size(0) == channels_out, op, ": bias of shape ", b.shape(),
              " for weight of shape ", W.shape());
        detail::check_same_dtype(b, W, op);
    }
    check(stride >= 1, op, ": stride must be at least 1, got ", stride);
    check(padding >= 0, op, ": padding must be non-negative, got ", padding);
}

}  // namespace

Tensor conv2d(const Tensor& x_in, const Tensor& W_in, const Tensor& b, Conv2dFuncOptions opt) {
    check_conv_inputs("conv2d", x_in, W_in, b, W_in.dim() == 4 ? W_in.size(1) : -1,
                      W_in.dim() == 4 ? W_in.size(0) : -1, opt.stride, opt.padding);
    const int64_t N = x_in.size(0), O = W_in.size(0);
    Geometry g{x_in.size(1),
               x_in.size(2),
               x_in.size(3),
               W_in.size(2),
               W_in.size(3),
               opt.stride,
               opt.padding,
               0,
               0};
    g.Ho = floor_div(g.H + 2 * g.pad - g.kh, g.stride) + 1;
    g.Wo = floor_div(g.W + 2 * g.pad - g.kw, g.stride) + 1;
    check(g.Ho >= 1 && g.Wo >= 1, "conv2d: kernel ", g.kh, "x", g.kw, " larger than the input ",
          g.H, "x", g.W, " with padding ", g.pad);
    const Tensor x = x_in.contiguous(), W = W_in.contiguous();
    const Tensor bc = b.defined() ? b.contiguous() : b;
    Tensor y = Tensor::empty({N, O, g.Ho, g.Wo}, x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        conv_apply<T>(g, N, O, x.data<T>(), W.data<T>(), bc.defined() ? bc.data<T>() : nullptr,
                      y.data<T>());
    });
    if (!any_needs_grad({&x_in, &W_in, &b})) return y;
    return autograd::record(
        y, {x_in, W_in, b},
        [x, W, g, N, O, nx = needs_grad(x_in), nw = needs_grad(W_in),
         nb = needs_grad(b)](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();  // (N, O, Ho, Wo)
            Tensor gx, gW, gb;
            dispatch(G.dtype(), [&]<typename T>() {
                if (nx) {
                    gx = Tensor::empty(x.shape(), G.dtype());
                    conv_adjoint<T>(g, N, O, G.data<T>(), W.data<T>(), gx.data<T>());
                }
                if (nw) {
                    gW = Tensor::empty(W.shape(), G.dtype());
                    conv_weight_grad<T>(g, N, O, x.data<T>(), G.data<T>(), gW.data<T>());
                }
                if (nb) {
                    gb = Tensor::empty({O}, G.dtype());
                    channel_sums<T>(N, O, g.L(), G.data<T>(), gb.data<T>());
                }
            });
            return {gx, gW, gb};
        },
        "conv2d");
}

Tensor conv_transpose2d(const Tensor& x_in, const Tensor& W_in, const Tensor& b,
                        ConvTranspose2dFuncOptions opt) {
    check_conv_inputs("conv_transpose2d", x_in, W_in, b, W_in.dim() == 4 ? W_in.size(0) : -1,
                      W_in.dim() == 4 ? W_in.size(1) : -1, opt.stride, opt.padding);
    check(opt.output_padding >= 0 && opt.output_padding < opt.stride,
          "conv_transpose2d: output_padding must be in [0, stride), got ", opt.output_padding,
          " with stride ", opt.stride);
    // The convolution whose adjoint this is maps (N, Cout, Ho, Wo) to (N, Cin, H, W).
    const int64_t N = x_in.size(0), Cin = W_in.size(0), Cout = W_in.size(1);
    const int64_t kh = W_in.size(2), kw = W_in.size(3), s = opt.stride, p = opt.padding;
    const int64_t Ho = (x_in.size(2) - 1) * s - 2 * p + kh + opt.output_padding;
    const int64_t Wo = (x_in.size(3) - 1) * s - 2 * p + kw + opt.output_padding;
    check(Ho >= 1 && Wo >= 1, "conv_transpose2d: input ", x_in.size(2), "x", x_in.size(3),
          " with kernel ", kh, "x", kw, ", stride ", s, ", padding ", p, " gives an empty output");
    const Geometry g{Cout, Ho, Wo, kh, kw, s, p, x_in.size(2), x_in.size(3)};
    const Tensor x = x_in.contiguous(), W = W_in.contiguous();
    Tensor y = Tensor::empty({N, Cout, Ho, Wo}, x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        conv_adjoint<T>(g, N, Cin, x.data<T>(), W.data<T>(), y.data<T>());
        if (b.defined()) {
            const Tensor bc = b.contiguous();
            const T* pb = bc.data<T>();
            T* py = y.data<T>();
            const int64_t plane = Ho * Wo;
            for (int64_t n = 0; n < N; ++n)
                for (int64_t c = 0; c < Cout; ++c) {
                    T* row = py + (n * Cout + c) * plane;
                    for (int64_t l = 0; l < plane; ++l) row[l] += pb[c];
                }
        }
    });
    if (!any_needs_grad({&x_in, &W_in, &b})) return y;
    return autograd::record(
        y, {x_in, W_in, b},
        [x, W, g, N, Cin, Cout, nx = needs_grad(x_in), nw = needs_grad(W_in),
         nb = needs_grad(b)](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();  // (N, Cout, Ho, Wo)
            Tensor gx, gW, gb;
            dispatch(G.dtype(), [&]<typename T>() {
                if (nx) {  // the convolution itself, without bias
                    gx = Tensor::empty(x.shape(), G.dtype());
                    conv_apply<T>(g, N, Cin, G.data<T>(), W.data<T>(), nullptr, gx.data<T>());
                }
                if (nw) {  // ∂W (Cin, Cout·kh·kw) = Σ_n x_n (Cin, H·W) · im2col(G_n)ᵀ
                    gW = Tensor::empty(W.shape(), G.dtype());
                    conv_weight_grad<T>(g, N, Cin, G.data<T>(), x.data<T>(), gW.data<T>());
                }
                if (nb) {
                    gb = Tensor::empty({Cout}, G.dtype());
                    channel_sums<T>(N, Cout, g.H * g.W, G.data<T>(), gb.data<T>());
                }
            });
            return {gx, gW, gb};
        },
        "conv_transpose2d");
}

}  // namespace gibbs::nn
