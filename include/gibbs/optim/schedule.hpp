// Learning-rate schedules: each sets its optimizer's learning rate to a closed-form function η(t)
// of a counter t, advanced by step() once per epoch or per batch, as the training loop chooses:
//   opt.zero_grad(); loss.backward(); opt.step(); sched.step();
// A schedule sets η(0) when it is made; it holds a reference to its optimizer, which must outlive
// it. To resume a run, seek(t) to the count() saved with the checkpoint. η₀ is the optimizer's
// initial_lr(), so schedules stacked on one optimizer, or composed with SequentialLr, all start
// from the same base.
//   StepLr             η(t) = η₀ γ^⌊t / step_size⌋
//   ExponentialLr      η(t) = η₀ γ^t
//   CosineAnnealingLr  η(t) = η_min + (η₀ − η_min)(1 + cos(π min(t, T) / T)) / 2
//                      (Loshchilov & Hutter, "SGDR", ICLR 2017, without restarts; NOTE: held
//                      at η_min after T, where PyTorch's recursive form would rise again)
//   LinearWarmupLr     η(t) = η₀ (f₀ + (1 − f₀) min(t, W) / W)
//   SequentialLr       the k-th schedule from milestone k on, with its own counter restarted:
//                      η(t) = schedule_k(t − milestone_k)
//   WarmupCosineLr     LinearWarmupLr for W steps, then cosine annealing over the remaining
//                      T − W (Goyal et al., arXiv:1706.02677, 2017; a SequentialLr)
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gibbs/optim/optimizer.hpp"

namespace gibbs::optim {

class LrScheduler {
  public:
    explicit LrScheduler(Optimizer& optimizer);
    virtual ~LrScheduler() = default;

    // η(t) in closed form.
    virtual double lr_at(int64_t t) const = 0;
    // t ← t + 1 and sets the optimizer's learning rate to η(t).
    void step() { seek(t_ + 1); }
    // Sets t (to resume a run) and the learning rate η(t).
    void seek(int64_t t);
    int64_t count() const { return t_; }
    double base_lr() const { return base_lr_; }
    Optimizer& optimizer() const { return *optimizer_; }

  private:
    Optimizer* optimizer_;
    double base_lr_;
    int64_t t_ = 0;
};

struct StepLrOptions {
    int64_t step_size = 1;
    double gamma = 0.1;
};

class StepLr : public LrScheduler {
  public:
    StepLr(Optimizer& optimizer, StepLrOptions options);
    double lr_at(int64_t t) const override;

  private:
    StepLrOptions options_;
};

struct ExponentialLrOptions {
    double gamma = 0.99;
};

class ExponentialLr : public LrScheduler {
  public:
    ExponentialLr(Optimizer& optimizer, ExponentialLrOptions options);
    double lr_at(int64_t t) const override;

  private:
    ExponentialLrOptions options_;
};

struct CosineAnnealingLrOptions {
    int64_t t_max = 1;     // T
    double eta_min = 0.0;  // η_min
};

class CosineAnnealingLr : public LrScheduler {
  public:
    CosineAnnealingLr(Optimizer& optimizer, CosineAnnealingLrOptions options);
    double lr_at(int64_t t) const override;

  private:
    CosineAnnealingLrOptions options_;
};

struct LinearWarmupLrOptions {
    int64_t warmup_steps = 1;   // W
    double start_factor = 0.1;  // f₀ (0 would waste the first step)
};

class LinearWarmupLr : public LrScheduler {
  public:
    LinearWarmupLr(Optimizer& optimizer, LinearWarmupLrOptions options);
    double lr_at(int64_t t) const override;

  private:
    LinearWarmupLrOptions options_;
};

class SequentialLr : public LrScheduler {
  public:
    // schedules.size() == milestones.size() + 1; milestones strictly increasing and positive.
    SequentialLr(Optimizer& optimizer, std::vector<std::shared_ptr<LrScheduler>> schedules,
                 std::vector<int64_t> milestones);
    double lr_at(int64_t t) const override;

  private:
    std::vector<std::shared_ptr<LrScheduler>> schedules_;
    std::vector<int64_t> milestones_;
};

struct WarmupCosineLrOptions {
    int64_t warmup_steps = 0;   // W
    int64_t total_steps = 1;    // T (warm-up included)
    double eta_min = 0.0;       // η_min
    double start_factor = 0.1;  // f₀
};

class WarmupCosineLr : public SequentialLr {
  public:
    WarmupCosineLr(Optimizer& optimizer, WarmupCosineLrOptions options);
};

}  // namespace gibbs::optim
