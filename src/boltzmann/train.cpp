// RBM training: CD-k, PCD-k and parallel tempering with SGD updates (equations in
// gibbs/boltzmann/train.hpp). Every buffer is allocated once, in the constructor; a step is
// GEMMs through gibbs::blas plus fused "bias, sigmoid, Bernoulli draw" loops.
#include "gibbs/boltzmann/train.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "boltzmann/kernels.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/mcmc/tempering.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

using detail::gemm;

const char* method_name(Method method) {
    switch (method) {
        case Method::kCd:
            return "cd";
        case Method::kPcd:
            return "pcd";
        case Method::kTempering:
            return "pt";
    }
    return "?";
}

struct RbmTrainer::Work {
    int64_t M = 0, N = 0, B = 0, C = 0, K = 1;
    bool gaussian = false;
    std::vector<float> inv_s2;  // 1/σ², (M)
    // The minibatch and the negative-phase visible states lie one after the other in vv, and
    // their hidden probabilities in pp, so that the weight gradient is one GEMM over B + rows
    // samples: −(1/B) [x₀; xₙ]ᵀ [p₀; −(B/C) pₙ].
    std::vector<float> vv;        // (B + rows, M)
    std::vector<float> pp;        // (B + rows, N)
    float* batch = nullptr;       // (B, M) the minibatch, gathered: vv rows [0, B)
    float* v = nullptr;           // (rows, M) negative-phase visible: vv rows [B, B + rows)
    float* ph0 = nullptr;         // (B, N) p(h|x), positive phase: pp rows [0, B)
    float* ph = nullptr;          // (rows, N) p(h|v), negative phase: pp rows [B, B + rows)
    std::vector<float> xs0;       // (B, M) x/σ² of the minibatch (Gaussian)
    std::vector<float> vs;        // (rows, M) v/σ² (Gaussian)
    std::vector<float> z, h;      // (rows, N) hidden input (PT), hidden draws
    std::vector<float> v1, ph1;   // (C, M), (C, N) PT: the β = 1 states
    std::vector<float> beta_row;  // (rows) PT: β of each row
    std::vector<double> energy;   // (rows) PT: E(v, h) of each row
    std::vector<mcmc::ParallelTempering> pt;  // (C) PT: one ladder per chain
    Tensor gW, ga, gb;                        // gradients of −log p: (M, N), (M), (N)
    Tensor gz;              // σ learned: gradient of −log p in z = log σ² (M)
    std::vector<float> wp;  // σ learned: (max(B, C), M) rows of p Wᵀ
};

