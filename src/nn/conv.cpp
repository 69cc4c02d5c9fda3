// conv2d, conv2d_add and conv_transpose2d: im2col + GEMM kernels with their backward (see
// gibbs/nn/conv.hpp).
//
// Two kernels serve both ops, for a convolution mapping (N, C, H, W) to (N, O, Ho, Wo):
//   conv_apply     y_n = W X_n (+ b, + r)         conv2d(_add) forward, conv_transpose2d ∂x
//   conv_backward  x_n = col2im(Wᵀ G_n)           conv2d ∂x, conv_transpose2d forward
//                  ∂W = Σ_n G_n X_nᵀ              conv2d ∂W, conv_transpose2d ∂W (roles swapped)
//                  ∂b = Σ_{n,l} G_n               conv2d ∂b (and ∂r per image and channel)
// Images go through in chunks of a few, one GEMM per chunk (see make_plan), chunks spread over
// OpenMP threads, each with its own column buffer that stays in cache and a single-threaded GEMM;
// ∂W is summed over fixed runs of chunks and then across runs in a fixed order. Small problems
// run on one thread and let BLAS thread.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

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

// The outputs a < n_out whose input a·s − p + i lies inside [0, n_in): [lo, hi).
void valid_range(int64_t n_in, int64_t n_out, int64_t s, int64_t p, int64_t i, int64_t* lo,
                 int64_t* hi) {
    *lo = std::clamp<int64_t>(floor_div(p - i + s - 1, s), 0, n_out);
    *hi = std::clamp<int64_t>(floor_div(n_in - 1 + p - i, s) + 1, *lo, n_out);
}

// Tap (i, j) of the kernel: the output rows [alo, ahi) and columns [blo, bhi) whose input pixel
// lies inside the image; with the shifted copy below, the input's offset from the output's
// (shift) and the first and one-past-last output index of the valid rectangle.
struct Tap {
    int64_t alo, ahi, blo, bhi, shift, first, last;
};

Tap tap(const Geometry& g, int64_t i, int64_t j) {
    Tap t{};
    valid_range(g.H, g.Ho, g.stride, g.pad, i, &t.alo, &t.ahi);
    valid_range(g.W, g.Wo, g.stride, g.pad, j, &t.blo, &t.bhi);
    t.shift = (i - g.pad) * g.W + (j - g.pad);
    t.first = t.alo * g.Wo + t.blo;
    t.last = (t.ahi - 1) * g.Wo + t.bhi;
    return t;
}

// NOTE: with stride 1 and Wo = W ("same" padding) row (c,i,j) of X is the image shifted by
// (i − p)·W + (j − p) elements over its valid rows, so it is copied (or, in col2im, added) as one
// contiguous run; the columns that wrap around an image row are fixed up separately.
bool shifted_copy(const Geometry& g) { return g.stride == 1 && g.Wo == g.W; }

// Zeroes columns b < blo and b ≥ bhi of rows alo ≤ a < ahi of one row of X, column by column:
// a few elements per image row, which as row-wise fills would be as many memset calls.
template <typename T>
void zero_wrapped_columns(const Geometry& g, int64_t alo, int64_t ahi, int64_t blo, int64_t bhi,
                          T* row) {
    for (int64_t b = 0; b < blo; ++b)
        for (int64_t a = alo; a < ahi; ++a) row[a * g.Wo + b] = T(0);
    for (int64_t b = bhi; b < g.Wo; ++b)
        for (int64_t a = alo; a < ahi; ++a) row[a * g.Wo + b] = T(0);
}

