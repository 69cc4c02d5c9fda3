// Adam: Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015; AMSGrad: Reddi,
// Kale & Kumar, "On the convergence of Adam and beyond", ICLR 2018; AdamW: Loshchilov & Hutter,
// "Decoupled weight decay regularization", ICLR 2019. With t a parameter's step count:
//   Adam:   g ← g + λθ                 (L2 penalty folded into the gradient)
//   AdamW:  θ ← θ (1 − ηλ)             (decay decoupled from the gradient)
//   m ← β₁ m + (1 − β₁) g,     v ← β₂ v + (1 − β₂) g²
//   v̂ ← max(v̂, v) with AMSGrad, else v̂ = v
//   θ ← θ − η m̂ / (√v̂' + ε),  m̂ = m / (1 − β₁ᵗ),  v̂' = v̂ / (1 − β₂ᵗ)
#pragma once

#include "gibbs/optim/optimizer.hpp"

namespace gibbs::optim {

struct AdamOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0.0;
    bool amsgrad = false;
};

// AdamW's options: Adam's, with PyTorch's default decoupled decay of 1e-2.
struct AdamWOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 1e-2;
    bool amsgrad = false;
};

class Adam : public Optimizer {
  public:
    explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
    const AdamOptions& options() const { return options_; }

  protected:
    Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled, const char* name);
    void update() override;
    SliceUpdate sliced_update() override;

  private:
    AdamOptions options_;
    bool decoupled_;
    int exp_avg_slot_ = -1;     // "exp_avg" m
    int exp_avg_sq_slot_ = -1;  // "exp_avg_sq" v
    int max_sq_slot_ = -1;      // "max_exp_avg_sq" v̂, with AMSGrad
};

class AdamW : public Adam {
  public:
    explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {});
};

}  // namespace gibbs::optim