RbmTrainer::RbmTrainer(Rbm& rbm, RbmTrainOptions o) : rbm_(rbm), options_(o), gen_(o.seed) {
    check(o.k >= 1, "RbmTrainer: k (Gibbs steps) must be >= 1, got ", o.k);
    check(o.batch >= 1, "RbmTrainer: batch must be >= 1, got ", o.batch);
    check(o.chains >= 0, "RbmTrainer: chains must be >= 0, got ", o.chains);
    check(o.lr > 0 && std::isfinite(o.lr), "RbmTrainer: lr must be positive, got ", o.lr);
    check(!o.learn_sigma || rbm.visible() == Visible::kGaussian,
          "RbmTrainer: learn_sigma needs Gaussian visible units (the RBM's are ",
          visible_name(rbm.visible()), ")");
    check(o.sigma_lr >= 0 && std::isfinite(o.sigma_lr), "RbmTrainer: sigma_lr must be >= 0, got ",
          o.sigma_lr);
    check(o.sigma_min > 0 && std::isfinite(o.sigma_min), "RbmTrainer: sigma_min must be > 0, got ",
          o.sigma_min);
    check(o.method != Method::kTempering || o.temperatures >= 2,
          "RbmTrainer: parallel tempering needs at least 2 temperatures, got ", o.temperatures);
    if (rbm_.dtype() != DType::f32) rbm_ = rbm_.to(DType::f32);
    w_ = std::make_unique<Work>();
    Work& w = *w_;
    w.M = rbm_.M();
    w.N = rbm_.N();
    w.B = o.batch;
    w.C = o.method == Method::kCd ? o.batch : (o.chains > 0 ? o.chains : o.batch);
    w.K = o.method == Method::kTempering ? o.temperatures : 1;
    w.gaussian = rbm_.visible() == Visible::kGaussian;
    const int64_t rows = w.C * w.K, M = w.M, N = w.N;
    w.inv_s2.assign(static_cast<size_t>(M), 1.0f);
    if (w.gaussian)
        for (int64_t i = 0; i < M; ++i) {
            const float s = rbm_.sigma.data<float>()[i];
            w.inv_s2[i] = 1.0f / (s * s);
        }
    w.vv.resize(static_cast<size_t>((w.B + rows) * M));
    w.pp.resize(static_cast<size_t>((w.B + rows) * N));
    w.batch = w.vv.data();
    w.v = w.vv.data() + w.B * M;
    w.ph0 = w.pp.data();
    w.ph = w.pp.data() + w.B * N;
    if (w.gaussian) w.xs0.resize(static_cast<size_t>(w.B * M));
    if (w.gaussian) w.vs.resize(static_cast<size_t>(rows * M));
    if (o.method == Method::kTempering) w.z.resize(static_cast<size_t>(rows * N));
    w.h.resize(static_cast<size_t>(rows * N));
    w.gW = Tensor::zeros({M, N});
    w.ga = Tensor::zeros({M});
    w.gb = Tensor::zeros({N});
    if (o.method != Method::kCd) {
        // Persistent chains start from hidden units drawn uniformly.
        for (float& x : w.h) x = gen_.bernoulli(0.5) ? 1.0f : 0.0f;
    }
    if (o.method == Method::kTempering) {
        const auto betas = mcmc::geometric_betas(w.K, o.beta_min);
        for (int64_t c = 0; c < w.C; ++c) w.pt.emplace_back(betas);
        w.beta_row.resize(static_cast<size_t>(rows));
        w.energy.resize(static_cast<size_t>(rows));
        w.v1.resize(static_cast<size_t>(w.C * M));
        w.ph1.resize(static_cast<size_t>(w.C * N));
    }
    rbm_.W.requires_grad_(true);
    rbm_.a.requires_grad_(true);
    rbm_.b.requires_grad_(true);
    std::vector<optim::Optimizer*> opts;
    if (o.learn_sigma) {
        // z = log σ², in float64 so that small steps are not lost to rounding.
        log_var_ = Tensor::empty({M}, DType::f64);
        for (int64_t i = 0; i < M; ++i)
            log_var_.data<double>()[i] = 2.0 * std::log(double{rbm_.sigma.data<float>()[i]});
        log_var_.requires_grad_(true);
        w.gz = Tensor::zeros({M}, DType::f64);
        w.wp.resize(static_cast<size_t>(std::max(w.B, w.C) * M));
        opt_sigma_ = std::make_unique<optim::Sgd>(
            std::vector<Tensor>{log_var_},
            optim::SgdOptions{.lr = o.sigma_lr > 0 ? o.sigma_lr : o.lr, .momentum = o.momentum});
    }
    opt_W_ = std::make_unique<optim::Sgd>(
        std::vector<Tensor>{rbm_.W},
        optim::SgdOptions{.lr = o.lr, .momentum = o.momentum, .weight_decay = o.weight_decay});
    opt_bias_ = std::make_unique<optim::Sgd>(std::vector<Tensor>{rbm_.a, rbm_.b},
                                             optim::SgdOptions{.lr = o.lr, .momentum = o.momentum});
    opts.push_back(opt_W_.get());
    opts.push_back(opt_bias_.get());
    if (opt_sigma_) opts.push_back(opt_sigma_.get());
    for (optim::Optimizer* opt : opts) {
        if (o.schedule == Schedule::kExponential)
            schedules_.push_back(std::make_unique<optim::ExponentialLr>(
                *opt, optim::ExponentialLrOptions{.gamma = o.gamma}));
        else if (o.schedule == Schedule::kCosine)
            schedules_.push_back(std::make_unique<optim::CosineAnnealingLr>(
                *opt, optim::CosineAnnealingLrOptions{.t_max = std::max<int64_t>(o.epochs, 1)}));
    }
}

