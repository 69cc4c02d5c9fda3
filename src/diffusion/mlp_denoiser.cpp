// The MLP ε-predictor (gibbs/diffusion/mlp_denoiser.hpp): the autograd forward, and the
// hand-written forward/backward passes of its fast paths.
//
// Legend: B batch rows, D data dimension, E embedding dimension, H_l hidden widths, L layers.
// Buffers of the fast paths, in work_ (scalar S = the parameters' dtype):
//   h_l (B, H_l) activations after ReLU, l = 1..L;  y (B, D) the output ε̂;
//   g_l (B, H_l) ∂L/∂(pre-activation of layer l);   gy (B, D) ∂L/∂ε̂;
//   e (B, E) the rows' time embeddings;            c (H_1) W_e e(t) + b_1 for a shared t.
#include "gibbs/diffusion/mlp_denoiser.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/tensor/blas.hpp"
#include "gibbs/tensor/error.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs::diffusion {

MlpDenoiser::MlpDenoiser(MlpDenoiserOptions options, Generator& gen)
    : options_(std::move(options)) {
    const int64_t D = options_.dim, E = options_.embedding;
    check(D >= 1, "MlpDenoiser: the data dimension must be >= 1, got ", D);
    check(E >= 2 && E % 2 == 0, "MlpDenoiser: the embedding dimension must be even, got ", E);
    check(!options_.hidden.empty(), "MlpDenoiser: give at least one hidden layer (--hidden)");
    for (int64_t h : options_.hidden)
        check(h >= 1, "MlpDenoiser: hidden widths must be >= 1, got ", h);
    // PyTorch's nn.Linear initialization, U(±1/√fan_in), for weights and biases.
    const auto init = [&](const Shape& shape, int64_t fan_in) {
        const double a = 1.0 / std::sqrt(static_cast<double>(fan_in));
        return uniform(shape, -a, a, gen);
    };
    const std::vector<int64_t>& H = options_.hidden;
    register_parameter("input.weight_x", init({H[0], D}, D + E));
    register_parameter("input.weight_t", init({H[0], E}, D + E));
    register_parameter("input.bias", init({H[0]}, D + E));
    for (size_t l = 1; l < H.size(); ++l) {
        register_parameter("hidden." + std::to_string(l) + ".weight",
                           init({H[l], H[l - 1]}, H[l - 1]));
        register_parameter("hidden." + std::to_string(l) + ".bias", init({H[l]}, H[l - 1]));
    }
    register_parameter("output.weight", init({D, H.back()}, H.back()));
    register_parameter("output.bias", init({D}, H.back()));
}

const double* MlpDenoiser::embedding(int64_t t_max) {
    const int64_t E = options_.embedding;
    if (static_cast<int64_t>(embedding_table_.size()) < (t_max + 1) * E) {
        const Tensor e = sinusoidal_embedding(Tensor::arange(t_max + 1, DType::f64), E);
        embedding_table_.assign(e.data<double>(), e.data<double>() + (t_max + 1) * E);
    }
    return embedding_table_.data();
}

template <typename S>
struct MlpDenoiser::Kernels {
    struct Layer {
        const S* W;  // (out, in)
        const S* b;  // (out)
        int64_t in, out;
    };

    // Layers 2..L and the output layer, and the first layer's W_x, W_e, b_1.
    struct Net {
        int64_t D, E, B;
        const S *Wx, *We, *b1;
        std::vector<Layer> layers;  // layers[0] is the first layer (W = W_x), then 2..L, output
        std::vector<S*> h, g;       // per layer (B, out_l)
        S *e, *c;
        std::vector<S> WxT;  // (D, H_1), W_xᵀ for the written-out first layer when D ≤ kSmall
    };
    static constexpr int64_t kSmall = 4;
    static constexpr int64_t kMaxUnits = 512;  // widths whose small-layer sums stay on the stack

