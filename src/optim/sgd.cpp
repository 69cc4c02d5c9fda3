// Gradient descent and SGD with momentum: one fused pass per parameter (equations in sgd.hpp).
#include "gibbs/optim/sgd.hpp"

#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

namespace {

// θ ← θ − η(g + λθ) over [begin, end).
template <typename T>
void sgd_range(T* __restrict p, const T* __restrict g, int64_t begin, int64_t end, T lr, T wd) {
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) p[k] -= lr * (g[k] + wd * p[k]);
}

// With momentum: b ← keep·b + take·(g + λθ); θ ← θ − η(g + λθ + μb) (Nesterov) or θ − ηb.
template <typename T, bool kNesterov>
void momentum_range(T* __restrict p, const T* __restrict g, T* __restrict b, int64_t begin,
                    int64_t end, T lr, T wd, T mu, T keep, T take) {
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) {
        const T gk = g[k] + wd * p[k];
        const T bk = keep * b[k] + take * gk;
        b[k] = bk;
        if constexpr (kNesterov)
            p[k] -= lr * (gk + mu * bk);
        else
            p[k] -= lr * bk;
    }
}

}  // namespace

GradientDescent::GradientDescent(std::vector<Tensor> params, GradientDescentOptions options)
    : Optimizer(std::move(params), options.lr, "GradientDescent") {}

void GradientDescent::update() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = grad_of(i);
        if (!g.defined()) continue;
        next_param_step(i);
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* p = params_[i].data<T>();
            const T* gp = g.data<T>();
            const T lr = static_cast<T>(this->lr());
            detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
                sgd_range<T>(p, gp, begin, end, lr, T(0));
            });
        });
    }
}

Sgd::Sgd(std::vector<Tensor> params, SgdOptions options)
    : Optimizer(std::move(params), options.lr, "Sgd"), options_(options) {
    check(std::isfinite(options.momentum) && options.momentum >= 0,
          "Sgd: momentum must be >= 0, got ", options.momentum);
    check(std::isfinite(options.weight_decay) && options.weight_decay >= 0,
          "Sgd: weight_decay must be >= 0, got ", options.weight_decay);
    check(std::isfinite(options.dampening), "Sgd: dampening must be finite");
    check(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
          "Sgd: nesterov needs momentum > 0 and dampening = 0 (got momentum ", options.momentum,
          ", dampening ", options.dampening, ")");
    if (options.momentum != 0) momentum_slot_ = add_buffer("momentum_buffer");
}

void Sgd::update() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = grad_of(i);
        if (!g.defined()) continue;
        const bool first = next_param_step(i) == 1;
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* p = params_[i].data<T>();
            const T* gp = g.data<T>();
            const T lr = static_cast<T>(this->lr());
            const T wd = static_cast<T>(options_.weight_decay);
            if (momentum_slot_ < 0) {
                detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
                    sgd_range<T>(p, gp, begin, end, lr, wd);
                });
                return;
            }
            T* b = buffer(momentum_slot_, i).data<T>();
            const T mu = static_cast<T>(options_.momentum);
            // b ← g at the first step: 0·b + 1·g, exactly.
            const T keep = first ? T(0) : mu;
            const T take = first ? T(1) : static_cast<T>(1.0 - options_.dampening);
            detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
                if (options_.nesterov)
                    momentum_range<T, true>(p, gp, b, begin, end, lr, wd, mu, keep, take);
                else
                    momentum_range<T, false>(p, gp, b, begin, end, lr, wd, mu, keep, take);
            });
        });
    }
}

}  // namespace gibbs::optim