// X[(c,i,j), (a,b)] = x[c, a·s − p + i, b·s − p + j], zero outside the image; X has row stride
// ld ≥ L (the patch matrices of a chunk of images sit side by side).
// NOTE: both walk the taps (i, j) outside the channels, so that the valid ranges (integer
// divisions) are found once per tap rather than once per row; col2im still adds the rows of each
// channel in (i, j) order.
template <typename T>
void im2col(const Geometry& g, const T* x, T* X, int64_t ld) {
    const int64_t L = g.L(), s = g.stride, p = g.pad, plane = g.H * g.W;
    for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j) {
            const auto [alo, ahi, blo, bhi, shift, first, last] = tap(g, i, j);
            for (int64_t c = 0; c < g.C; ++c) {
                const T* xc = x + c * plane;
                T* row = X + ((c * g.kh + i) * g.kw + j) * ld;
                if (alo == ahi || blo == bhi) {
                    std::fill(row, row + L, T(0));
                    continue;
                }
                std::fill(row, row + alo * g.Wo, T(0));
                std::fill(row + ahi * g.Wo, row + L, T(0));
                if (shifted_copy(g)) {
                    std::copy(xc + first + shift, xc + last + shift, row + first);
                    zero_wrapped_columns(g, alo, ahi, blo, bhi, row);
                    continue;
                }
                for (int64_t a = alo; a < ahi; ++a) {
                    T* out = row + a * g.Wo;
                    const T* in = xc + (a * s - p + i) * g.W;
                    std::fill(out, out + blo, T(0));
                    if (s == 1)  // one contiguous run per image row
                        std::copy(in + blo - p + j, in + bhi - p + j, out + blo);
                    else if (s == 2)  // the stride a constant, so that the loop vectorizes
                        for (int64_t b = blo; b < bhi; ++b) out[b] = in[b * 2 - p + j];
                    else
                        for (int64_t b = blo; b < bhi; ++b) out[b] = in[b * s - p + j];
                    std::fill(out + bhi, out + g.Wo, T(0));
                }
            }
        }
}

// The adjoint of im2col: x[c, a·s − p + i, b·s − p + j] += X[(c,i,j), (a,b)], x zeroed first.
// X (row stride ld) is scratch: the entries that fall outside the image are overwritten.
template <typename T>
void col2im(const Geometry& g, T* X, int64_t ld, T* __restrict x) {
    const int64_t s = g.stride, p = g.pad, plane = g.H * g.W;
    std::fill(x, x + g.C * plane, T(0));
    for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j) {
            const auto [alo, ahi, blo, bhi, shift, first, last] = tap(g, i, j);
            if (alo == ahi || blo == bhi) continue;
            for (int64_t c = 0; c < g.C; ++c) {
                T* __restrict xc = x + c * plane;
                T* row = X + ((c * g.kh + i) * g.kw + j) * ld;
                if (shifted_copy(g)) {
                    zero_wrapped_columns(g, alo, ahi, blo, bhi, row);
                    T* __restrict out = xc + first + shift;
                    const T* in = row + first;
#pragma omp simd
                    for (int64_t k = 0; k < last - first; ++k) out[k] += in[k];
                    continue;
                }
                for (int64_t a = alo; a < ahi; ++a) {
                    const T* in = row + a * g.Wo;
                    T* __restrict out = xc + (a * s - p + i) * g.W;
                    if (s == 1) {
                        out += j - p;
#pragma omp simd
                        for (int64_t b = blo; b < bhi; ++b) out[b] += in[b];
                    } else {
                        for (int64_t b = blo; b < bhi; ++b) out[b * s - p + j] += in[b];
                    }
                }
            }
        }
}

// Images are processed in chunks of B whose patch matrices sit side by side in one (P, B·L)
// matrix, so that each GEMM has at least kColumns columns. Measured for the forward GEMM of
// 32→64 channels at 14×14, N = 128, one thread: 15.1 ms one GEMM per image, 12.6 ms in chunks of
// 8, 12.9 ms one GEMM over the whole batch, whose 29 MB column matrix would not stay in cache.
// For the U-Net step (one thread, perf stat, 6 steps) 768 columns took 1–3 % less CPU than 1536:
// 28×28 images then go one at a time, straight into y and out of G with no gather or scatter.
// Chunks are spread over threads when there is enough work.
constexpr int64_t kColumns = 768;
constexpr int64_t kChunkBytes = 4 << 20;
// The runs of chunks whose ∂W terms are summed apart (see conv_backward): enough for dynamic
// scheduling to balance two to four threads, few enough that their partial sums stay small.
constexpr int64_t kGroups = 8;
// Up to this many output channels conv_backward accumulates ∂Wᵀ rather than ∂W.
constexpr int64_t kTransposedDW = 32;