    static Net bind(MlpDenoiser& m, int64_t B) {
        const std::vector<Tensor> p = m.parameters();
        const MlpDenoiserOptions& o = m.options_;
        Net n{.D = o.dim,
              .E = o.embedding,
              .B = B,
              .Wx = p[0].data<S>(),
              .We = p[1].data<S>(),
              .b1 = p[2].data<S>(),
              .layers = {},
              .h = {},
              .g = {},
              .e = nullptr,
              .c = nullptr,
              .WxT = {}};
        n.layers.push_back({p[0].data<S>(), p[2].data<S>(), o.dim, o.hidden[0]});
        size_t i = 3;
        for (size_t l = 1; l < o.hidden.size(); ++l, i += 2)
            n.layers.push_back({p[i].data<S>(), p[i + 1].data<S>(), o.hidden[l - 1], o.hidden[l]});
        n.layers.push_back({p[i].data<S>(), p[i + 1].data<S>(), o.hidden.back(), o.dim});
        int64_t total = B * n.E + o.hidden[0];
        for (const Layer& l : n.layers) total += 2 * B * l.out;
        if (m.work_.size() < total * sizeof(S)) m.work_.assign(total * sizeof(S), 0);
        S* w = reinterpret_cast<S*>(m.work_.data());
        for (const Layer& l : n.layers) n.h.push_back(w), w += B * l.out;
        for (const Layer& l : n.layers) n.g.push_back(w), w += B * l.out;
        n.e = w, w += B * n.E;
        n.c = w;
        if (n.D <= kSmall) {
            const int64_t H1 = o.hidden[0];
            n.WxT.resize(n.D * H1);
            for (int64_t j = 0; j < H1; ++j)
                for (int64_t d = 0; d < n.D; ++d) n.WxT[d * H1 + j] = n.Wx[j * n.D + d];
        }
        return n;
    }

    // Rows [r0, r1) of every layer: h_1 = relu(x W_xᵀ + (e W_eᵀ or c) + b_1) and so on;
    // the last layer's output (no ReLU) is ε̂. With per_row_e the rows' embeddings e are used,
    // else the shared bias c (which already holds b_1).
    static void forward_rows(const Net& n, const S* x, bool per_row_e, int64_t r0, int64_t r1) {
        const int64_t rows = r1 - r0;
        if (rows <= 0) return;
        const S* in = x + r0 * n.D;
        int64_t ld = n.D;
        for (size_t l = 0; l < n.layers.size(); ++l) {
            const Layer& L = n.layers[l];
            S* out = n.h[l] + r0 * L.out;
            const bool last = l + 1 == n.layers.size();
            const S* bias = l == 0 && !per_row_e ? n.c : L.b;
            if (l == 0 && L.in <= kSmall) {
                // NOTE: a GEMM with K = D ≤ 4 spends its time packing; the sums are written out:
                // h = relu(x W_xᵀ + (e W_eᵀ) + bias), vectorized over the H_1 units.
                if (per_row_e)
                    blas::gemm(false, true, rows, L.out, n.E, S(1), n.e + r0 * n.E, n.E, n.We, n.E,
                               S(0), out, L.out);
                for (int64_t r = 0; r < rows; ++r) {
                    S* o = out + r * L.out;
                    const S* xr = in + r * ld;
                    if (!per_row_e) std::fill(o, o + L.out, S(0));
                    for (int64_t d = 0; d < L.in; ++d) {
                        const S xd = xr[d];
                        const S* w = n.WxT.data() + d * L.out;
#pragma omp simd
                        for (int64_t j = 0; j < L.out; ++j) o[j] += xd * w[j];
                    }
#pragma omp simd
                    for (int64_t j = 0; j < L.out; ++j) o[j] = std::max(o[j] + bias[j], S(0));
                }
            } else if (last && L.out <= kSmall) {
                // ε̂_k = b_k + Σ_j h_j W_o[k, j]: D dot products per row.
                for (int64_t r = 0; r < rows; ++r)
                    for (int64_t k = 0; k < L.out; ++k) {
                        const S* h = in + r * ld;
                        const S* w = L.W + k * L.in;
                        S acc = 0;
#pragma omp simd reduction(+ : acc)
                        for (int64_t j = 0; j < L.in; ++j) acc += h[j] * w[j];
                        out[r * L.out + k] = acc + bias[k];
                    }
            } else {
                blas::gemm(false, true, rows, L.out, L.in, S(1), in, ld, L.W, L.in, S(0), out,
                           L.out);
                if (l == 0 && per_row_e)
                    blas::gemm(false, true, rows, L.out, n.E, S(1), n.e + r0 * n.E, n.E, n.We, n.E,
                               S(1), out, L.out);
                for (int64_t r = 0; r < rows; ++r) {
                    S* o = out + r * L.out;
                    if (last) {
#pragma omp simd
                        for (int64_t j = 0; j < L.out; ++j) o[j] += bias[j];
                    } else {
#pragma omp simd
                        for (int64_t j = 0; j < L.out; ++j) o[j] = std::max(o[j] + bias[j], S(0));
                    }
                }
            }
            in = out;
            ld = L.out;
        }
    }

