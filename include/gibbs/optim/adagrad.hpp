// AdaGrad: Duchi, Hazan & Singer, "Adaptive subgradient methods for online learning and
// stochastic optimization", JMLR 12 (2011). In PyTorch's form, with t a parameter's step count:
//   g ← g + λθ
//   η_t = η / (1 + (t − 1) κ)          (κ: lr_decay)
//   s ← s + g²                          (s starts at initial_accumulator_value)
//   θ ← θ − η_t g / (√s + ε)
#pragma once

#include "gibbs/optim/optimizer.hpp"

namespace gibbs::optim {

struct AdagradOptions {
    double lr = 1e-2;
    double lr_decay = 0.0;
    double weight_decay = 0.0;
    double initial_accumulator_value = 0.0;
    double eps = 1e-10;
};

class Adagrad : public Optimizer {
  public:
    explicit Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
    const AdagradOptions& options() const { return options_; }

  protected:
    void update() override;

  private:
    AdagradOptions options_;
    int sum_slot_ = -1;  // "sum" s
};

}  // namespace gibbs::optim
