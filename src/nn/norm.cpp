// batch_norm, group_norm and dropout with their backward (equations in gibbs/nn/norm.hpp).
// Statistics accumulate in double; a set S of a normalization is a list of contiguous runs
// (batch norm: channel c of each sample, group norm: one sample's group), walked by the same
// helpers below.
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/nn/norm.hpp"
#include "nn/image_common.hpp"
#include "tensor/elementwise.hpp"
#include "tensor/vmath.hpp"

namespace gibbs::nn {

using autograd::Grads;
using autograd::needs_grad;

namespace {

// x viewed as (N, C, S): S the product of the dimensions after the channel.
struct NCS {
    int64_t N, C, S;
};

NCS ncs_of(const Tensor& x) {
    return {x.size(0), x.size(1), x.dim() > 2 ? x.numel() / (x.size(0) * x.size(1)) : 1};
}

void check_channel_vector(const char* op, const char* what, const Tensor& t, const Tensor& x) {
    if (!t.defined()) return;
    check(t.dim() == 1 && t.size(0) == x.size(1), op, ": ", what, " of shape ", t.shape(),
          " for input of shape ", x.shape(), " (", x.size(1), " channels)");
    detail::check_same_dtype(t, x, op);
}

template <typename F>
void parallel_for(int64_t n, int64_t work, F f) {
    if (n > 1 && detail::use_threads(work)) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i) f(i);
    } else {
        for (int64_t i = 0; i < n; ++i) f(i);
    }
}

// Σ_i term(i) over i < n in double, as kLanes interleaved partial sums (lane k adds the terms
// i ≡ k mod kLanes) added in lane order at the end: a fixed order, whatever the vector width,
// which the compiler turns into vector adds. (An `omp simd` reduction was left scalar by GCC 12
// in the clones of these helpers, one dependent add per element.)
constexpr int64_t kLanes = 16;

template <typename F>
void lane_sums(int64_t n, F term, double* s0, double* s1) {
    double a[kLanes] = {}, b[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int64_t k = 0; k < kLanes; ++k) {
            const auto [u, v] = term(i + k);
            a[k] += u;
            b[k] += v;
        }
    for (int64_t k = 0; i + k < n; ++k) {
        const auto [u, v] = term(i + k);
        a[k] += u;
        b[k] += v;
    }
    for (int64_t k = 0; k < kLanes; ++k) *s0 += a[k], *s1 += b[k];
}

// Mean and 1/√(σ² + ε) over the runs x[r·stride, r·stride + len) for r < count (two passes).
template <typename T>
void moments(const T* x, int64_t count, int64_t stride, int64_t len, double eps, double* mean,
             double* inv, double* var = nullptr) {
    double s = 0, unused = 0;
    for (int64_t r = 0; r < count; ++r) {
        const T* p = x + r * stride;
        lane_sums(
            len,
            [p](int64_t i) {
                return std::pair{double(p[i]), 0.0};
            },
            &s, &unused);
    }
    const double M = static_cast<double>(count * len), mu = s / M;
    double q = 0;
    for (int64_t r = 0; r < count; ++r) {
        const T* p = x + r * stride;
        lane_sums(
            len,
            [p, mu](int64_t i) {
                return std::pair{(p[i] - mu) * (p[i] - mu), 0.0};
            },
            &q, &unused);
    }
    *mean = mu;
    *inv = 1.0 / std::sqrt(q / M + eps);
    if (var) *var = q / M;
}

// The sums Σ g and Σ g x̂ over runs, x̂ = (x − mean)·inv.
template <typename T>
void grad_sums(const T* x, const T* g, int64_t count, int64_t stride, int64_t len, double mean,
               double inv, double* sg, double* sgx) {
    double a = 0, b = 0;
    for (int64_t r = 0; r < count; ++r) {
        const T *px = x + r * stride, *pg = g + r * stride;
        lane_sums(
            len,
            [px, pg, mean](int64_t i) {
                return std::pair{double(pg[i]), double(pg[i]) * (px[i] - mean)};
            },
            &a, &b);
    }
    *sg = a;
    *sgx = b * inv;
}

