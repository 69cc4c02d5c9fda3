// Adam, AMSGrad and AdamW: one fused pass per parameter (equations in adam.hpp).
#include "gibbs/optim/adam.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "optim/foreach.hpp"

namespace gibbs::optim {

namespace {

// The scalars of one Adam update, in the parameter's type.
template <typename T>
struct AdamCoefficients {
    T b1, c1, b2, c2;  // β₁, 1 − β₁, β₂, 1 − β₂
    T eps;
    T alpha;   // η / (1 − β₁ᵗ)
    T scale;   // 1 / √(1 − β₂ᵗ)
    T l2;      // λ (Adam) or 0 (AdamW)
    T shrink;  // 1 − ηλ (AdamW) or 1 (Adam)
};

// One fused pass over [begin, end): m, v (and with AMSGrad the running maximum u of v) and θ.
template <typename T, bool kAmsgrad>
void adam_range(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                T* __restrict u, int64_t begin, int64_t end, const AdamCoefficients<T> c) {
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) {
        const T pk = p[k];
        const T gk = g[k] + c.l2 * pk;
        const T mk = c.b1 * m[k] + c.c1 * gk;
        const T vk = c.b2 * v[k] + c.c2 * gk * gk;
        m[k] = mk;
        v[k] = vk;
        T vhat = vk;
        if constexpr (kAmsgrad) {
            vhat = u[k] > vk ? u[k] : vk;
            u[k] = vhat;
        }
        p[k] = pk * c.shrink - c.alpha * mk / (std::sqrt(vhat) * c.scale + c.eps);
    }
}

AdamOptions as_adam(const AdamWOptions& o) {
    return {.lr = o.lr,
            .beta1 = o.beta1,
            .beta2 = o.beta2,
            .eps = o.eps,
            .weight_decay = o.weight_decay,
            .amsgrad = o.amsgrad};
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::move(params), options, false, "Adam") {}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Adam(std::move(params), as_adam(options), true, "AdamW") {}

Adam::Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled, const char* name)
    : Optimizer(std::move(params), options.lr, name), options_(options), decoupled_(decoupled) {
    check(std::isfinite(options.beta1) && options.beta1 >= 0 && options.beta1 < 1, name,
          ": beta1 must be in [0, 1), got ", options.beta1);
    check(std::isfinite(options.beta2) && options.beta2 >= 0 && options.beta2 < 1, name,
          ": beta2 must be in [0, 1), got ", options.beta2);
    check(std::isfinite(options.eps) && options.eps >= 0, name, ": eps must be >= 0, got ",
          options.eps);
    check(std::isfinite(options.weight_decay) && options.weight_decay >= 0, name,
          ": weight_decay must be >= 0, got ", options.weight_decay);
    exp_avg_slot_ = add_buffer("exp_avg");
    exp_avg_sq_slot_ = add_buffer("exp_avg_sq");
    if (options.amsgrad) max_sq_slot_ = add_buffer("max_exp_avg_sq");
}

Optimizer::SliceUpdate Adam::sliced_update() {
    // One job per parameter with a gradient: its place in the concatenation of all parameters,
    // and its bias corrections folded into two scalars, in float64, before the loop:
    // θ ← θ − (η / (1 − β₁ᵗ)) m / (√v · (1/√(1 − β₂ᵗ)) + ε).
    struct Job {
        size_t i;
        int64_t offset, n;
        Tensor g;
        double step_size, inv_sqrt_bc2;
    };
    auto jobs = std::make_shared<std::vector<Job>>();
    jobs->reserve(params_.size());
    int64_t offset = 0;
    for (size_t i = 0; i < params_.size(); offset += params_[i].numel(), ++i) {
        Tensor g = grad_of(i);
        if (!g.defined()) continue;
        const double t = static_cast<double>(next_param_step(i));
        jobs->push_back({i, offset, params_[i].numel(), std::move(g),
                         lr() / (1.0 - std::pow(options_.beta1, t)),
                         1.0 / std::sqrt(1.0 - std::pow(options_.beta2, t))});
    }
    // The update of elements [begin, end) of job j.
    const auto run = [this](const Job& job, int64_t begin, int64_t end) {
        const size_t i = job.i;
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* p = params_[i].data<T>();
            const T* gp = job.g.data<T>();
            T* m = buffer(exp_avg_slot_, i).data<T>();
            T* v = buffer(exp_avg_sq_slot_, i).data<T>();
            T* u = max_sq_slot_ >= 0 ? buffer(max_sq_slot_, i).data<T>() : nullptr;
            // Adam: g + λθ;  AdamW: θ(1 − ηλ). The other factor is 0 or 1, which changes nothing.
            const double wd = options_.weight_decay;
            const AdamCoefficients<T> c{
                .b1 = static_cast<T>(options_.beta1),
                .c1 = static_cast<T>(1.0 - options_.beta1),
                .b2 = static_cast<T>(options_.beta2),
                .c2 = static_cast<T>(1.0 - options_.beta2),
                .eps = static_cast<T>(options_.eps),
                .alpha = static_cast<T>(job.step_size),
                .scale = static_cast<T>(job.inv_sqrt_bc2),
                .l2 = static_cast<T>(decoupled_ ? 0.0 : wd),
                .shrink = static_cast<T>(decoupled_ ? 1.0 - lr() * wd : 1.0)};
            if (u)
                adam_range<T, true>(p, gp, m, v, u, begin, end, c);
            else
                adam_range<T, false>(p, gp, m, v, u, begin, end, c);
        });
    };
    return [jobs, run](int64_t begin, int64_t end) {
        for (const Job& job : *jobs) {
            const int64_t b = std::max(begin, job.offset), e = std::min(end, job.offset + job.n);
            if (b < e) run(job, b - job.offset, e - job.offset);
        }
    };
}

void Adam::update() {
    const SliceUpdate slice = sliced_update();
    int64_t total = 0;
    for (const Tensor& p : params_) total += p.numel();
    if (!gibbs::detail::use_threads(total) || omp_get_max_threads() == 1) {
        slice(0, total);
        return;
    }
    // NOTE: a network's many small tensors (biases, norms, 128 × 128 weights) are each below the
    // threading threshold; all of them together, in parameter order, are cut into one
    // contiguous slice per thread (detail::thread_slice, whole 64-byte lines). The slices are
    // the same at every step, so each thread's share of θ, g, m and v stays in its own core's
    // cache: a dynamic hand-out moved them between the cores and cost more than the update
    // itself on the 2-D DDPM's 35,000 parameters. Every element's update is independent of the
    // others, so the result does not depend on the thread count.
#pragma omp parallel
    {
        const auto [k0, k1] =
            gibbs::detail::thread_slice(total, omp_get_thread_num(), omp_get_num_threads());
        slice(k0, k1);
    }
}

}  // namespace gibbs::optim
