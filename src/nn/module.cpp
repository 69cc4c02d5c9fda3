// Module bookkeeping, Linear, Sequential and the initializers.
#include "gibbs/nn/module.hpp"

#include <cmath>

#include "gibbs/nn/init.hpp"
#include "gibbs/nn/layers.hpp"

namespace gibbs::nn {

Tensor Module::forward(const Tensor&) {
    fail("Module::forward: this module does not take one tensor");
}

Tensor& Module::register_parameter(const std::string& name, Tensor t) {
    if (t.defined()) t.requires_grad_(true);
    params_.emplace_back(name, t);
    return params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor t) {
    buffers_.emplace_back(name, t);
    return buffers_.back().second;
}

void Module::collect(const std::string& prefix, bool params,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
    for (const auto& [name, t] : params ? params_ : buffers_)
        if (t.defined()) out.emplace_back(prefix + name, t);
    for (const auto& [name, child] : children_) child->collect(prefix + name + ".", params, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
    std::vector<std::pair<std::string, Tensor>> out;
    collect("", true, out);
    return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
    std::vector<std::pair<std::string, Tensor>> out;
    collect("", false, out);
    return out;
}

std::vector<std::pair<std::string, Tensor>> Module::state() const {
    auto out = named_parameters();
    for (auto& b : named_buffers()) out.push_back(std::move(b));
    return out;
}

std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto& [name, t] : named_parameters()) out.push_back(t);
    return out;
}

int64_t Module::parameter_count() const {
    int64_t n = 0;
    for (const Tensor& t : parameters()) n += t.numel();
    return n;
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
    for (Tensor& t : parameters()) t.zero_grad();
}

void Module::to(DType dtype) {
    // Parameters are replaced in place so that handles held by members (e.g. Linear::weight)
    // see the change: the TensorImpl is kept, its storage swapped.
    auto convert = [dtype](Tensor& t) {
        if (!t.defined() || t.dtype() == dtype) return;
        const Tensor c = t.to(dtype);
        TensorImpl* impl = t.impl();
        impl->storage = c.impl()->storage;
        impl->offset = 0;
        impl->strides = c.strides();
        impl->dtype = dtype;
        impl->grad.reset();
    };
    for (auto& [name, t] : params_) convert(t);
    for (auto& [name, t] : buffers_) convert(t);
    for (auto& [name, child] : children_) child->to(dtype);
}

// ---- Linear, Sequential ----

Linear::Linear(int64_t in, int64_t out, LinearOptions options) {
    check(in > 0 && out > 0, "Linear: sizes must be positive, got in = ", in, ", out = ", out);
    Generator& gen = options.generator ? *options.generator : default_generator();
    weight = Tensor::empty({out, in}, options.dtype);
    initialize_(weight, options.init, gen);
    register_parameter("weight", weight);
    if (options.bias) {
        bias = Tensor::empty({out}, options.dtype);
        const double bound = 1.0 / std::sqrt(static_cast<double>(in));
        if (options.init == Init::uniform_fan_in)
            uniform_(bias, -bound, bound, gen);
        else
            bias.fill_(0.0);
        register_parameter("bias", bias);
    }
}

void Sequential::push_back(std::shared_ptr<Module> m) {
    register_module(std::to_string(children().size()), std::move(m));
}

Tensor Sequential::forward(const Tensor& x) {
    Tensor h = x;
    for (const auto& [name, child] : children()) h = child->forward(h);
    return h;
}

// ---- initializers ----

int64_t fan_in(const Tensor& w) {
    check(w.dim() >= 2, "fan_in: needs a weight of at least 2 dimensions, got ", w.shape());
    return w.numel() / w.size(0);
}

int64_t fan_out(const Tensor& w) {
    check(w.dim() >= 2, "fan_out: needs a weight of at least 2 dimensions, got ", w.shape());
    return w.numel() / w.size(1);
}

void uniform_(Tensor& w, double lo, double hi, Generator& gen) {
    w.copy_(uniform(w.shape(), lo, hi, gen, w.dtype()));
}
void normal_(Tensor& w, double mean, double sd, Generator& gen) {
    Tensor z = randn(w.shape(), gen, w.dtype());
    NoGradGuard no_grad;
    w.copy_(add_scalar(mul_scalar(z, sd), mean));
}
void xavier_uniform_(Tensor& w, Generator& gen) {
    const double a = std::sqrt(6.0 / static_cast<double>(fan_in(w) + fan_out(w)));
    uniform_(w, -a, a, gen);
}
void xavier_normal_(Tensor& w, Generator& gen) {
    normal_(w, 0.0, std::sqrt(2.0 / static_cast<double>(fan_in(w) + fan_out(w))), gen);
}
void he_uniform_(Tensor& w, Generator& gen) {
    const double a = std::sqrt(6.0 / static_cast<double>(fan_in(w)));
    uniform_(w, -a, a, gen);
}
void he_normal_(Tensor& w, Generator& gen) {
    normal_(w, 0.0, std::sqrt(2.0 / static_cast<double>(fan_in(w))), gen);
}

void initialize_(Tensor& w, Init init, Generator& gen) {
    switch (init) {
        case Init::uniform_fan_in: {
            const double a = 1.0 / std::sqrt(static_cast<double>(fan_in(w)));
            uniform_(w, -a, a, gen);
            break;
        }
        case Init::xavier_uniform:
            xavier_uniform_(w, gen);
            break;
        case Init::xavier_normal:
            xavier_normal_(w, gen);
            break;
        case Init::he_uniform:
            he_uniform_(w, gen);
            break;
        case Init::he_normal:
            he_normal_(w, gen);
            break;
        case Init::zeros:
            w.fill_(0.0);
            break;
    }
}

}  // namespace gibbs::nn