    static void predict(MlpDenoiser& m, const Tensor& x, const Tensor& t, Tensor& out) {
        const int64_t B = x.size(0);
        const std::vector<int64_t> steps = time_steps_any(t);
        const int64_t t_max = *std::max_element(steps.begin(), steps.end());
        const double* table = m.embedding(t_max);
        Net n = bind(m, B);
        const bool shared =
            std::all_of(steps.begin(), steps.end(), [&](int64_t s) { return s == steps[0]; });
        if (shared) {
            // c = W_e e(t) + b_1, once for the batch.
            const int64_t H1 = n.layers[0].out;
            for (int64_t j = 0; j < H1; ++j) {
                double acc = n.b1[j];
                for (int64_t k = 0; k < n.E; ++k)
                    acc += static_cast<double>(n.We[j * n.E + k]) * table[steps[0] * n.E + k];
                n.c[j] = static_cast<S>(acc);
            }
        } else {
            gather_embeddings(n, table, steps, 0, B);
        }
        const S* xp = x.data<S>();
        const int nt = threads_for(B);
#pragma omp parallel num_threads(nt)
        {
            const int tid = omp_get_thread_num(), k = omp_get_num_threads();
            forward_rows(n, xp, !shared, B * tid / k, B * (tid + 1) / k);
        }
        std::copy(n.h.back(), n.h.back() + B * n.D, out.data<S>());
    }

