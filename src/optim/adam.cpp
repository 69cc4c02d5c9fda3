// Adam, AMSGrad and AdamW: one fused pass per parameter (equations in adam.hpp).
#include "gibbs/optim/adam.hpp"

#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

namespace {
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

void Adam::update() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = grad_of(i);
        if (!g.defined()) continue;
        const double t = static_cast<double>(next_param_step(i));
        // θ ← θ − (η / (1 − β₁ᵗ)) m / (√v · (1/√(1 − β₂ᵗ)) + ε): the bias corrections folded
        // into two scalars, in float64, before the loop.
        const double step_size = lr() / (1.0 - std::pow(options_.beta1, t));
        const double inv_sqrt_bc2 = 1.0 / std::sqrt(1.0 - std::pow(options_.beta2, t));
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* __restrict p = params_[i].data<T>();
            const T* __restrict gp = g.data<T>();
            T* __restrict m = buffer(exp_avg_slot_, i).data<T>();
            T* __restrict v = buffer(exp_avg_sq_slot_, i).data<T>();
            T* __restrict vmax = max_sq_slot_ >= 0 ? buffer(max_sq_slot_, i).data<T>() : v;
            const T b1 = static_cast<T>(options_.beta1), c1 = T(1) - b1;
            const T b2 = static_cast<T>(options_.beta2), c2 = T(1) - b2;
            const T eps = static_cast<T>(options_.eps);
            const T alpha = static_cast<T>(step_size);
            const T scale = static_cast<T>(inv_sqrt_bc2);
            // Adam: g + λθ;  AdamW: θ(1 − ηλ). The other factor is 0 or 1, which changes nothing.
            const T l2 = decoupled_ ? T(0) : static_cast<T>(options_.weight_decay);
            const T shrink = decoupled_ ? static_cast<T>(1.0 - lr() * options_.weight_decay) : T(1);
            const int64_t n = g.numel();
            auto run = [&]<bool kAmsgrad>() {
                detail::for_each_element(n, [=](int64_t k) {
                    const T pk = p[k];
                    const T gk = gp[k] + l2 * pk;
                    const T mk = b1 * m[k] + c1 * gk;
                    const T vk = b2 * v[k] + c2 * gk * gk;
                    m[k] = mk;
                    v[k] = vk;
                    T vhat = vk;
                    if constexpr (kAmsgrad) {
                        vhat = vmax[k] > vk ? vmax[k] : vk;
                        vmax[k] = vhat;
                    }
                    p[k] = pk * shrink - alpha * mk / (std::sqrt(vhat) * scale + eps);
                });
            };
            if (max_sq_slot_ >= 0)
                run.template operator()<true>();
            else
                run.template operator()<false>();
        });
    }
}

}  // namespace gibbs::optim
