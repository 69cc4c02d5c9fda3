// Gradient descent and stochastic gradient descent with momentum, in PyTorch's conventions.
//
// Plain gradient descent:   θ ← θ − η g.
// SGD with weight decay λ, momentum μ, dampening τ (PyTorch's torch.optim.SGD):
//   g ← g + λθ
//   b ← g at a parameter's first step, else b ← μ b + (1 − τ) g
//   g ← g + μ b (Nesterov)   or   g ← b (heavy ball, Polyak 1964)
//   θ ← θ − η g
// The Nesterov form is Sutskever et al., "On the importance of initialization and momentum in
// deep learning", ICML 2013, rewritten at the look-ahead point as PyTorch does.
#pragma once

#include "gibbs/optim/optimizer.hpp"

namespace gibbs::optim {

struct GradientDescentOptions {
    double lr = 1e-2;
};

class GradientDescent : public Optimizer {
  public:
    explicit GradientDescent(std::vector<Tensor> params, GradientDescentOptions options = {});

  protected:
    void update() override;
};

struct SgdOptions {
    double lr = 1e-2;
    double momentum = 0.0;
    double dampening = 0.0;
    double weight_decay = 0.0;
    bool nesterov = false;
};

class Sgd : public Optimizer {
  public:
    explicit Sgd(std::vector<Tensor> params, SgdOptions options = {});
    const SgdOptions& options() const { return options_; }

  protected:
    void update() override;

  private:
    SgdOptions options_;
    int momentum_slot_ = -1;  // "momentum_buffer" b, when μ ≠ 0
};

}  // namespace gibbs::optim
