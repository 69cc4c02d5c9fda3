// The optimizer base (layer 3 optim): a list of parameters, the learning rate, the step count and
// the per-parameter buffers (momenta, running averages) that the methods keep.
//
// A parameter θ is a contiguous float32 or float64 leaf tensor that requires a gradient; after
// `loss.backward()` its gradient g = ∂C/∂θ is `θ.grad()`. A step reads g and writes θ in place.
// Parameters that got no gradient in a step are skipped, as in PyTorch, and keep their own step
// count t (the t of Adam's bias correction).
//
// state() returns every buffer and counter as a named tensor, so a training run saved with it and
// resumed with load_state() continues bit for bit as if it had never stopped:
//   "step"               number of step() calls (float64 scalar)
//   "lr"                 the current learning rate (float64 scalar)
//   "params.i.step"      t of parameter i (float64 scalar)
//   "params.i.<buffer>"  a buffer shaped like parameter i, in its dtype (e.g. "params.0.exp_avg")
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::optim {

// Named tensors, in a fixed order: an optimizer's state for checkpoints.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// A function that re-evaluates the loss: it runs the forward pass, calls backward() and returns
// the loss. The optimizer clears the gradients before each call.
using Closure = std::function<double()>;

class Optimizer {
  public:
    Optimizer(std::vector<Tensor> params, double lr, const char* name);
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    const std::vector<Tensor>& params() const { return params_; }
    const char* name() const { return name_; }

    // Drops every parameter's gradient (PyTorch's set_to_none).
    void zero_grad();
    // One update of every parameter that has a gradient.
    void step();
    // Clears the gradients, evaluates the closure, steps; returns the loss before the step.
    virtual double step(const Closure& closure);

    // A step taken by a caller's own threads, slice by slice: for a fused backward pass whose
    // threads each sum one slice of the gradients and can update that slice at once, while it
    // is in their core's cache. begin_sliced_step() advances the counters as step() does and
    // returns a function that updates elements [begin, end) of the parameters concatenated in
    // order (indices 0 .. Σ numel − 1); the caller must cover every element exactly once, in
    // any split and from any threads, and only after those elements' gradients are final.
    // The result is the same as step()'s. An optimizer that cannot update by slices returns an
    // empty function and changes nothing: then call step().
    using SliceUpdate = std::function<void(int64_t begin, int64_t end)>;
    SliceUpdate begin_sliced_step();

    // The learning rate, for schedules; initial_lr() is the one given at construction.
    double lr() const { return lr_; }
    void set_lr(double lr);
    double initial_lr() const { return initial_lr_; }
    int64_t step_count() const { return step_count_; }

    // Every counter and buffer, named as in the file comment; the tensors are copies.
    NamedTensors state() const;
    // Restores a state() of an optimizer of the same kind over parameters of the same shapes and
    // dtypes. Checks everything before changing anything: a mismatch throws gibbs::Error naming
    // the entry, and leaves this optimizer as it was.
    void load_state(const NamedTensors& state);

  protected:
    // The method's update of every parameter with a gradient (step_count() already advanced).
    virtual void update() = 0;
    // The update as a function of a slice (see begin_sliced_step), or an empty function when the
    // method has none (its per-step counters must then be left as they were).
    virtual SliceUpdate sliced_update() { return {}; }

    // Adds a buffer shaped like each parameter, filled with `init`; returns its slot.
    int add_buffer(const std::string& name, double init = 0.0);
    Tensor& buffer(int slot, size_t param) { return buffers_[slot][param]; }
    // The gradient of parameter i as a contiguous tensor of its shape and dtype, or an undefined
    // tensor when it has none. Checks shape and dtype against the parameter.
    Tensor grad_of(size_t i) const;
    // Advances and returns t of parameter i.
    int64_t next_param_step(size_t i) { return ++param_steps_[i]; }
    int64_t param_step(size_t i) const { return param_steps_[i]; }
    // Advances step_count() for a subclass that overrides step(closure).
    void count_step() { ++step_count_; }

    // State kept outside the per-parameter buffers (L-BFGS's history), appended to state().
    virtual NamedTensors extra_state() const { return {}; }
    // Receives the entries of a state that are not the base's; must check all of them before
    // changing anything (the base entries are applied after it returns).
    virtual void load_extra_state(const NamedTensors& extra);

    std::vector<Tensor> params_;

  private:
    const char* name_;
    double lr_;
    double initial_lr_;
    int64_t step_count_ = 0;
    std::vector<int64_t> param_steps_;
    std::vector<std::string> buffer_names_;
    std::vector<std::vector<Tensor>> buffers_;  // [slot][param], each shaped like the param
};

}  // namespace gibbs::optim