RbmTrainer::~RbmTrainer() {
    if (log_var_.defined()) log_var_.requires_grad_(false);
    rbm_.W.requires_grad_(false);
    rbm_.a.requires_grad_(false);
    rbm_.b.requires_grad_(false);
}

double RbmTrainer::lr() const { return opt_W_->lr(); }

namespace {

// xs = x/σ² row by row.
void scale_rows(const float* x, const std::vector<float>& inv_s2, float* xs, int64_t rows) {
    const int64_t M = static_cast<int64_t>(inv_s2.size());
    for (int64_t r = 0; r < rows; ++r)
#pragma omp simd
        for (int64_t i = 0; i < M; ++i) xs[r * M + i] = x[r * M + i] * inv_s2[i];
}

}  // namespace

void RbmTrainer::step(const float* v0, int64_t B) {
    Work& w = *w_;
    check(B >= 1 && B <= w.B, "RbmTrainer::step: batch of ", B, " rows, at most ", w.B);
    if (v0 != w.batch) std::copy_n(v0, B * w.M, w.batch);
    v0 = w.batch;
    const float* W = rbm_.W.data<float>();
    const float* b = rbm_.b.data<float>();
    // Positive phase: p(h|x) and one draw h0 ~ p(h|x) (CD starts its chain from it).
    const float* xs0 = v0;
    if (w.gaussian) {
        scale_rows(v0, w.inv_s2, w.xs0.data(), B);
        xs0 = w.xs0.data();
    }
    gemm<float>(false, false, B, w.N, w.M, 1.0f, xs0, W, 0.0f, w.ph0);
    detail::sigmoid_sample<float>(w.ph0, b, options_.method == Method::kCd ? w.h.data() : nullptr,
                                  B, w.N, gen_.next());
    switch (options_.method) {
        case Method::kCd:
            negative_cd(B);
            update(v0, B, w.gaussian ? w.vs.data() : w.v, w.ph, B);
            break;
        case Method::kPcd:
            negative_pcd();
            update(v0, B, w.gaussian ? w.vs.data() : w.v, w.ph, w.C);
            break;
        case Method::kTempering:
            negative_tempering();
            update(v0, B, w.v1.data(), w.ph1.data(), w.C);
            break;
    }
}

// v ~ p(v|h) for `rows` rows; Gaussian: also vs = v/σ².
static void visible_draw(const Rbm& rbm, const float* h, float* v, float* vs,
                         const std::vector<float>& inv_s2, int64_t rows, int64_t M, int64_t N,
                         uint64_t seed) {
    gemm<float>(false, true, rows, M, N, 1.0f, h, rbm.W.data<float>(), 0.0f, v);
    if (rbm.visible() == Visible::kBinary) {
        detail::sigmoid_sample<float>(v, rbm.a.data<float>(), v, rows, M, seed);
    } else {
        detail::gaussian_sample<float>(v, rbm.a.data<float>(), rbm.sigma.data<float>(), v, rows, M,
                                       seed);
        scale_rows(v, inv_s2, vs, rows);
    }
}

void RbmTrainer::negative_cd(int64_t B) {
    // CD-k: from h0 ~ p(h|x), k sweeps v ~ p(v|h), h ~ p(h|v); the last sweep keeps p(h|v).
    Work& w = *w_;
    for (int64_t s = 0; s < options_.k; ++s) {
        visible_draw(rbm_, w.h.data(), w.v, w.vs.data(), w.inv_s2, B, w.M, w.N, gen_.next());
        const float* vs = w.gaussian ? w.vs.data() : w.v;
        gemm<float>(false, false, B, w.N, w.M, 1.0f, vs, rbm_.W.data<float>(), 0.0f, w.ph);
        detail::sigmoid_sample<float>(w.ph, rbm_.b.data<float>(),
                                      s + 1 < options_.k ? w.h.data() : nullptr, B, w.N,
                                      gen_.next());
    }
}

