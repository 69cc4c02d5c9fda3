// Gradient descent and SGD with momentum: one fused pass per parameter (equations in sgd.hpp).
#include "gibbs/optim/sgd.hpp"

#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

using detail::for_each_element;

GradientDescent::GradientDescent(std::vector<Tensor> params, GradientDescentOptions options)
    : Optimizer(std::move(params), options.lr, "GradientDescent") {}

void GradientDescent::update() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = grad_of(i);
        if (!g.defined()) continue;
        next_param_step(i);
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* __restrict p = params_[i].data<T>();
            const T* __restrict gp = g.data<T>();
            const T lr = static_cast<T>(this->lr());
            for_each_element(g.numel(), [=](int64_t k) { p[k] -= lr * gp[k]; });
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
            T* __restrict p = params_[i].data<T>();
            const T* __restrict gp = g.data<T>();
            const T lr = static_cast<T>(this->lr());
            const T wd = static_cast<T>(options_.weight_decay);
            const int64_t n = g.numel();
            if (momentum_slot_ < 0) {
                for_each_element(n, [=](int64_t k) { p[k] -= lr * (gp[k] + wd * p[k]); });
                return;
            }
            T* __restrict b = buffer(momentum_slot_, i).data<T>();
            const T mu = static_cast<T>(options_.momentum);
            // b ← g at the first step: μ·0 + 1·g, exactly.
            const T keep = first ? T(0) : mu;
            const T take = first ? T(1) : T(1) - static_cast<T>(options_.dampening);
            if (options_.nesterov) {
                for_each_element(n, [=](int64_t k) {
                    const T gk = gp[k] + wd * p[k];
                    const T bk = keep * b[k] + take * gk;
                    b[k] = bk;
                    p[k] -= lr * (gk + mu * bk);
                });
            } else {
                for_each_element(n, [=](int64_t k) {
                    const T bk = keep * b[k] + take * (gp[k] + wd * p[k]);
                    b[k] = bk;
                    p[k] -= lr * bk;
                });
            }
        });
    }
}

}  // namespace gibbs::optim
