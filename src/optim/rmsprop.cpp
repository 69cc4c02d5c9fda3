// RMSprop: one fused pass per parameter (equations in rmsprop.hpp).
#include "gibbs/optim/rmsprop.hpp"

#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

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
            T* __restrict p = params_[i].data<T>();
            const T* __restrict gp = g.data<T>();
            T* __restrict v = buffer(square_slot_, i).data<T>();
            // Unused buffers point at v and are never touched.
            T* __restrict gbar = grad_slot_ >= 0 ? buffer(grad_slot_, i).data<T>() : v;
            T* __restrict b = momentum_slot_ >= 0 ? buffer(momentum_slot_, i).data<T>() : v;
            const T lr = static_cast<T>(this->lr());
            const T alpha = static_cast<T>(options_.alpha);
            const T one_minus_alpha = T(1) - alpha;
            const T wd = static_cast<T>(options_.weight_decay);
            const T eps = static_cast<T>(options_.eps);
            const T mu = static_cast<T>(options_.momentum);
            const int64_t n = g.numel();
            auto run = [&]<bool kCentered, bool kMomentum>() {
                detail::for_each_element(n, [=](int64_t k) {
                    const T gk = gp[k] + wd * p[k];
                    const T vk = alpha * v[k] + one_minus_alpha * gk * gk;
                    v[k] = vk;
                    T denom;
                    if constexpr (kCentered) {
                        const T ak = alpha * gbar[k] + one_minus_alpha * gk;
                        gbar[k] = ak;
                        denom = std::sqrt(vk - ak * ak) + eps;
                    } else {
                        denom = std::sqrt(vk) + eps;
                    }
                    if constexpr (kMomentum) {
                        const T bk = mu * b[k] + gk / denom;
                        b[k] = bk;
                        p[k] -= lr * bk;
                    } else {
                        p[k] -= lr * gk / denom;
                    }
                });
            };
            const bool centered = grad_slot_ >= 0, momentum = momentum_slot_ >= 0;
            if (centered && momentum)
                run.template operator()<true, true>();
            else if (centered)
                run.template operator()<true, false>();
            else if (momentum)
                run.template operator()<false, true>();
            else
                run.template operator()<false, false>();
        });
    }
}

}  // namespace gibbs::optim