// The checks shared by group_norm and group_norm_silu; `op` names the function in the messages.
void check_group_norm_args(const char* op, const Tensor& x, int64_t groups, const Tensor& gamma,
                           const Tensor& beta, double eps) {
    check(x.dim() >= 2, op, ": input must be (N, C, ...), got ", x.shape());
    check(groups >= 1 && x.size(1) % groups == 0, op, ": ", x.size(1),
          " channels cannot be split into ", groups, " groups");
    check_channel_vector(op, "weight", gamma, x);
    check_channel_vector(op, "bias", beta, x);
    check(eps > 0, op, ": eps must be positive, got ", eps);
}

// GroupNorm's parameter gradients from per-(image, channel) sums sg = Σ g, sgx = Σ g x̂ (N, C):
// ∂γ_c = Σ_n sgx[n, c], ∂β_c = Σ_n sg[n, c], added in double; undefined where not wanted.
std::pair<Tensor, Tensor> affine_grads(const std::vector<double>& sg,
                                       const std::vector<double>& sgx, int64_t N, int64_t C,
                                       bool want_gamma, bool want_beta, DType dtype) {
    if (!want_gamma && !want_beta) return {};
    std::vector<double> a(C, 0.0), b(C, 0.0);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c) {
            a[c] += sg[n * C + c];
            b[c] += sgx[n * C + c];
        }
    return {want_gamma ? Tensor::from(b, {C}, dtype) : Tensor(),
            want_beta ? Tensor::from(a, {C}, dtype) : Tensor()};
}

}  // namespace

Tensor batch_norm(const Tensor& x_in, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& gamma, const Tensor& beta, BatchNormFuncOptions opt) {
    check(x_in.dim() >= 2, "batch_norm: input must be (N, C, ...), got ", x_in.shape());
    check_channel_vector("batch_norm", "weight", gamma, x_in);
    check_channel_vector("batch_norm", "bias", beta, x_in);
    check_channel_vector("batch_norm", "running_mean", running_mean, x_in);
    check_channel_vector("batch_norm", "running_var", running_var, x_in);
    check(running_mean.defined() == running_var.defined(),
          "batch_norm: running_mean and running_var must be given together");
    check(opt.training || running_mean.defined(),
          "batch_norm: evaluation mode needs running_mean and running_var");
    check(opt.eps > 0, "batch_norm: eps must be positive, got ", opt.eps);
    const NCS d = ncs_of(x_in);
    const int64_t M = d.N * d.S;
    check(!opt.training || M > 1, "batch_norm: training needs more than one value per channel, ",
          "got input of shape ", x_in.shape());
    const Tensor x = x_in.contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    // Per channel: the mean and 1/√(σ² + ε) used, kept for the backward.
    auto stats = std::make_shared<std::vector<double>>(2 * d.C);
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        T* py = y.data<T>();
        const Tensor gc = gamma.defined() ? gamma.contiguous() : gamma;
        const Tensor bc = beta.defined() ? beta.contiguous() : beta;
        const T* pgam = gc.defined() ? gc.data<T>() : nullptr;
        const T* pbet = bc.defined() ? bc.data<T>() : nullptr;
        std::vector<double> var(d.C), rm, rv;
        if (!opt.training) rm = running_mean.to_vector(), rv = running_var.to_vector();
        parallel_for(d.C, x.numel(), [&](int64_t c) {
            double& mean = (*stats)[2 * c];
            double& inv = (*stats)[2 * c + 1];
            if (opt.training) {
                moments(px + c * d.S, d.N, d.C * d.S, d.S, opt.eps, &mean, &inv, &var[c]);
            } else {
                mean = rm[c];
                inv = 1.0 / std::sqrt(rv[c] + opt.eps);
            }
            const double scale = inv * (pgam ? pgam[c] : 1.0);
            const double shift = (pbet ? pbet[c] : 0.0) - mean * scale;
            const T sc = static_cast<T>(scale), sh = static_cast<T>(shift);
            for (int64_t n = 0; n < d.N; ++n) {
                const T* in = px + (n * d.C + c) * d.S;
                T* out = py + (n * d.C + c) * d.S;
                for (int64_t i = 0; i < d.S; ++i) out[i] = in[i] * sc + sh;
            }
        });
        if (opt.training && running_mean.defined()) {
            Tensor rmean = running_mean, rvar = running_var;  // handles: written in place
            const double m = opt.momentum, unbiased = static_cast<double>(M) / (M - 1);
            for (int64_t c = 0; c < d.C; ++c) {
                rmean.set({c}, (1 - m) * rmean.at({c}) + m * (*stats)[2 * c]);
                rvar.set({c}, (1 - m) * rvar.at({c}) + m * var[c] * unbiased);
            }
        }
    });
    if (!any_needs_grad({&x_in, &gamma, &beta})) return y;
    return autograd::record(
        y, {x_in, gamma, beta},
        [x, gamma, stats, d, training = opt.training, nx = needs_grad(x_in), ng = needs_grad(gamma),
         nb = needs_grad(beta)](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();
            Tensor gx = nx ? Tensor::empty(x.shape(), G.dtype()) : Tensor();
            Tensor ggam = ng ? Tensor::empty({d.C}, G.dtype()) : Tensor();
            Tensor gbet = nb ? Tensor::empty({d.C}, G.dtype()) : Tensor();
            dispatch(G.dtype(), [&]<typename T>() {
                const T *px = x.data<T>(), *pg = G.data<T>();
                const Tensor gc = gamma.defined() ? gamma.contiguous() : gamma;
                parallel_for(d.C, x.numel(), [&](int64_t c) {
                    const double mean = (*stats)[2 * c], inv = (*stats)[2 * c + 1];
                    double sg, sgx;
                    grad_sums(px + c * d.S, pg + c * d.S, d.N, d.C * d.S, d.S, mean, inv, &sg,
                              &sgx);
                    if (ng) ggam.data<T>()[c] = static_cast<T>(sgx);
                    if (nb) gbet.data<T>()[c] = static_cast<T>(sg);
                    if (!nx) return;
                    const double gam = gc.defined() ? gc.data<T>()[c] : 1.0;
                    // training: ∂x = γ inv (g − Σg/M − x̂ Σgx̂/M); evaluation: ∂x = γ inv g
                    const double M = static_cast<double>(d.N * d.S);
                    const double a = training ? sg / M : 0.0, b = training ? sgx / M : 0.0;
                    const T k = static_cast<T>(gam * inv);
                    const T ka = static_cast<T>(gam * inv * (-a + b * mean * inv));
                    const T kb = static_cast<T>(-gam * inv * b * inv);
                    for (int64_t n = 0; n < d.N; ++n) {
                        const int64_t o = (n * d.C + c) * d.S;
                        T* out = gx.data<T>() + o;
                        for (int64_t i = 0; i < d.S; ++i)
                            out[i] = k * pg[o + i] + ka + kb * px[o + i];
                    }
                });
            });
            return {gx, ggam, gbet};
        },
        "batch_norm");
}

