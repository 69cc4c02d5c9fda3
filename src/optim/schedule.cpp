// Learning-rate schedules in closed form (equations in schedule.hpp).
#include "gibbs/optim/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gibbs::optim {

LrScheduler::LrScheduler(Optimizer& optimizer)
    : optimizer_(&optimizer), base_lr_(optimizer.initial_lr()) {}

void LrScheduler::seek(int64_t t) {
    check(t >= 0, "LrScheduler::seek: the step must be >= 0, got ", t);
    t_ = t;
    optimizer_->set_lr(lr_at(t));
}

StepLr::StepLr(Optimizer& optimizer, StepLrOptions options)
    : LrScheduler(optimizer), options_(options) {
    check(options.step_size >= 1, "StepLr: step_size must be >= 1, got ", options.step_size);
    check(std::isfinite(options.gamma) && options.gamma >= 0, "StepLr: gamma must be >= 0, got ",
          options.gamma);
    seek(0);
}

double StepLr::lr_at(int64_t t) const {
    return base_lr() * std::pow(options_.gamma, static_cast<double>(t / options_.step_size));
}

ExponentialLr::ExponentialLr(Optimizer& optimizer, ExponentialLrOptions options)
    : LrScheduler(optimizer), options_(options) {
    check(std::isfinite(options.gamma) && options.gamma >= 0,
          "ExponentialLr: gamma must be >= 0, got ", options.gamma);
    seek(0);
}

double ExponentialLr::lr_at(int64_t t) const {
    return base_lr() * std::pow(options_.gamma, static_cast<double>(t));
}

CosineAnnealingLr::CosineAnnealingLr(Optimizer& optimizer, CosineAnnealingLrOptions options)
    : LrScheduler(optimizer), options_(options) {
    check(options.t_max >= 1, "CosineAnnealingLr: t_max must be >= 1, got ", options.t_max);
    check(std::isfinite(options.eta_min) && options.eta_min >= 0,
          "CosineAnnealingLr: eta_min must be >= 0, got ", options.eta_min);
    seek(0);
}

double CosineAnnealingLr::lr_at(int64_t t) const {
    const double phase =
        static_cast<double>(std::min(t, options_.t_max)) / static_cast<double>(options_.t_max);
    return options_.eta_min +
           (base_lr() - options_.eta_min) * (1.0 + std::cos(std::numbers::pi * phase)) / 2.0;
}

LinearWarmupLr::LinearWarmupLr(Optimizer& optimizer, LinearWarmupLrOptions options)
    : LrScheduler(optimizer), options_(options) {
    check(options.warmup_steps >= 1, "LinearWarmupLr: warmup_steps must be >= 1, got ",
          options.warmup_steps);
    check(options.start_factor >= 0 && options.start_factor <= 1,
          "LinearWarmupLr: start_factor must be in [0, 1], got ", options.start_factor);
    seek(0);
}

double LinearWarmupLr::lr_at(int64_t t) const {
    const double f0 = options_.start_factor;
    const double done = static_cast<double>(std::min(t, options_.warmup_steps)) /
                        static_cast<double>(options_.warmup_steps);
    return base_lr() * (f0 + (1.0 - f0) * done);
}

SequentialLr::SequentialLr(Optimizer& optimizer,
                           std::vector<std::shared_ptr<LrScheduler>> schedules,
                           std::vector<int64_t> milestones)
    : LrScheduler(optimizer), schedules_(std::move(schedules)), milestones_(std::move(milestones)) {
    check(!schedules_.empty(), "SequentialLr: no schedules");
    check(schedules_.size() == milestones_.size() + 1, "SequentialLr: ", schedules_.size(),
          " schedules need ", schedules_.size() - 1, " milestones, got ", milestones_.size());
    for (size_t k = 0; k < schedules_.size(); ++k) {
        check(schedules_[k] != nullptr, "SequentialLr: schedule ", k, " is null");
        check(&schedules_[k]->optimizer() == &optimizer, "SequentialLr: schedule ", k,
              " drives another optimizer");
    }
    for (size_t k = 0; k < milestones_.size(); ++k)
        check(milestones_[k] > (k == 0 ? 0 : milestones_[k - 1]),
              "SequentialLr: milestones must be positive and increasing, got ", milestones_[k],
              " at position ", k);
    seek(0);
}

double SequentialLr::lr_at(int64_t t) const {
    size_t k = 0;
    while (k < milestones_.size() && t >= milestones_[k]) ++k;
    return schedules_[k]->lr_at(k == 0 ? t : t - milestones_[k - 1]);
}

namespace {
std::vector<std::shared_ptr<LrScheduler>> warmup_then_cosine(Optimizer& opt,
                                                             const WarmupCosineLrOptions& o) {
    check(o.warmup_steps >= 1 && o.warmup_steps < o.total_steps,
          "WarmupCosineLr: need 1 <= warmup_steps < total_steps, got warmup_steps = ",
          o.warmup_steps, ", total_steps = ", o.total_steps);
    return {std::make_shared<LinearWarmupLr>(opt,
                                             LinearWarmupLrOptions{.warmup_steps = o.warmup_steps,
                                                                   .start_factor = o.start_factor}),
            std::make_shared<CosineAnnealingLr>(
                opt, CosineAnnealingLrOptions{.t_max = o.total_steps - o.warmup_steps,
                                              .eta_min = o.eta_min})};
}
}  // namespace

WarmupCosineLr::WarmupCosineLr(Optimizer& optimizer, WarmupCosineLrOptions options)
    : SequentialLr(optimizer, warmup_then_cosine(optimizer, options), {options.warmup_steps}) {}

}  // namespace gibbs::optim
