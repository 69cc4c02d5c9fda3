// AdaGrad: one fused pass per parameter (equations in adagrad.hpp).
#include "gibbs/optim/adagrad.hpp"

#include <cmath>

#include "optim/foreach.hpp"

namespace gibbs::optim {

namespace {

// s ← s + g²;  θ ← θ − η_t g / (√s + ε), with g ← g + λθ, over [begin, end).
template <typename T>
void adagrad_range(T* __restrict p, const T* __restrict g, T* __restrict s, int64_t begin,
                   int64_t end, T lr, T wd, T eps) {
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) {
        const T gk = g[k] + wd * p[k];
        const T sk = s[k] + gk * gk;
        s[k] = sk;
        p[k] -= lr * gk / (std::sqrt(sk) + eps);
    }
}

}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Optimizer(std::move(params), options.lr, "Adagrad"), options_(options) {
    check(std::isfinite(options.lr_decay) && options.lr_decay >= 0,
          "Adagrad: lr_decay must be >= 0, got ", options.lr_decay);
    check(std::isfinite(options.weight_decay) && options.weight_decay >= 0,
          "Adagrad: weight_decay must be >= 0, got ", options.weight_decay);
    check(
        std::isfinite(options.initial_accumulator_value) && options.initial_accumulator_value >= 0,
        "Adagrad: initial_accumulator_value must be >= 0, got ", options.initial_accumulator_value);
    check(std::isfinite(options.eps) && options.eps >= 0, "Adagrad: eps must be >= 0, got ",
          options.eps);
    sum_slot_ = add_buffer("sum", options.initial_accumulator_value);
}

void Adagrad::update() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = grad_of(i);
        if (!g.defined()) continue;
        const int64_t t = next_param_step(i);
        const double lr_t = lr() / (1.0 + static_cast<double>(t - 1) * options_.lr_decay);
        dispatch(params_[i].dtype(), [&]<typename T>() {
            T* p = params_[i].data<T>();
            const T* gp = g.data<T>();
            T* s = buffer(sum_slot_, i).data<T>();
            const T lr = static_cast<T>(lr_t);
            const T wd = static_cast<T>(options_.weight_decay);
            const T eps = static_cast<T>(options_.eps);
            detail::for_each_range(g.numel(), [&](int64_t begin, int64_t end) {
                adagrad_range<T>(p, gp, s, begin, end, lr, wd, eps);
            });
        });
    }
}

}  // namespace gibbs::optim