void RbmTrainer::negative_pcd() {
    // PCD-k: the persistent hidden draws h advance k sweeps v ~ p(v|h), h ~ p(h|v)
    // (as scikit-learn's BernoulliRBM: the chain's state between updates is h).
    Work& w = *w_;
    for (int64_t s = 0; s < options_.k; ++s) {
        visible_draw(rbm_, w.h.data(), w.v, w.vs.data(), w.inv_s2, w.C, w.M, w.N, gen_.next());
        const float* vs = w.gaussian ? w.vs.data() : w.v;
        gemm<float>(false, false, w.C, w.N, w.M, 1.0f, vs, rbm_.W.data<float>(), 0.0f, w.ph);
        detail::sigmoid_sample<float>(w.ph, rbm_.b.data<float>(), w.h.data(), w.C, w.N,
                                      gen_.next());
    }
}

void RbmTrainer::negative_tempering() {
    // Rows s·C + c hold state s of chain c; the state's temperature is its place in ladder c.
    Work& w = *w_;
    const int64_t C = w.C, K = w.K, M = w.M, N = w.N, rows = C * K;
    for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < K; ++k) w.beta_row[w.pt[c].state_at(k) * C + c] = w.pt[c].beta(k);
    const float* W = rbm_.W.data<float>();
    const float* a = rbm_.a.data<float>();
    const float* b = rbm_.b.data<float>();
    const float* sg = w.gaussian ? rbm_.sigma.data<float>() : nullptr;
    for (int64_t s = 0; s < options_.k; ++s) {
        // v ~ p_β(v|h): σ(β(a + Wh)) or N(a + Wh, σ²/β).
        gemm<float>(false, true, rows, M, N, 1.0f, w.h.data(), W, 0.0f, w.v);
        const uint64_t seed_v = gen_.next(), seed_h = gen_.next();
#pragma omp parallel for if (detail::rows_in_parallel(rows, M))
        for (int64_t r = 0; r < rows; ++r) {
            Generator g = detail::row_generator(seed_v, r);
            const float beta = w.beta_row[r];
            float* vr = &w.v[r * M];
            for (int64_t i = 0; i < M; ++i) {
                if (sg) {
                    vr[i] = vr[i] + a[i] + sg[i] / std::sqrt(beta) * static_cast<float>(g.normal());
                    w.vs[r * M + i] = vr[i] * w.inv_s2[i];
                } else {
                    vr[i] = g.uniform() < vm::sigmoid(beta * (vr[i] + a[i])) ? 1.0f : 0.0f;
                }
            }
        }
        // h ~ p_β(h|v) = σ(β(b + ṽW)); z keeps ṽW for the energies.
        gemm<float>(false, false, rows, N, M, 1.0f, sg ? w.vs.data() : w.v, W, 0.0f, w.z.data());
#pragma omp parallel for if (detail::rows_in_parallel(rows, N))
        for (int64_t r = 0; r < rows; ++r) {
            Generator g = detail::row_generator(seed_h, r);
            const float beta = w.beta_row[r];
            for (int64_t j = 0; j < N; ++j) {
                const float p = vm::sigmoid(beta * (w.z[r * N + j] + b[j]));
                w.ph[r * N + j] = p;
                w.h[r * N + j] = g.uniform() < p ? 1.0f : 0.0f;
            }
        }
    }
    // E(v, h) = visible term − Σ_j h_j (b_j + (ṽW)_j), then the exchanges.
    for (int64_t r = 0; r < rows; ++r) {
        double e = 0;
        for (int64_t i = 0; i < M; ++i) {
            const double x = w.v[r * M + i];
            e += sg ? (x - a[i]) * (x - a[i]) * 0.5 * w.inv_s2[i] : -a[i] * x;
        }
        for (int64_t j = 0; j < N; ++j) e -= w.h[r * N + j] * (b[j] + w.z[r * N + j]);
        w.energy[r] = e;
    }
    for (int64_t c = 0; c < C; ++c)
        w.pt[c].swap([&](int64_t s) { return w.energy[s * C + c]; }, gen_);
    // The β = 1 states supply the model expectation.
    for (int64_t c = 0; c < C; ++c) {
        const int64_t r = w.pt[c].state_at(0) * C + c;
        const float* src = sg ? &w.vs[r * M] : &w.v[r * M];
        std::copy(src, src + M, &w.v1[c * M]);
        std::copy(&w.ph[r * N], &w.ph[r * N] + N, &w.ph1[c * N]);
    }
}

