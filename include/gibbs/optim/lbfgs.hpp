// L-BFGS: Liu & Nocedal, "On the limited memory BFGS method for large scale optimization",
// Math. Programming 45 (1989); Nocedal & Wright, "Numerical Optimization" (2nd ed. 2006), §7.2.
//
// The parameters are treated as one flat vector x. With the m most recent pairs
// s_k = x_{k+1} − x_k and y_k = ∇f_{k+1} − ∇f_k (kept only when yᵀs > 1e-10, which keeps the
// inverse-Hessian estimate H positive definite), the direction d = −H ∇f comes from the two-loop
// recursion (Algorithm 7.4) with H₀ = γ I, γ = sᵀy / yᵀy of the newest pair:
//   q ← ∇f;  for k newest → oldest:  α_k = ρ_k s_kᵀ q,  q ← q − α_k y_k      (ρ_k = 1 / y_kᵀ s_k)
//   r ← γ q; for k oldest → newest:  β = ρ_k y_kᵀ r,   r ← r + s_k (α_k − β)
//   d = −r
// then x ← x + t d, with t = η (the first iteration: t = η min(1, 1/‖∇f‖₁)) or t from a line
// search satisfying the strong Wolfe conditions. One step() runs up to max_iter iterations, as
// PyTorch's torch.optim.LBFGS does, and stops early when ‖∇f‖_∞ ≤ tolerance_grad, or when the
// step or the change of f falls below tolerance_change. The vectors are kept in float64 whatever
// the parameters' dtype.
#pragma once

#include "gibbs/optim/line_search.hpp"
#include "gibbs/optim/optimizer.hpp"

namespace gibbs::optim {

enum class LineSearch { none, strong_wolfe };

struct LbfgsOptions {
    double lr = 1.0;
    int max_iter = 20;               // iterations per step()
    int max_eval = 0;                // closure evaluations per step(); 0 means max_iter * 5 / 4
    double tolerance_grad = 1e-7;    // on ‖∇f‖_∞
    double tolerance_change = 1e-9;  // on the step and on the change of f
    int history_size = 100;          // m
    LineSearch line_search = LineSearch::none;
    StrongWolfeOptions wolfe = {};
};

class Lbfgs : public Optimizer {
  public:
    explicit Lbfgs(std::vector<Tensor> params, LbfgsOptions options = {});
    const LbfgsOptions& options() const { return options_; }

    // Runs up to max_iter iterations, evaluating `closure` (which computes the loss and calls
    // backward) as often as needed; returns the loss at the parameters it started from.
    double step(const Closure& closure) override;
    // Closure evaluations since construction.
    int64_t function_evaluations() const { return func_evals_; }

  protected:
    void update() override;  // throws: L-BFGS needs a closure
    NamedTensors extra_state() const override;
    void load_extra_state(const NamedTensors& extra) override;

  private:
    int64_t numel_total() const;
    void gather_grad(std::vector<double>& g) const;  // flat ∇f; 0 for parameters with no grad
    void gather_params(std::vector<double>& x) const;
    void scatter_params(const std::vector<double>& x);
    void add_to_params(double t, const std::vector<double>& d);  // x ← x + t d
    double evaluate(const Closure& closure, std::vector<double>& g);

    LbfgsOptions options_;
    // Kept between step() calls, all exposed by state():
    int64_t n_iter_ = 0;                      // "n_iter": iterations since construction
    int64_t func_evals_ = 0;                  // "func_evals"
    std::vector<double> d_;                   // "d": the last direction
    double t_ = 0.0;                          // "t": the last step length
    double gamma_ = 1.0;                      // "H_diag": γ
    std::vector<double> prev_grad_;           // "prev_flat_grad": ∇f where d was taken
    double prev_loss_ = 0.0;                  // "prev_loss"
    std::vector<std::vector<double>> s_, y_;  // "history.k.s", "history.k.y", oldest first
    std::vector<double> rho_;                 // "history.k.rho"
};

}  // namespace gibbs::optim
