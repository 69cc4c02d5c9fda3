// The optimizer base: parameter checks, step counters, buffers and the checkpoint state.
#include "gibbs/optim/optimizer.hpp"

#include <cmath>
#include <map>
#include <set>

namespace gibbs::optim {

Optimizer::Optimizer(std::vector<Tensor> params, double lr, const char* name)
    : params_(std::move(params)), name_(name), lr_(lr), initial_lr_(lr) {
    check(!params_.empty(), name_, ": no parameters to optimize");
    check(std::isfinite(lr) && lr >= 0, name_, ": the learning rate must be finite and >= 0, got ",
          lr);
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor& p = params_[i];
        check(p.defined(), name_, ": parameter ", i, " is an undefined tensor");
        check(p.is_leaf(), name_, ": parameter ", i, " of shape ", p.shape(),
              " is not a leaf tensor (it was computed from others; detach() it)");
        check(p.requires_grad(), name_, ": parameter ", i, " of shape ", p.shape(),
              " does not require grad (call requires_grad_())");
        check(p.is_contiguous(), name_, ": parameter ", i, " of shape ", p.shape(),
              " is not contiguous");
        for (size_t j = 0; j < i; ++j)
            check(params_[j].impl() != p.impl(), name_, ": parameter ", i,
                  " is the same tensor as parameter ", j);
    }
    param_steps_.assign(params_.size(), 0);
}

void Optimizer::zero_grad() {
    for (Tensor& p : params_) p.zero_grad();
}

void Optimizer::step() {
    ++step_count_;
    update();
}

Optimizer::SliceUpdate Optimizer::begin_sliced_step() {
    SliceUpdate f = sliced_update();
    if (f) ++step_count_;
    return f;
}

double Optimizer::step(const Closure& closure) {
    zero_grad();
    const double loss = closure();
    step();
    return loss;
}

void Optimizer::set_lr(double lr) {
    check(std::isfinite(lr) && lr >= 0, name_, ": the learning rate must be finite and >= 0, got ",
          lr);
    lr_ = lr;
}

int Optimizer::add_buffer(const std::string& name, double init) {
    std::vector<Tensor> slot;
    slot.reserve(params_.size());
    for (const Tensor& p : params_) slot.push_back(Tensor::full(p.shape(), init, p.dtype()));
    buffer_names_.push_back(name);
    buffers_.push_back(std::move(slot));
    return static_cast<int>(buffers_.size()) - 1;
}

Tensor Optimizer::grad_of(size_t i) const {
    const Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) return g;
    check(g.shape() == p.shape() && g.dtype() == p.dtype(), name_, ": the gradient of parameter ",
          i, " is ", dtype_name(g.dtype()), " ", g.shape(), " but the parameter is ",
          dtype_name(p.dtype()), " ", p.shape());
    return g.contiguous();
}

namespace {
std::string param_entry(size_t i, const std::string& what) {
    return "params." + std::to_string(i) + "." + what;
}
}  // namespace

NamedTensors Optimizer::state() const {
    NamedTensors out;
    out.emplace_back("step", Tensor::scalar(static_cast<double>(step_count_), DType::f64));
    out.emplace_back("lr", Tensor::scalar(lr_, DType::f64));
    for (size_t i = 0; i < params_.size(); ++i) {
        out.emplace_back(param_entry(i, "step"),
                         Tensor::scalar(static_cast<double>(param_steps_[i]), DType::f64));
        for (size_t s = 0; s < buffers_.size(); ++s)
            out.emplace_back(param_entry(i, buffer_names_[s]), buffers_[s][i].clone());
    }
    for (auto& entry : extra_state()) out.push_back(std::move(entry));
    return out;
}

void Optimizer::load_extra_state(const NamedTensors& extra) {
    if (!extra.empty())
        fail(name_, "::load_state: unexpected entry '", extra.front().first,
             "' (a state saved from another kind of optimizer?)");
}

void Optimizer::load_state(const NamedTensors& state) {
    // Index the entries, rejecting duplicates.
    std::map<std::string, const Tensor*> entries;
    for (const auto& [name, t] : state) {
        check(entries.emplace(name, &t).second, name_, "::load_state: entry '", name,
              "' appears twice");
        check(t.defined(), name_, "::load_state: entry '", name, "' is an undefined tensor");
    }
    std::set<std::string> used;
    auto take = [&](const std::string& name) -> const Tensor& {
        auto it = entries.find(name);
        check(it != entries.end(), name_, "::load_state: missing entry '", name, "'");
        used.insert(name);
        return *it->second;
    };
    auto counter = [&](const std::string& name) -> int64_t {
        const Tensor& t = take(name);
        check(t.numel() == 1, name_, "::load_state: entry '", name, "' has shape ", t.shape(),
              ", expected one value");
        const double v = t.item();
        check(v >= 0 && v == std::floor(v) && v < 9.007199254740992e15, name_,
              "::load_state: entry '", name, "' is ", v, ", expected a count");
        return static_cast<int64_t>(v);
    };

    // Check everything first.
    const int64_t step_count = counter("step");
    const Tensor& lr_t = take("lr");
    check(lr_t.numel() == 1, name_, "::load_state: entry 'lr' has shape ", lr_t.shape(),
          ", expected one value");
    const double lr = lr_t.item();
    check(std::isfinite(lr) && lr >= 0, name_, "::load_state: entry 'lr' is ", lr);
    std::vector<int64_t> param_steps(params_.size());
    std::vector<std::vector<const Tensor*>> buffers(buffers_.size());
    for (size_t i = 0; i < params_.size(); ++i) {
        param_steps[i] = counter(param_entry(i, "step"));
        for (size_t s = 0; s < buffers_.size(); ++s) {
            const std::string name = param_entry(i, buffer_names_[s]);
            const Tensor& t = take(name);
            const Tensor& p = params_[i];
            check(t.shape() == p.shape() && t.dtype() == p.dtype(), name_, "::load_state: entry '",
                  name, "' is ", dtype_name(t.dtype()), " ", t.shape(), " but parameter ", i,
                  " is ", dtype_name(p.dtype()), " ", p.shape());
            buffers[s].push_back(&t);
        }
    }
    NamedTensors extra;
    for (const auto& entry : state)
        if (!used.count(entry.first)) extra.push_back(entry);
    load_extra_state(extra);  // checks all of its entries before it changes anything

    // Then apply.
    step_count_ = step_count;
    lr_ = lr;
    param_steps_ = param_steps;
    for (size_t s = 0; s < buffers_.size(); ++s)
        for (size_t i = 0; i < params_.size(); ++i) buffers_[s][i].copy_(*buffers[s][i]);
}

}  // namespace gibbs::optim
