// Module: a function with named parameters (PyTorch's nn.Module in C++). Parameters and child
// modules are registered by name, so `named_parameters()` gives paths like "layers.0.weight",
// which are also the tensor names in safetensors checkpoints.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gibbs/autograd/ops.hpp"

namespace gibbs::nn {

class Module {
  public:
    virtual ~Module() = default;

    // One input, one output; modules with other signatures add their own call operators.
    virtual Tensor forward(const Tensor& x);
    Tensor operator()(const Tensor& x) { return forward(x); }

    // All parameters, depth first in registration order.
    std::vector<Tensor> parameters() const;
    std::vector<std::pair<std::string, Tensor>> named_parameters() const;
    // Non-trainable state saved with the model (e.g. batch-norm running statistics).
    std::vector<std::pair<std::string, Tensor>> named_buffers() const;
    // Parameters and buffers together: what a checkpoint holds.
    std::vector<std::pair<std::string, Tensor>> state() const;
    int64_t parameter_count() const;

    void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }
    void zero_grad();
    // Casts every parameter and buffer to `dtype` (e.g. float64 for gradient checks).
    void to(DType dtype);

    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
        return children_;
    }

  protected:
    // Registers a parameter (a leaf that requires grad) and returns it.
    Tensor& register_parameter(const std::string& name, Tensor t);
    Tensor& register_buffer(const std::string& name, Tensor t);
    template <typename M>
    std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
        children_.emplace_back(name, m);
        return m;
    }

  private:
    void collect(const std::string& prefix, bool params,
                 std::vector<std::pair<std::string, Tensor>>& out) const;

    std::vector<std::pair<std::string, Tensor>> params_;
    std::vector<std::pair<std::string, Tensor>> buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

}  // namespace gibbs::nn