struct Plan {
    int64_t B;       // images per chunk
    int64_t chunks;  // ⌈N / B⌉
    int threads;
};

template <typename T>
Plan make_plan(const Geometry& g, int64_t N, int64_t O) {
    const int64_t P = g.patch(), L = g.L();
    const bool par = N > 1 && omp_get_max_threads() > 1 && detail::use_threads(N * O * P * L / 32);
    const int threads = par ? omp_get_max_threads() : 1;
    int64_t B = 1;
    if (!g.pointwise()) {  // a 1×1 convolution reads the images in place, one at a time
        B = (kColumns + L - 1) / L;
        B = std::min<int64_t>(B, kChunkBytes / static_cast<int64_t>(P * L * sizeof(T)));
        B = std::max<int64_t>(1, std::min(B, (N + threads - 1) / threads));
    }
    return {B, (N + B - 1) / B, threads};
}

// A buffer of at least n elements owned by the calling thread and kept between calls (OpenMP's
// threads persist), so that the column matrices, a few MB, are not allocated and page-faulted
// anew at every call. Valid until the thread's next call.
template <typename T>
T* thread_scratch(int64_t n) {
    thread_local std::vector<T> buffer;
    if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
    return buffer.data();
}

// Runs f(chunk, thread) for every chunk. Chunks are handed out one at a time (dynamic), which
// keeps every thread busy when another is descheduled on a loaded machine, unless the caller
// needs each thread's share fixed (static).
template <typename F>
void run_chunks(const Plan& plan, bool dynamic, F f) {
    if (plan.threads > 1) {
#pragma omp parallel num_threads(plan.threads)
        {
            const int t = omp_get_thread_num();
            if (dynamic) {
#pragma omp for schedule(dynamic, 1)
                for (int64_t k = 0; k < plan.chunks; ++k) f(k, t);
            } else {
#pragma omp for schedule(static)
                for (int64_t k = 0; k < plan.chunks; ++k) f(k, t);
            }
        }
    } else {
        for (int64_t k = 0; k < plan.chunks; ++k) f(k, 0);
    }
}

// Gc (O, nb·L) = [G_{n0} … G_{n0+nb−1}] side by side, from G (N, O, L).
template <typename T>
void gather_chunk(const T* G, int64_t n0, int64_t nb, int64_t O, int64_t L, T* Gc) {
    for (int64_t i = 0; i < nb; ++i)
        for (int64_t o = 0; o < O; ++o)
            std::copy_n(G + ((n0 + i) * O + o) * L, L, Gc + o * nb * L + i * L);
}

// What conv_apply adds to W X_n: a bias b (O), per-(image, channel) constants rs (N, O), a
// residual rf (N, O, L); each absent when null.
template <typename T>
struct Addends {
    const T* b = nullptr;
    const T* rs = nullptr;
    const T* rf = nullptr;
    bool any() const { return b || rs || rf; }
    T constant(int64_t n, int64_t o, int64_t O) const {  // b[o] + rs[n, o]
        return (b ? b[o] : T(0)) + (rs ? rs[n * O + o] : T(0));
    }
};