Tensor group_norm(const Tensor& x_in, int64_t groups, const Tensor& gamma, const Tensor& beta,
                  double eps) {
    check_group_norm_args("group_norm", x_in, groups, gamma, beta, eps);
    const NCS d = ncs_of(x_in);
    const int64_t cg = d.C / groups, len = cg * d.S;  // channels and elements per group
    const Tensor x = x_in.contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    auto stats = std::make_shared<std::vector<double>>(2 * d.N * groups);  // mean, inv per (n,g)
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        T* py = y.data<T>();
        const Tensor gc = gamma.defined() ? gamma.contiguous() : gamma;
        const Tensor bc = beta.defined() ? beta.contiguous() : beta;
        const T* pgam = gc.defined() ? gc.data<T>() : nullptr;
        const T* pbet = bc.defined() ? bc.data<T>() : nullptr;
        parallel_for(d.N * groups, x.numel(), [&](int64_t ng) {
            double& mean = (*stats)[2 * ng];
            double& inv = (*stats)[2 * ng + 1];
            moments(px + ng * len, 1, len, len, eps, &mean, &inv);
            for (int64_t cc = 0; cc < cg; ++cc) {
                const int64_t c = (ng % groups) * cg + cc;
                const double scale = inv * (pgam ? pgam[c] : 1.0);
                const T sc = static_cast<T>(scale);
                const T sh = static_cast<T>((pbet ? pbet[c] : 0.0) - mean * scale);
                const T* in = px + ng * len + cc * d.S;
                T* out = py + ng * len + cc * d.S;
                for (int64_t i = 0; i < d.S; ++i) out[i] = in[i] * sc + sh;
            }
        });
    });
    if (!any_needs_grad({&x_in, &gamma, &beta})) return y;
    return autograd::record(
        y, {x_in, gamma, beta},
        [x, gamma, stats, d, groups, cg, len, nx = needs_grad(x_in), ng_ = needs_grad(gamma),
         nb = needs_grad(beta)](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();
            Tensor gx = nx ? Tensor::empty(x.shape(), G.dtype()) : Tensor();
            // Per (n, c): Σ_s g and Σ_s g x̂, summed over n afterwards for ∂γ and ∂β.
            std::vector<double> sg(d.N * d.C), sgx(d.N * d.C);
            dispatch(G.dtype(), [&]<typename T>() {
                const T *px = x.data<T>(), *pg = G.data<T>();
                const Tensor gc = gamma.defined() ? gamma.contiguous() : gamma;
                const T* pgam = gc.defined() ? gc.data<T>() : nullptr;
                parallel_for(d.N * groups, x.numel(), [&](int64_t ng) {
                    const double mean = (*stats)[2 * ng], inv = (*stats)[2 * ng + 1];
                    const int64_t c0 = (ng % groups) * cg, n = ng / groups;
                    // A = Σ γ g, B = Σ γ g x̂ over the group (γ varies with the channel)
                    double A = 0, B = 0;
                    for (int64_t cc = 0; cc < cg; ++cc) {
                        const int64_t o = ng * len + cc * d.S, c = c0 + cc;
                        double& a = sg[n * d.C + c];
                        double& b = sgx[n * d.C + c];
                        grad_sums(px + o, pg + o, 1, d.S, d.S, mean, inv, &a, &b);
                        const double gam = pgam ? pgam[c] : 1.0;
                        A += gam * a;
                        B += gam * b;
                    }
                    if (!nx) return;
                    const double M = static_cast<double>(len);
                    for (int64_t cc = 0; cc < cg; ++cc) {
                        const int64_t o = ng * len + cc * d.S;
                        const double gam = pgam ? pgam[c0 + cc] : 1.0;
                        // ∂x = inv (γ g − A/M − x̂ B/M), x̂ = (x − mean) inv
                        const T k = static_cast<T>(gam * inv);
                        const T k0 = static_cast<T>(inv * (-A / M + B / M * mean * inv));
                        const T k1 = static_cast<T>(-inv * B / M * inv);
                        T* out = gx.data<T>() + o;
                        for (int64_t i = 0; i < d.S; ++i)
                            out[i] = k * pg[o + i] + k0 + k1 * px[o + i];
                    }
                });
            });
            auto [ggam, gbet] = affine_grads(sg, sgx, d.N, d.C, ng_, nb, G.dtype());
            return {gx, ggam, gbet};
        },
        "group_norm");
}