void RbmTrainer::update(const float* v0, int64_t B, const float* vn, const float* pn, int64_t C) {
    // Gradient of −log p: −(1/B) x̃₀ᵀ p₀ + (1/C) x̃ₙᵀ pₙ, and likewise for the biases
    // (x̃ = x/σ², already in vn for Gaussian units).
    Work& w = *w_;
    const int64_t M = w.M, N = w.N;
    if (options_.learn_sigma) sigma_gradient(v0, B, vn, pn, C);
    const float* xs0 = w.gaussian ? w.xs0.data() : v0;
    float* gW = w.gW.data<float>();
    float* ga = w.ga.data<float>();
    float* gb = w.gb.data<float>();
    const float* a = rbm_.a.data<float>();
    for (int64_t i = 0; i < M; ++i) ga[i] = 0;
    for (int64_t j = 0; j < N; ++j) gb[j] = 0;
    // ∂(−log p)/∂a = −⟨(x − a)/σ²⟩_data + ⟨(x − a)/σ²⟩_model; vn holds x/σ² for Gaussians.
    for (int64_t r = 0; r < B; ++r)
        for (int64_t i = 0; i < M; ++i) ga[i] -= xs0[r * M + i] / B;
    for (int64_t r = 0; r < C; ++r)
        for (int64_t i = 0; i < M; ++i) ga[i] += vn[r * M + i] / C;
    (void)a;  // the a/σ² terms cancel between the two phases
    for (int64_t r = 0; r < B; ++r)
        for (int64_t j = 0; j < N; ++j) gb[j] -= w.ph0[r * N + j] / B;
    for (int64_t r = 0; r < C; ++r)
        for (int64_t j = 0; j < N; ++j) gb[j] += pn[r * N + j] / C;
    // One GEMM when the batch, the negative states and their probabilities lie back to back
    // (binary units, full batch, CD or PCD); else two.
    if (xs0 == w.batch && vn == w.v && pn == w.ph && B == w.B) {
        const float scale = -static_cast<float>(B) / static_cast<float>(C);
        for (int64_t k = 0; k < C * N; ++k) w.ph[k] *= scale;
        gemm<float>(true, false, M, N, B + C, -1.0f / B, w.vv.data(), w.pp.data(), 0.0f, gW);
    } else {
        gemm<float>(true, false, M, N, B, -1.0f / B, xs0, w.ph0, 0.0f, gW);
        gemm<float>(true, false, M, N, C, 1.0f / C, vn, pn, 1.0f, gW);
    }
    rbm_.W.set_grad(w.gW);
    rbm_.a.set_grad(w.ga);
    rbm_.b.set_grad(w.gb);
    if (options_.learn_weights) opt_W_->step();
    opt_bias_->step();
    if (options_.learn_sigma) {
        opt_sigma_->step();
        // z ≥ log σ_min², then σ = e^{z/2} and 1/σ² = e^{−z} follow z.
        double* z = log_var_.data<double>();
        float* sg = rbm_.sigma.data<float>();
        const double z_min = 2.0 * std::log(options_.sigma_min);
        for (int64_t i = 0; i < M; ++i) {
            z[i] = std::max(z[i], z_min);
            sg[i] = static_cast<float>(std::exp(0.5 * z[i]));
            w.inv_s2[i] = static_cast<float>(std::exp(-z[i]));
        }
    }
}