// y (N, O, L) = W (O, P) · X_n + the addends; x (N, C, H, W). With `keep` (N·P·L elements) the
// patches are written there, chunk k's (P, nb·L) matrix at keep + n0·P·L, for conv_backward to
// reuse; returns the images per chunk, which the reuse must match.
template <typename T>
int64_t conv_apply(const Geometry& g, int64_t N, int64_t O, const T* x, const T* W, Addends<T> add,
                   T* y, T* keep = nullptr) {
    const int64_t P = g.patch(), L = g.L(), image = g.C * g.H * g.W;
    const Plan plan = make_plan<T>(g, N, O);
    const int64_t xs = g.pointwise() ? 0 : P * plan.B * L, ys = plan.B > 1 ? O * plan.B * L : 0;
    run_chunks(plan, true, [&](int64_t k, int) {
        const int64_t n0 = k * plan.B, nb = std::min(plan.B, N - n0), cols = nb * L;
        T* scratch = thread_scratch<T>(xs + ys);
        T* X = g.pointwise() ? const_cast<T*>(x + n0 * image) : keep ? keep + n0 * P * L : scratch;
        if (!g.pointwise())
            for (int64_t i = 0; i < nb; ++i) im2col(g, x + (n0 + i) * image, X + i * L, cols);
        if (nb == 1) {  // straight into y_n, the addends put there first
            T* yn = y + n0 * O * L;
            for (int64_t o = 0; add.any() && o < O; ++o) {
                T* row = yn + o * L;
                const T c = add.constant(n0, o, O);
                if (add.rf) {
                    const T* r = add.rf + (n0 * O + o) * L;
#pragma omp simd
                    for (int64_t l = 0; l < L; ++l) row[l] = r[l] + c;
                } else {
                    std::fill_n(row, L, c);
                }
            }
            blas::gemm(false, false, O, L, P, T(1), W, P, X, L, add.any() ? T(1) : T(0), yn, L);
            return;
        }
        T* Yc = scratch + xs;  // (O, cols), then scattered to the images with the addends
        blas::gemm(false, false, O, cols, P, T(1), W, P, X, cols, T(0), Yc, cols);
        for (int64_t i = 0; i < nb; ++i)
            for (int64_t o = 0; o < O; ++o) {
                const T* in = Yc + o * cols + i * L;
                T* out = y + ((n0 + i) * O + o) * L;
                const T c = add.constant(n0 + i, o, O);
                if (add.rf) {
                    const T* r = add.rf + ((n0 + i) * O + o) * L;
#pragma omp simd
                    for (int64_t l = 0; l < L; ++l) out[l] = in[l] + (r[l] + c);
                } else {
#pragma omp simd
                    for (int64_t l = 0; l < L; ++l) out[l] = in[l] + c;
                }
            }
    });
    return plan.B;
}

// Σ_l row[l] for l < n: kLanes partial sums in T (lane k adds the terms l ≡ k mod kLanes) added
// in double in lane order, a fixed order whatever the vector width.
constexpr int64_t kLanes = 16;

template <typename T>
double row_sum(const T* row, int64_t n) {
    T acc[kLanes] = {};
    int64_t l = 0;
    for (; l + kLanes <= n; l += kLanes)
        for (int64_t k = 0; k < kLanes; ++k) acc[k] += row[l + k];
    for (int64_t k = 0; l + k < n; ++k) acc[k] += row[l + k];
    double s = 0;
    for (int64_t k = 0; k < kLanes; ++k) s += acc[k];
    return s;
}