    static double simple_loss_backward(MlpDenoiser& m, const Tensor& x, const Tensor& t,
                                       const Tensor& eps, optim::Optimizer* opt) {
        const int64_t B = x.size(0);
        const std::vector<int64_t> steps = time_steps_any(t);
        const double* table = m.embedding(*std::max_element(steps.begin(), steps.end()));
        Net n = bind(m, B);
        // The gradient buffers: each parameter's grad, reused from the last call when it fits.
        std::vector<Tensor> p = m.parameters();
        std::vector<S*> grad(p.size());
        for (size_t i = 0; i < p.size(); ++i) {
            Tensor g = p[i].grad();
            if (!g.defined() || g.shape() != p[i].shape() || g.dtype() != p[i].dtype() ||
                !g.is_contiguous()) {
                g = Tensor::zeros(p[i].shape(), p[i].dtype());
                p[i].set_grad(g);
            }
            grad[i] = g.data<S>();
        }
        // The optimizer's step by slices, when it holds exactly these parameters in order.
        optim::Optimizer::SliceUpdate update;
        if (opt != nullptr) {
            const std::vector<Tensor>& q = opt->params();
            bool same = q.size() == p.size();
            for (size_t i = 0; same && i < p.size(); ++i)
                same = q[i].dtype() == p[i].dtype() && q[i].numel() == p[i].numel() &&
                       q[i].data<S>() == p[i].data<S>();
            if (same) update = opt->begin_sliced_step();
        }
        const S* xp = x.data<S>();
        const S* ep = eps.data<S>();
        const int64_t D = n.D, nl = static_cast<int64_t>(n.layers.size());
        const S scale = static_cast<S>(2.0 / static_cast<double>(B * D));
        const int nt = threads_for(B);
        std::vector<double> partial(nt, 0.0);
        // NOTE: each thread owns rows [r0, r1) of the batch from the forward to the weight
        // gradients, and sums its rows' share of every ∂L/∂θ into its own buffer P_t (the
        // parameters concatenated in order); then thread t adds the buffers up over its slice
        // detail::thread_slice(total, t) of that concatenation, the same slice Adam updates.
        // Splitting the weight gradients by output unit instead made every thread read the
        // other's activations and write lines the other had cached; with two cores that
        // coherence traffic took a fifth of the step.
        std::vector<int64_t> offset(p.size() + 1, 0);
        for (size_t i = 0; i < p.size(); ++i) offset[i + 1] = offset[i] + p[i].numel();
        const int64_t total = offset.back(), stride = (total + 15) / 16 * 16;
        S* P = nullptr;
        if (nt > 1) {
            const size_t bytes = static_cast<size_t>(nt * stride) * sizeof(S) + 64;
            if (m.partials_.size() < bytes) m.partials_.assign(bytes, 0);
            const auto base = reinterpret_cast<uintptr_t>(m.partials_.data());
            P = reinterpret_cast<S*>((base + 63) / 64 * 64);
        }
#pragma omp parallel num_threads(nt)
        {
            const int tid = omp_get_thread_num(), k = omp_get_num_threads();
            const int64_t r0 = B * tid / k, r1 = B * (tid + 1) / k, rows = r1 - r0;
            gather_embeddings(n, table, steps, r0, r1);
            // Where this thread's share of parameter i's gradient goes.
            const auto share = [&](size_t i) {
                return k == 1 ? grad[i] : P + tid * stride + offset[i];
            };
            forward_rows(n, xp, true, r0, r1);
            // Rows ≥ 1: B ≥ 1, and threads_for gives every thread at least 64 rows.
            // Parameter slots: W_l at wi(l), b_l at wi(l) + 1 (the first layer's W_x, W_e, b_1
            // at 0, 1, 2).
            const auto wi = [](int64_t l) { return l == 0 ? size_t{0} : size_t(3 + 2 * (l - 1)); };
            const auto bi = [&](int64_t l) { return l == 0 ? size_t{2} : wi(l) + 1; };
            // gy = (2/(B·D)) (ε̂ − ε); the loss's partial sum Σ (ε̂ − ε)²; ∂L/∂b_o = Σ_rows gy.
            double sum = 0;
            S* gy = n.g[nl - 1];
            const S* y = n.h[nl - 1];
            S* gbo = share(bi(nl - 1));
            std::fill(gbo, gbo + D, S(0));
            for (int64_t r = r0; r < r1; ++r)
                for (int64_t c = 0; c < D; ++c) {
                    const S d = y[r * D + c] - ep[r * D + c];
                    sum += static_cast<double>(d) * static_cast<double>(d);
                    gy[r * D + c] = scale * d;
                    gbo[c] += scale * d;
                }
            partial[tid] = sum;
            // Back through the layers, row by row: g_{l−1} = (g_l W_l) ⊙ [h_{l−1} > 0], and
            // ∂L/∂b_{l−1} = Σ_rows g_{l−1} on the way (every bias but b_o, summed above).
            for (int64_t l = nl - 1; l >= 1; --l) {
                const Layer& L = n.layers[l];
                S* gin = n.g[l - 1] + r0 * L.in;
                const S* hin = n.h[l - 1] + r0 * L.in;
                const S* gl = n.g[l] + r0 * L.out;
                if (L.out <= kSmall) {
                    // NOTE: the output layer's K = D ≤ 4 GEMM would spend its time packing; the
                    // sums g_{l−1}[r, j] = Σ_k g_l[r, k] W[k, j] are written out, over j.
                    for (int64_t r = 0; r < rows; ++r) {
                        S* o = gin + r * L.in;
                        std::fill(o, o + L.in, S(0));
                        for (int64_t c = 0; c < L.out; ++c) {
                            const S gc = gl[r * L.out + c];
                            const S* w = L.W + c * L.in;
#pragma omp simd
                            for (int64_t j = 0; j < L.in; ++j) o[j] += gc * w[j];
                        }
                    }
                } else {
                    blas::gemm(false, false, rows, L.in, L.out, S(1), gl, L.out, L.W, L.in, S(0),
                               gin, L.in);
                }
                S* gb = share(bi(l - 1));
                std::fill(gb, gb + L.in, S(0));
                for (int64_t r = 0; r < rows; ++r) {
                    S* o = gin + r * L.in;
                    const S* h = hin + r * L.in;
#pragma omp simd
                    for (int64_t j = 0; j < L.in; ++j) {
                        const S v = h[j] > S(0) ? o[j] : S(0);
                        o[j] = v;
                        gb[j] += v;
                    }
                }
            }
            // This thread's rows' share of the weight gradients: ∂L/∂W_l = g_lᵀ h_{l−1} over
            // the rows (h_0 = x, and ∂L/∂W_e = g_1ᵀ e).
            for (int64_t l = 0; l < nl; ++l) {
                const Layer& L = n.layers[l];
                const S* gl = n.g[l] + r0 * L.out;
                const S* in = (l == 0 ? xp : n.h[l - 1]) + r0 * L.in;
                S* gw = share(wi(l));
                if (L.in <= kSmall) {
                    // NOTE: with K = D ≤ 4 columns a GEMM spends its time packing: the D
                    // columns Σ_r g[r, :] x[r, d] are summed over the units, then transposed.
                    S acc[kSmall][kMaxUnits];
                    if (L.out <= kMaxUnits) {
                        for (int64_t d = 0; d < L.in; ++d) std::fill(acc[d], acc[d] + L.out, S(0));
                        for (int64_t r = 0; r < rows; ++r)
                            for (int64_t d = 0; d < L.in; ++d) {
                                const S xd = in[r * L.in + d];
                                const S* g = gl + r * L.out;
#pragma omp simd
                                for (int64_t j = 0; j < L.out; ++j) acc[d][j] += xd * g[j];
                            }
                        for (int64_t j = 0; j < L.out; ++j)
                            for (int64_t d = 0; d < L.in; ++d) gw[j * L.in + d] = acc[d][j];
                    } else {
                        blas::gemm(true, false, L.out, L.in, rows, S(1), gl, L.out, in, L.in, S(0),
                                   gw, L.in);
                    }
                } else if (L.out <= kSmall) {
                    // ∂L/∂W_o[c, :] = Σ_r gy[r, c] h[r, :], over the H_L units.
                    std::fill(gw, gw + L.out * L.in, S(0));
                    for (int64_t r = 0; r < rows; ++r)
                        for (int64_t c = 0; c < L.out; ++c) {
                            const S gc = gl[r * L.out + c];
                            const S* h = in + r * L.in;
                            S* o = gw + c * L.in;
#pragma omp simd
                            for (int64_t j = 0; j < L.in; ++j) o[j] += gc * h[j];
                        }
                } else {
                    blas::gemm(true, false, L.out, L.in, rows, S(1), gl, L.out, in, L.in, S(0), gw,
                               L.in);
                }
                if (l == 0)
                    blas::gemm(true, false, L.out, n.E, rows, S(1), gl, L.out, n.e + r0 * n.E, n.E,
                               S(0), share(1), n.E);
            }
            if (k == 1) {
                if (update) update(0, total);  // the gradients are already the sums
            } else {
#pragma omp barrier
                const auto [k0, k1] = gibbs::detail::thread_slice(total, tid, k);
                for (size_t i = 0; i < p.size(); ++i) {
                    const int64_t b0 = std::max(k0, offset[i]), b1 = std::min(k1, offset[i + 1]);
                    if (b0 >= b1) continue;
                    S* gi = grad[i] + (b0 - offset[i]);
                    const int64_t len = b1 - b0;
                    std::copy(P + b0, P + b1, gi);
                    for (int u = 1; u < k; ++u) {
                        const S* Pu = P + u * stride + b0;
#pragma omp simd
                        for (int64_t j = 0; j < len; ++j) gi[j] += Pu[j];
                    }
                }
                // The slice's gradient is final: its update, while it is in this core's cache.
                if (update) update(k0, k1);
            }
        }
        if (opt != nullptr && !update) opt->step();
        double loss = 0;
        for (double s : partial) loss += s;
        return loss / static_cast<double>(B * D);
    }

