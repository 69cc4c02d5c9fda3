// Reverse-mode automatic differentiation (layer 2): the graph node, recording an op, grad mode.
//
// Define-by-run: each differentiable op computes its value with layer-1 kernels and, when grad
// mode is on and some input requires a gradient, records a Node holding its inputs and a backward
// closure (micrograd's design). Tensor::backward() sorts the graph topologically and walks it in
// reverse, accumulating into the .grad of leaf tensors.
#pragma once

#include <functional>
#include <vector>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::autograd {

// The gradients of an op's inputs given the gradient of its output; an undefined Tensor for an
// input that needs none.
using Grads = std::vector<Tensor>;
using BackwardFn = std::function<Grads(const Tensor& grad_out)>;

struct Node {
    const char* name;
    std::vector<Tensor> inputs;
    BackwardFn backward;
};

// Whether ops record the graph on this thread (on by default).
bool grad_enabled();
void set_grad_enabled(bool on);

// Makes `out` the result of an op over `inputs` with the given backward, if grad mode is on and
// some input requires a gradient; returns `out`.
Tensor record(Tensor out, std::vector<Tensor> inputs, BackwardFn backward, const char* name);

// True when `t` is an input whose gradient the backward closure must compute.
inline bool needs_grad(const Tensor& t) { return t.defined() && t.requires_grad(); }

}  // namespace gibbs::autograd

namespace gibbs {

// Turns graph recording off for its lifetime (evaluation, sampling, optimizer updates).
class NoGradGuard {
  public:
    NoGradGuard() : previous_(autograd::grad_enabled()) { autograd::set_grad_enabled(false); }
    ~NoGradGuard() { autograd::set_grad_enabled(previous_); }
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

  private:
    bool previous_;
};

}  // namespace gibbs