// The backward of y = conv(x) for G = ∂L/∂y (N, O, L), in one pass over chunks of images that
// gathers each chunk of G once: when gx is given, gx_n = col2im(Wᵀ (P, O) · G_n) (x (N, C, H, W)
// shape); when dW is given, dW (O, P) = Σ_n G_n · X_nᵀ with X_n the patches of x, read from
// `kept` (as conv_apply wrote them, in chunks of kept_B images) when given; when db is given,
// db[o] = Σ_{n,l} G[n, o, l], and when drs is given drs[n, o] = Σ_l G[n, o, l], each row summed
// in double and the rows added in image order.
template <typename T>
void conv_backward(const Geometry& g, int64_t N, int64_t O, const T* x, const T* W, const T* G,
                   T* gx, T* dW, T* db = nullptr, T* drs = nullptr, const T* kept = nullptr,
                   int64_t kept_B = 0) {
    const int64_t P = g.patch(), L = g.L(), image = g.C * g.H * g.W;
    Plan plan = make_plan<T>(g, N, O);
    if (kept) plan.B = kept_B, plan.chunks = (N + kept_B - 1) / kept_B;
    const int64_t xs = g.pointwise() ? 0 : P * plan.B * L, gs = plan.B > 1 ? O * plan.B * L : 0;
    // ∂W = Σ_k ∂W_k over chunks k, in `groups` fixed runs of consecutive chunks: one thread
    // takes a whole run and adds its terms in chunk order into the run's own partial sum (run 0
    // into dW), and the partials are added in run order, so that the sum does not depend on
    // which thread took which run. Without ∂W, one chunk a unit.
    // NOTE: with few output channels the runs accumulate ∂Wᵀ (P, O) = Σ X_n G_nᵀ, transposed at
    // the end: OpenBLAS ran that shape 10 % faster than (O, P) for O = 32 (1 thread, P = 288 and
    // 864, K = 784), and alike for O = 64.
    const bool transposed = dW && O <= kTransposedDW && plan.chunks > 0;
    const int64_t groups = dW ? std::min(plan.chunks, kGroups) : plan.chunks;
    const int64_t buffers = !dW ? 0 : transposed ? groups : std::max<int64_t>(groups - 1, 0);
    Tensor partial = Tensor::zeros({buffers * O * P}, dtype_of<T>());
    if (dW && !transposed) std::fill(dW, dW + O * P, T(0));
    std::vector<double> row_sums(db || drs ? N * O : 0);  // (N, O)
    auto chunk = [&](int64_t k, T* acc) {
        const int64_t n0 = k * plan.B, nb = std::min(plan.B, N - n0), cols = nb * L;
        T* X = thread_scratch<T>(xs + gs);
        const T* Gc = G + n0 * O * L;  // (O, cols)
        if (nb > 1) {
            gather_chunk(G, n0, nb, O, L, X + xs);
            Gc = X + xs;
        }
        if (db || drs)
            for (int64_t i = 0; i < nb; ++i)
                for (int64_t o = 0; o < O; ++o)
                    row_sums[(n0 + i) * O + o] = row_sum(Gc + o * cols + i * L, L);
        if (gx) {
            if (g.pointwise()) {
                blas::gemm(true, false, P, L, O, T(1), W, P, Gc, L, T(0), gx + n0 * image, L);
            } else {
                blas::gemm(true, false, P, cols, O, T(1), W, P, Gc, cols, T(0), X, cols);
                for (int64_t i = 0; i < nb; ++i) col2im(g, X + i * L, cols, gx + (n0 + i) * image);
            }
        }
        if (dW) {
            const T* Xc = x + n0 * image;
            if (kept) {
                Xc = kept + n0 * P * L;
            } else if (!g.pointwise()) {
                for (int64_t i = 0; i < nb; ++i) im2col(g, x + (n0 + i) * image, X + i * L, cols);
                Xc = X;
            }
            if (transposed)
                blas::gemm(false, true, P, O, cols, T(1), Xc, cols, Gc, cols, T(1), acc, O);
            else
                blas::gemm(false, true, O, P, cols, T(1), Gc, cols, Xc, cols, T(1), acc, P);
        }
    };
    Plan runs = plan;
    runs.chunks = groups;
    run_chunks(runs, true, [&](int64_t q, int) {
        T* acc = !dW || (q == 0 && !transposed) ? dW
                 : transposed                   ? partial.data<T>() + q * O * P
                                                : partial.data<T>() + (q - 1) * O * P;
        for (int64_t k = q * plan.chunks / groups; k < (q + 1) * plan.chunks / groups; ++k)
            chunk(k, acc);
    });
    T* pp = partial.data<T>();
    T* sum = transposed ? pp : dW;  // run 0's sum, to which the others are added in order
    for (int64_t q = 1; dW && q < groups; ++q) {
        const T* part = pp + (transposed ? q : q - 1) * O * P;
#pragma omp simd
        for (int64_t k = 0; k < O * P; ++k) sum[k] += part[k];
    }
    if (transposed)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t k = 0; k < P; ++k) dW[o * P + k] = sum[k * O + o];
    for (int64_t o = 0; db && o < O; ++o) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) s += row_sums[n * O + o];
        db[o] = static_cast<T>(s);
    }
    for (int64_t k = 0; drs && k < N * O; ++k) drs[k] = static_cast<T>(row_sums[k]);
}

