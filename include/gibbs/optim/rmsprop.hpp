// RMSprop: Tieleman & Hinton, Coursera lecture 6.5 (2012); the centered variant is Graves,
// "Generating sequences with recurrent neural networks", arXiv:1308.0850 (2013). PyTorch's form:
//   g ← g + λθ
//   v ← α v + (1 − α) g²
//   centered:  ḡ ← α ḡ + (1 − α) g,   D = √(v − ḡ²) + ε;   otherwise D = √v + ε
//   momentum μ > 0:  b ← μ b + g / D,   θ ← θ − η b;   otherwise θ ← θ − η g / D
#pragma once

#include "gibbs/optim/optimizer.hpp"

namespace gibbs::optim {

struct RmspropOptions {
    double lr = 1e-2;
    double alpha = 0.99;
    double eps = 1e-8;
    double weight_decay = 0.0;
    double momentum = 0.0;
    bool centered = false;
};

class Rmsprop : public Optimizer {
  public:
    explicit Rmsprop(std::vector<Tensor> params, RmspropOptions options = {});
    const RmspropOptions& options() const { return options_; }

  protected:
    void update() override;

  private:
    RmspropOptions options_;
    int square_slot_ = -1;    // "square_avg" v
    int grad_slot_ = -1;      // "grad_avg" ḡ, when centered
    int momentum_slot_ = -1;  // "momentum_buffer" b, when μ > 0
};

}  // namespace gibbs::optim
