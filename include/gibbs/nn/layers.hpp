// Layers: Linear, Sequential and the activation modules (and, through conv.hpp and norm.hpp, the
// image layers: convolutions, pooling, upsampling, normalization, dropout).
#pragma once

#include <memory>
#include <type_traits>

#include "gibbs/nn/conv.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/nn/init.hpp"
#include "gibbs/nn/module.hpp"
#include "gibbs/nn/norm.hpp"

namespace gibbs::nn {

struct LinearOptions {
    bool bias = true;
    // PyTorch's default: W, b ~ U(−1/√in, 1/√in). Xavier and He are the alternatives.
    Init init = Init::uniform_fan_in;
    DType dtype = DType::f32;
    Generator* generator = nullptr;  // nullptr: the default generator
};

// y = x Wᵀ + b, W (out, in), b (out).
class Linear : public Module {
  public:
    Linear(int64_t in, int64_t out, LinearOptions options = {});
    Tensor forward(const Tensor& x) override { return linear(x, weight, bias); }
    Tensor weight;  // (out, in)
    Tensor bias;    // (out), undefined without bias
};

// Applies its children in order; children are named "0", "1", ...
class Sequential : public Module {
  public:
    Sequential() = default;
    template <typename... M>
    requires(sizeof...(M) > 0 && (std::is_base_of_v<Module, std::decay_t<M>> &&
                                  ...)) explicit Sequential(M&&... modules) {
        (push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(modules))), ...);
    }
    void push_back(std::shared_ptr<Module> m);
    Tensor forward(const Tensor& x) override;
    size_t size() const { return children().size(); }
    Module& operator[](size_t i) const { return *children()[i].second; }
};

// Activations as modules, each the function of the same name in gibbs/autograd/ops.hpp.
#define GIBBS_ACTIVATION(Name, call)                              \
    class Name : public Module {                                  \
      public:                                                     \
        Tensor forward(const Tensor& x) override { return call; } \
    };
GIBBS_ACTIVATION(Identity, x)
GIBBS_ACTIVATION(ReLU, relu(x))
GIBBS_ACTIVATION(Sigmoid, sigmoid(x))
GIBBS_ACTIVATION(Tanh, tanh(x))
GIBBS_ACTIVATION(GELU, gelu(x))
GIBBS_ACTIVATION(SiLU, silu(x))
GIBBS_ACTIVATION(Softplus, softplus(x))
#undef GIBBS_ACTIVATION

class LeakyReLU : public Module {
  public:
    explicit LeakyReLU(double slope = 0.01) : slope_(slope) {}
    Tensor forward(const Tensor& x) override { return leaky_relu(x, slope_); }

  private:
    double slope_;
};

class ELU : public Module {
  public:
    explicit ELU(double alpha = 1.0) : alpha_(alpha) {}
    Tensor forward(const Tensor& x) override { return elu(x, alpha_); }

  private:
    double alpha_;
};

class Softmax : public Module {
  public:
    explicit Softmax(int axis = -1) : axis_(axis) {}
    Tensor forward(const Tensor& x) override { return softmax(x, axis_); }

  private:
    int axis_;
};

class LogSoftmax : public Module {
  public:
    explicit LogSoftmax(int axis = -1) : axis_(axis) {}
    Tensor forward(const Tensor& x) override { return log_softmax(x, axis_); }

  private:
    int axis_;
};

// (N, d1, d2, ...) -> (N, d1·d2·...).
class Flatten : public Module {
  public:
    Tensor forward(const Tensor& x) override { return x.flatten(1); }
};

}  // namespace gibbs::nn