void RbmTrainer::sigma_gradient(const float* v0, int64_t B, const float* vn, const float* pn,
                                int64_t C) {
    // ∂(−log p)/∂z_i = ⟨∂E/∂z_i⟩_data − ⟨∂E/∂z_i⟩_model with, h replaced by p = p(h=1|x),
    //   ∂E/∂z_i = −(x_i − a_i)²/2σ_i² + x_i (W p)_i/σ_i².
    // The data rows are v0 with p₀; the model rows are vn = x/σ² (so x = vn σ²) with pn.
    Work& w = *w_;
    const int64_t M = w.M, N = w.N;
    const float* W = rbm_.W.data<float>();
    const float* a = rbm_.a.data<float>();
    double* gz = w.gz.data<double>();
    for (int64_t i = 0; i < M; ++i) gz[i] = 0;
    auto accumulate = [&](const float* x, bool scaled, const float* p, int64_t rows,
                          double weight) {
        gemm<float>(false, true, rows, M, N, 1.0f, p, W, 0.0f, w.wp.data());  // (rows, M) p Wᵀ
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t i = 0; i < M; ++i) {
                const double s2 = 1.0 / w.inv_s2[i];
                const double xi = scaled ? x[r * M + i] * s2 : x[r * M + i];
                const double d = xi - a[i];
                gz[i] += weight * (-d * d / (2 * s2) + xi * w.wp[r * M + i] / s2);
            }
    };
    accumulate(v0, false, w.ph0, B, 1.0 / static_cast<double>(B));
    accumulate(vn, true, pn, C, -1.0 / static_cast<double>(C));
    log_var_.set_grad(w.gz);
}

int training_threads(int requested) { return requested > 0 ? requested : omp_get_max_threads(); }

EpochStats RbmTrainer::epoch(const Tensor& data, const Tensor& valid) {
    check(data.defined() && data.dim() == 2 && data.size(1) == rbm_.M(),
          "RbmTrainer::epoch: data must be (n, ", rbm_.M(), ")");
    const Tensor x = data.to(DType::f32).contiguous();
    const int64_t n = x.size(0), M = rbm_.M();
    check(n >= 1, "RbmTrainer::epoch: no data");
    EpochStats st;
    st.epoch = ++epochs_done_;
    st.lr = lr();
    struct RestoreThreads {
        int before = omp_get_max_threads();
        ~RestoreThreads() { omp_set_num_threads(before); }
    } restore;
    st.threads = training_threads(options_.threads);
    omp_set_num_threads(st.threads);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<int64_t> order = randperm(n, gen_);
    const float* xp = x.data<float>();
    for (int64_t start = 0; start < n; start += options_.batch) {
        const int64_t B = std::min(options_.batch, n - start);
        float* dst = w_->batch;
        for (int64_t r = 0; r < B; ++r) std::copy_n(xp + order[start + r] * M, M, dst + r * M);
        step(dst, B);
    }
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (auto& s : schedules_) s->step();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Tensor sub = x.narrow(0, 0, std::min<int64_t>(n, 1000));
    Generator mon(options_.seed ^ 0x5bd1e995u ^ static_cast<uint64_t>(st.epoch));
    st.reconstruction_error = reconstruction_error(rbm_, sub, mon);
    st.pseudo_log_likelihood =
        rbm_.visible() == Visible::kBinary ? pseudo_log_likelihood(rbm_, sub, mon) : nan;
    st.free_energy_gap =
        valid.defined()
            ? free_energy_gap(rbm_, sub, valid.narrow(0, 0, std::min<int64_t>(valid.size(0), 1000)))
            : nan;
    st.swap_acceptance = nan;
    if (options_.method == Method::kTempering) {
        double acc = 0;
        for (const auto& pt : w_->pt)
            for (int64_t k = 0; k + 1 < pt.size(); ++k) acc += pt.acceptance(k);
        st.swap_acceptance = acc / static_cast<double>(w_->pt.size() * (w_->K - 1));
    }
    for (double v : rbm_.W.to_vector())
        check(std::isfinite(v), "RbmTrainer: the weights diverged (non-finite) in epoch ", st.epoch,
              "; lower the learning rate (", options_.lr, ")");
    if (options_.learn_sigma)
        for (double s : rbm_.sigma.to_vector())
            check(std::isfinite(s) && s > 0, "RbmTrainer: sigma diverged (", s, ") in epoch ",
                  st.epoch, "; lower the learning rate (--sigma-lr)");
    return st;
}