Tensor group_norm_silu(const Tensor& x_in, int64_t groups, const Tensor& gamma, const Tensor& beta,
                       double eps) {
    check_group_norm_args("group_norm_silu", x_in, groups, gamma, beta, eps);
    const NCS d = ncs_of(x_in);
    const int64_t cg = d.C / groups, len = cg * d.S;  // channels and elements per group
    const Tensor x = x_in.contiguous();
    const Tensor gc = gamma.defined() ? gamma.contiguous() : gamma;
    const Tensor bc = beta.defined() ? beta.contiguous() : beta;
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    auto stats = std::make_shared<std::vector<double>>(2 * d.N * groups);  // mean, inv per (n,g)
    // z = x sc_c + sh_c on channel c of group (n, g): the affine map of group_norm.
    const auto affine = [gc, bc, stats, groups, cg]<typename T>(int64_t ng, int64_t cc, T* sc,
                                                                T* sh) {
        const int64_t c = (ng % groups) * cg + cc;
        const double mean = (*stats)[2 * ng], inv = (*stats)[2 * ng + 1];
        const double scale = inv * (gc.defined() ? static_cast<double>(gc.data<T>()[c]) : 1.0);
        *sc = static_cast<T>(scale);
        *sh = static_cast<T>((bc.defined() ? static_cast<double>(bc.data<T>()[c]) : 0.0) -
                             mean * scale);
    };
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        T* py = y.data<T>();
        parallel_for(d.N * groups, x.numel(), [&](int64_t ng) {
            moments(px + ng * len, 1, len, len, eps, &(*stats)[2 * ng], &(*stats)[2 * ng + 1]);
            for (int64_t cc = 0; cc < cg; ++cc) {
                T sc, sh;
                affine(ng, cc, &sc, &sh);
                const T* in = px + ng * len + cc * d.S;
                T* out = py + ng * len + cc * d.S;
#pragma omp simd
                for (int64_t i = 0; i < d.S; ++i) {
                    const T z = in[i] * sc + sh;
                    out[i] = z * vm::sigmoid(z);
                }
            }
        });
    });
    if (!any_needs_grad({&x_in, &gamma, &beta})) return y;
    return autograd::record(
        y, {x_in, gamma, beta},
        [x, gc, stats, d, groups, cg, len, affine, nx = needs_grad(x_in), ng_ = needs_grad(gamma),
         nb = needs_grad(beta)](const Tensor& g_in) -> Grads {
            const Tensor G = g_in.contiguous();
            Tensor gx = nx ? Tensor::empty(x.shape(), G.dtype()) : Tensor();
            // Per (n, c): Σ_s ∂z and Σ_s ∂z x̂, summed over n afterwards for ∂γ and ∂β.
            std::vector<double> sg(d.N * d.C), sgx(d.N * d.C);
            dispatch(G.dtype(), [&]<typename T>() {
                const T *px = x.data<T>(), *pg = G.data<T>();
                const T* pgam = gc.defined() ? gc.data<T>() : nullptr;
                parallel_for(d.N * groups, x.numel(), [&](int64_t ng) {
                    // ∂z of the group, in a buffer of the thread's that stays in cache.
                    thread_local std::vector<T> buffer;
                    if (static_cast<int64_t>(buffer.size()) < len) buffer.resize(len);
                    T* gz = buffer.data();
                    const int64_t o0 = ng * len;
                    const double mean = (*stats)[2 * ng], inv = (*stats)[2 * ng + 1];
                    const int64_t c0 = (ng % groups) * cg, n = ng / groups;
                    // A = Σ γ ∂z, B = Σ γ ∂z x̂ over the group (γ varies with the channel), from
                    // the per-channel sums Σ ∂z and Σ ∂z x̂ taken in the pass that forms ∂z.
                    double A = 0, B = 0;
                    for (int64_t cc = 0; cc < cg; ++cc) {
                        T sc, sh;
                        affine(ng, cc, &sc, &sh);
                        const T *in = px + o0 + cc * d.S, *gi = pg + o0 + cc * d.S;
                        T* out = gz + cc * d.S;
                        double a = 0, b = 0;
                        lane_sums(
                            d.S,
                            [=](int64_t i) {
                                const T z = in[i] * sc + sh, s = vm::sigmoid(z);
                                const T v = gi[i] * (s * (1 + z * (1 - s)));
                                out[i] = v;
                                return std::pair{double(v), double(v) * (in[i] - mean)};
                            },
                            &a, &b);
                        b *= inv;
                        const int64_t c = c0 + cc;
                        sg[n * d.C + c] = a;
                        sgx[n * d.C + c] = b;
                        const double gam = pgam ? pgam[c] : 1.0;
                        A += gam * a;
                        B += gam * b;
                    }
                    if (!nx) return;
                    const double M = static_cast<double>(len);
                    for (int64_t cc = 0; cc < cg; ++cc) {
                        const int64_t o = o0 + cc * d.S;
                        const double gam = pgam ? pgam[c0 + cc] : 1.0;
                        // ∂x = inv (γ ∂z − A/M − x̂ B/M), x̂ = (x − mean) inv
                        const T k = static_cast<T>(gam * inv);
                        const T k0 = static_cast<T>(inv * (-A / M + B / M * mean * inv));
                        const T k1 = static_cast<T>(-inv * B / M * inv);
                        T* out = gx.data<T>() + o;
                        const T* gzc = gz + cc * d.S;
#pragma omp simd
                        for (int64_t i = 0; i < d.S; ++i) out[i] = k * gzc[i] + k0 + k1 * px[o + i];
                    }
                });
            });
            auto [ggam, gbet] = affine_grads(sg, sgx, d.N, d.C, ng_, nb, G.dtype());
            return {gx, ggam, gbet};
        },
        "group_norm_silu");
}

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
    check(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got ", p);
    if (!training || p == 0) return x;
    if (p == 1) return mul_scalar(x, 0.0);
    // mask m_i / (1 − p), drawn in row-major order from `gen`
    Tensor mask = Tensor::empty(x.shape(), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        T* pm = mask.data<T>();
        const T keep = static_cast<T>(1.0 / (1.0 - p));
        for (int64_t i = 0; i < mask.numel(); ++i) pm[i] = gen.uniform() < p ? T(0) : keep;
    });
    return mul(x, mask);
}

}  // namespace gibbs::nn