// db[o] = Σ_{n,l} G[n, o, l] for G (N, O, L), summed in double.
template <typename T>
void channel_sums(int64_t N, int64_t O, int64_t L, const T* G, T* db) {
#pragma omp parallel for schedule(static) if (O > 1 && detail::use_threads(N * O * L))
    for (int64_t o = 0; o < O; ++o) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) {
            const T* row = G + (n * O + o) * L;
            T r = 0;
#pragma omp simd reduction(+ : r)
            for (int64_t l = 0; l < L; ++l) r += row[l];
            s += r;
        }
        db[o] = static_cast<T>(s);
    }
}

void check_conv_inputs(const char* op, const Tensor& x, const Tensor& W, const Tensor& b,
                       int64_t channels_in, int64_t channels_out, int64_t stride, int64_t padding) {
    check(x.dim() == 4, op, ": input must be (N, C, H, W), got ", x.shape());
    check(x.size(2) > 0 && x.size(3) > 0, op, ": empty image in input of shape ", x.shape());
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

std::atomic<int64_t> patch_limit{0};  // off: see set_conv2d_patch_limit

}  // namespace

int64_t set_conv2d_patch_limit(int64_t bytes) {
    check(bytes >= 0, "set_conv2d_patch_limit: the limit must be non-negative, got ", bytes);
    return patch_limit.exchange(bytes);
}

