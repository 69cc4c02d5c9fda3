// RMSprop: one fused pass per parameter (equations in rmsprop.hpp).
#include "gibbs/optim/rmsprop.hpp"

#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

namespace {

template <typename T>
struct RmspropCoefficients {
    T lr, alpha, one_minus_alpha, wd, eps, mu;
};

// v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g; then θ or the momentum b, over [begin, end).
template <typename T, bool kCentered, bool kMomentum>
void rmsprop_range(T* __restrict p, const T* __restrict g, T* __restrict v, T* __restrict gbar,
                   T* __restrict b, int64_t begin, int64_t end, const RmspropCoefficients<T> c) {
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) {
        const T gk = g[k] + c.wd * p[k];
        const T vk = c.alpha * v[k] + c.one_minus_alpha * gk * gk;
        v[k] = vk;
        T denom;
        if constexpr (kCentered) {
            const T ak = c.alpha * gbar[k] + c.one_minus_alpha * gk;
            gbar[k] = ak;
            denom = std::sqrt(vk - ak * ak) + c.eps;
        } else {
            denom = std::sqrt(vk) + c.eps;
        }
        if constexpr (kMomentum) {
            const T bk = c.mu * b[k] + gk / denom;
            b[k] = bk;
            p[k] -= c.lr * bk;
        } else {
            p[k] -= c.lr * gk / denom;
        }
    }
}

}  // namespace

Rmsprop::Rmsprop(std::vector<Tensor> params, RmspropOptions options)
    : Optimizer(std::move(params), options.lr, "Rmsprop"), options_(options) {
    check(std::isfinite(options.alpha) && options.alpha >= 0 && options.alpha <= 1,
          "Rmsprop: alpha must be in [0, 1], got ", options.alpha);
    check(std::isfinite(options.eps) && options.eps >= 0, "Rmsprop: eps must be >= 0, got ",
          options.eps);
    check(std::isfinite(options.momentum) && options.momentum >= 0,
          "Rmsprop: momentum must be >= 0, got ", options.momentum);
    check(std::isfinite(options.weight_decay) && options.weight_decay >= 0,
          "Rmsprop: weight_decay must be >= 0, got ", options.weight_decay);
    square_slot_ = add_buffer("square_avg");
    if (options.centered) grad_slot_ = add_buffer("grad_avg");
    if (options.momentum > 0) momentum_slot_ = add_buffer("momentum_buffer");
}

void Rmsprop::update() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = grad_of(i);
        if (!g.defined()) continue;
        next_param_step(i);
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* p = params_[i].data<T>();
            const T* gp = g.data<T>();
            T* v = buffer(square_slot_, i).data<T>();
            T* gbar = grad_slot_ >= 0 ? buffer(grad_slot_, i).data<T>() : nullptr;
            T* b = momentum_slot_ >= 0 ? buffer(momentum_slot_, i).data<T>() : nullptr;
            const RmspropCoefficients<T> c{.lr = static_cast<T>(lr()),
                                           .alpha = static_cast<T>(options_.alpha),
                                           .one_minus_alpha = static_cast<T>(1.0 - options_.alpha),
                                           .wd = static_cast<T>(options_.weight_decay),
                                           .eps = static_cast<T>(options_.eps),
                                           .mu = static_cast<T>(options_.momentum)};
            detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
                if (gbar && b)
                    rmsprop_range<T, true, true>(p, gp, v, gbar, b, begin, end, c);
                else if (gbar)
                    rmsprop_range<T, true, false>(p, gp, v, gbar, b, begin, end, c);
                else if (b)
                    rmsprop_range<T, false, true>(p, gp, v, gbar, b, begin, end, c);
                else
                    rmsprop_range<T, false, false>(p, gp, v, gbar, b, begin, end, c);
            });
        });
    }
}

}  // namespace gibbs::optim