    // Rows [r0, r1) of e: the embeddings of their time steps, from the float64 table.
    static void gather_embeddings(const Net& n, const double* table,
                                  const std::vector<int64_t>& steps, int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r)
            for (int64_t k = 0; k < n.E; ++k)
                n.e[r * n.E + k] = static_cast<S>(table[steps[r] * n.E + k]);
    }

    // Two threads pay off from about 64 rows.
    static int threads_for(int64_t B) {
        return static_cast<int>(std::clamp<int64_t>(B / 64, 1, omp_get_max_threads()));
    }

    static std::vector<int64_t> time_steps_any(const Tensor& t) {
        const std::vector<double> v = t.to_vector();
        std::vector<int64_t> s(v.size());
        for (size_t i = 0; i < v.size(); ++i) {
            // v ≥ 0 and below 2⁶², then the truncation is exact iff v is an integer.
            check(v[i] >= 0 && v[i] < 0x1p62 &&
                      static_cast<double>(static_cast<int64_t>(v[i])) == v[i],
                  "MlpDenoiser: time steps must be non-negative integers, got ", v[i]);
            s[i] = static_cast<int64_t>(v[i]);
        }
        return s;
    }
};

Tensor MlpDenoiser::predict(const Tensor& x_t, const Tensor& t) {
    check(x_t.dim() >= 1 && x_t.size(0) == t.numel() && t.dim() == 1, "MlpDenoiser::predict: x_t ",
          x_t.shape(), " and t ", t.shape(), " disagree");
    const int64_t B = x_t.size(0), D = options_.dim;
    check(B == 0 || x_t.numel() / B == D, "MlpDenoiser::predict: rows of x_t ", x_t.shape(),
          " must have ", D, " elements");
    const std::vector<Tensor> p = parameters();
    const DType dt = p[0].dtype();
    if (!autograd::grad_enabled() && B > 0) {
        // The fast path: no graph, GEMMs on reused buffers.
        Tensor out = Tensor::empty(x_t.shape(), dt);
        const Tensor x = x_t.to(dt).contiguous();
        if (dt == DType::f32)
            Kernels<float>::predict(*this, x, t, out);
        else
            Kernels<double>::predict(*this, x, t, out);
        return out;
    }
    const Tensor x = reshape(x_t.to(dt), {B, D});
    // The embedding in float64, then rounded once, as in the fast path's table.
    const Tensor e = sinusoidal_embedding(t.to(DType::f64), options_.embedding).to(dt);
    Tensor h = relu(add(nn::linear(x, p[0], p[2]), nn::linear(e, p[1], Tensor())));
    size_t i = 3;
    for (size_t l = 1; l < options_.hidden.size(); ++l, i += 2)
        h = relu(nn::linear(h, p[i], p[i + 1]));
    return reshape(nn::linear(h, p[i], p[i + 1]), x_t.shape());
}

double MlpDenoiser::simple_loss_backward(const Tensor& x_t, const Tensor& t, const Tensor& eps,
                                         optim::Optimizer* opt) {
    const int64_t B = x_t.size(0), D = options_.dim;
    check(B >= 1 && x_t.numel() == B * D && eps.shape() == x_t.shape() && t.dim() == 1 &&
              t.size(0) == B,
          "MlpDenoiser::simple_loss_backward: x_t ", x_t.shape(), ", eps ", eps.shape(), " and t ",
          t.shape(), " must be (B, ", D, "), (B, ", D, ") and (B)");
    const DType dt = parameters()[0].dtype();
    const Tensor x = x_t.detach().to(dt).contiguous(), e = eps.detach().to(dt).contiguous();
    return dt == DType::f32 ? Kernels<float>::simple_loss_backward(*this, x, t, e, opt)
                            : Kernels<double>::simple_loss_backward(*this, x, t, e, opt);
}

}  // namespace gibbs::diffusion