namespace {

// conv2d (r undefined) and conv2d_add: y = conv2d(x, W, b) + r, r (N, O, Ho, Wo) or (N, O, 1, 1).
Tensor conv2d_impl(const char* op, const Tensor& x_in, const Tensor& W_in, const Tensor& b,
                   const Tensor& r_in, Conv2dFuncOptions opt) {
    check_conv_inputs(op, x_in, W_in, b, W_in.dim() == 4 ? W_in.size(1) : -1,
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
    check(g.Ho >= 1 && g.Wo >= 1, op, ": kernel ", g.kh, "x", g.kw, " larger than the input ", g.H,
          "x", g.W, " with padding ", g.pad);
    // The addend r: per pixel (a residual) or per (image, channel).
    const bool per_pixel = r_in.defined() && r_in.shape() == Shape{N, O, g.Ho, g.Wo};
    if (r_in.defined()) {
        check(per_pixel || r_in.shape() == Shape{N, O, 1, 1}, op, ": addend of shape ",
              r_in.shape(), " for output (", N, ", ", O, ", ", g.Ho, ", ", g.Wo,
              "); expected that shape or (", N, ", ", O, ", 1, 1)");
        detail::check_same_dtype(r_in, W_in, op);
    }
    const Tensor x = x_in.contiguous(), W = W_in.contiguous();
    const Tensor bc = b.defined() ? b.contiguous() : b;
    const Tensor r = r_in.defined() ? r_in.contiguous() : r_in;
    Tensor y = Tensor::empty({N, O, g.Ho, g.Wo}, x.dtype());
    const bool grad = any_needs_grad({&x_in, &W_in, &b, &r_in});
    // NOTE: the patches X_n are kept for ∂W = Σ_n G_n X_nᵀ when they fit the limit, instead of
    // being recomputed by the backward; the same GEMMs on the same values, so the same result.
    const int64_t patch_bytes = N * g.patch() * g.L() * static_cast<int64_t>(itemsize(x.dtype()));
    const Tensor patches = grad && needs_grad(W_in) && !g.pointwise() &&
                                   patch_bytes <= patch_limit.load(std::memory_order_relaxed)
                               ? Tensor::empty({N * g.patch() * g.L()}, x.dtype())
                               : Tensor();
    int64_t chunk = 0;  // images per chunk of the kept patches
    dispatch(x.dtype(), [&]<typename T>() {
        Addends<T> add{.b = bc.defined() ? bc.data<T>() : nullptr};
        if (r.defined()) (per_pixel ? add.rf : add.rs) = r.data<T>();
        chunk = conv_apply<T>(g, N, O, x.data<T>(), W.data<T>(), add, y.data<T>(),
                              patches.defined() ? patches.data<T>() : nullptr);
    });
    if (!grad) return y;
    return autograd::record(
        y, {x_in, W_in, b, r_in},
        [x, W, g, N, O, patches, chunk, per_pixel,
         r_shape = r_in.defined() ? r_in.shape() : Shape{}, nx = needs_grad(x_in),
         nw = needs_grad(W_in), nb = needs_grad(b),
         nr = needs_grad(r_in)](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();  // (N, O, Ho, Wo)
            Tensor gx, gW, gb, gr;
            if (nr && per_pixel) gr = g_in;  // ∂r = ∂y
            dispatch(G.dtype(), [&]<typename T>() {
                if (nx) gx = Tensor::empty(x.shape(), G.dtype());
                if (nw) gW = Tensor::empty(W.shape(), G.dtype());
                if (nb) gb = Tensor::empty({O}, G.dtype());
                if (nr && !per_pixel) gr = Tensor::empty(r_shape, G.dtype());
                if (!nx && !nw && !nb && !(nr && !per_pixel)) return;
                conv_backward<T>(g, N, O, x.data<T>(), W.data<T>(), G.data<T>(),
                                 nx ? gx.data<T>() : nullptr, nw ? gW.data<T>() : nullptr,
                                 nb ? gb.data<T>() : nullptr,
                                 nr && !per_pixel ? gr.data<T>() : nullptr,
                                 patches.defined() ? patches.data<T>() : nullptr, chunk);
            });
            return {gx, gW, gb, gr};
        },
        op);
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& W, const Tensor& b, Conv2dFuncOptions opt) {
    return conv2d_impl("conv2d", x, W, b, Tensor(), opt);
}

Tensor conv2d_add(const Tensor& x, const Tensor& W, const Tensor& b, const Tensor& r,
                  Conv2dFuncOptions opt) {
    check(r.defined(), "conv2d_add: the addend r is undefined");
    return conv2d_impl("conv2d_add", x, W, b, r, opt);
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
        conv_backward<T>(g, N, Cin, nullptr, W.data<T>(), x.data<T>(), y.data<T>(), nullptr);
        if (b.defined()) {
            const Tensor bc = b.contiguous();
            const T* pb = bc.data<T>();
            T* py = y.data<T>();
            const int64_t plane = Ho * Wo;
#pragma omp parallel for schedule(static) if (N > 1 && detail::use_threads(y.numel()))
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
                    conv_apply<T>(g, N, Cin, G.data<T>(), W.data<T>(), {}, gx.data<T>());
                }
                if (nw) {  // ∂W (Cin, Cout·kh·kw) = Σ_n x_n (Cin, H·W) · im2col(G_n)ᵀ
                    gW = Tensor::empty(W.shape(), G.dtype());
                    conv_backward<T>(g, N, Cin, G.data<T>(), nullptr, x.data<T>(), nullptr,
                                     gW.data<T>());
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