double reconstruction_error(const Rbm& rbm, const Tensor& data, Generator& gen) {
    const Tensor x = data.to(rbm.dtype()).contiguous();
    const Tensor h = rbm.sample_hidden(x, gen);
    const auto r = rbm.visible_mean(h).to_vector();
    const auto xv = x.to_vector();
    double sum = 0;
    for (size_t i = 0; i < r.size(); ++i) sum += (xv[i] - r[i]) * (xv[i] - r[i]);
    return sum / static_cast<double>(x.size(0));
}

double pseudo_log_likelihood(const Rbm& rbm, const Tensor& data, Generator& gen) {
    check(rbm.visible() == Visible::kBinary, "pseudo_log_likelihood: binary RBMs only");
    const Tensor x = data.to(DType::f64).contiguous().clone();
    const int64_t B = x.size(0), M = x.size(1);
    Tensor flipped = x.clone();
    double* fp = flipped.data<double>();
    for (int64_t r = 0; r < B; ++r) {
        const int64_t i = gen.integer(0, M);
        fp[r * M + i] = 1.0 - fp[r * M + i];
    }
    const auto F = rbm.free_energy(x).to_vector();
    const auto Ff = rbm.free_energy(flipped).to_vector();
    double sum = 0;
    for (int64_t r = 0; r < B; ++r) {
        // M log σ(F(x̃) − F(x)) = −M softplus(F(x) − F(x̃))
        sum -= static_cast<double>(M) * detail::softplus(F[r] - Ff[r]);
    }
    return sum / static_cast<double>(B);
}

double free_energy_gap(const Rbm& rbm, const Tensor& train, const Tensor& valid) {
    auto mean = [&](const Tensor& t) {
        double s = 0;
        for (double f : rbm.free_energy(t).to_vector()) s += f;
        return s / static_cast<double>(t.size(0));
    };
    return mean(valid) - mean(train);
}

void init_visible_biases(Rbm& rbm, const Tensor& data) {
    check(data.defined() && data.dim() == 2 && data.size(1) == rbm.M(),
          "init_visible_biases: data must be (n, ", rbm.M(), ")");
    std::vector<double> a = base_rates(data);
    const double n = static_cast<double>(data.size(0));
    for (double& p : a) {
        if (rbm.visible() == Visible::kBinary)
            p = std::log(p / (1 - p));
        else
            p = (p * (n + 2) - 1) / n;  // undo the smoothing: the plain mean
    }
    const Tensor t = Tensor::from(a, {rbm.M()}, DType::f64).to(rbm.dtype());
    rbm.a.copy_(t);
}

}  // namespace gibbs::boltzmann

namespace gibbs::boltzmann {

Tensor free_energy_grad_log_var(const Rbm& rbm, const Tensor& x) {
    check(rbm.visible() == Visible::kGaussian,
          "free_energy_grad_log_var: Gaussian visible units only");
    check(x.defined() && x.dim() == 2 && x.size(1) == rbm.M(),
          "free_energy_grad_log_var: x must be (B, ", rbm.M(), ")");
    const Rbm d = rbm.to(DType::f64);
    const Tensor xd = x.to(DType::f64).contiguous();
    const Tensor Wp = d.visible_mean(d.hidden_prob(xd));  // a + W p, (B, M)
    const int64_t B = xd.size(0), M = d.M();
    Tensor g = Tensor::empty({B, M}, DType::f64);
    const double *xp = xd.data<double>(), *mp = Wp.data<double>();
    const double *ap = d.a.data<double>(), *sp = d.sigma.data<double>();
    for (int64_t r = 0; r < B; ++r)
        for (int64_t i = 0; i < M; ++i) {
            const double s2 = sp[i] * sp[i], xi = xp[r * M + i], dx = xi - ap[i];
            g.data<double>()[r * M + i] = -dx * dx / (2 * s2) + xi * (mp[r * M + i] - ap[i]) / s2;
        }
    return g;
}

}  // namespace gibbs::boltzmann
