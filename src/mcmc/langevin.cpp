// Batched ULA and MALA (gibbs/mcmc/langevin.hpp).
#include "gibbs/mcmc/langevin.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/autograd/ops.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::mcmc {

namespace {

// Sets grad mode for its lifetime (NoGradGuard only switches it off).
class GradMode {
  public:
    explicit GradMode(bool on) : previous_(autograd::grad_enabled()) {
        autograd::set_grad_enabled(on);
    }
    ~GradMode() { autograd::set_grad_enabled(previous_); }
    GradMode(const GradMode&) = delete;
    GradMode& operator=(const GradMode&) = delete;

  private:
    bool previous_;
};

void check_options(const Tensor& x, int64_t steps, const LangevinOptions& o) {
    check(x.defined() && x.dim() >= 1 && x.size(0) >= 1,
          "langevin: the chains x must be (B, ...) with B >= 1");
    check(steps >= 0, "langevin: the number of steps must not be negative, got ", steps);
    check(std::isfinite(o.step_size) && o.step_size > 0,
          "langevin: the step size must be positive, got ", o.step_size);
    check(std::isfinite(o.noise_scale) && o.noise_scale >= 0,
          "langevin: the noise scale must not be negative, got ", o.noise_scale);
    check(o.kind != LangevinKind::mala || o.noise_scale > 0,
          "langevin: MALA needs a positive noise scale");
    check(std::isfinite(o.grad_clip) && o.grad_clip >= 0,
          "langevin: the gradient clip must not be negative (0: none), got ", o.grad_clip);
    check(o.lo.has_value() == o.hi.has_value(), "langevin: give both ends of the box or neither");
    check(!o.lo || *o.lo < *o.hi, "langevin: the box [", o.lo.value_or(0), ", ", o.hi.value_or(0),
          "] is empty");
}

EnergyAndGrad evaluate(const EnergyFn& energy, const Tensor& x) {
    EnergyAndGrad eg = energy(x);
    check(eg.energy.defined() && eg.energy.dim() == 1 && eg.energy.size(0) == x.size(0),
          "langevin: the energy of chains ", x.shape(), " must be (", x.size(0), "), got ",
          eg.energy.defined() ? eg.energy.shape() : Shape{});
    check(eg.grad.defined() && eg.grad.shape() == x.shape(), "langevin: the energy gradient of ",
          "chains ", x.shape(), " has shape ", eg.grad.defined() ? eg.grad.shape() : Shape{});
    eg.energy = eg.energy.to(DType::f64).contiguous();
    eg.grad = eg.grad.to(x.dtype()).contiguous();
    return eg;
}

// (ε/2) clip_c(g): the deterministic part of the move.
Tensor drift(const Tensor& g, const LangevinOptions& o) {
    const Tensor clipped = o.grad_clip > 0 ? clamp(g, -o.grad_clip, o.grad_clip) : g;
    return clipped * (0.5 * o.step_size);
}

// ‖t_b‖² per chain b of t (B, ...), in float64.
std::vector<double> squared_norms(const Tensor& t) {
    const Tensor f = t.to(DType::f64).contiguous();
    const int64_t B = t.size(0), D = t.numel() / B;
    const double* p = f.data<double>();
    std::vector<double> out(B, 0.0);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t k = 0; k < D; ++k) out[b] += p[b * D + k] * p[b * D + k];
    return out;
}

bool inside(const Tensor& t, int64_t b, const LangevinOptions& o) {
    if (!o.lo) return true;
    const Tensor row = t.narrow(0, b, 1).to(DType::f64).contiguous();
    const double* p = row.data<double>();
    for (int64_t k = 0; k < row.numel(); ++k)
        if (p[k] < *o.lo || p[k] > *o.hi) return false;
    return true;
}

// Row b of dst ← row b of src, for contiguous tensors of one shape and dtype.
void copy_row(Tensor& dst, const Tensor& src, int64_t b) {
    const size_t row = static_cast<size_t>(dst.numel() / dst.size(0)) * itemsize(dst.dtype());
    std::memcpy(static_cast<char*>(dst.raw_data()) + b * row,
                static_cast<const char*>(src.raw_data()) + b * row, row);
}

}  // namespace

EnergyFn autograd_energy(std::function<Tensor(const Tensor& x)> f) {
    return [f = std::move(f)](const Tensor& x) -> EnergyAndGrad {
        GradMode on(true);
        Tensor xr = x.detach();
        xr.requires_grad_(true);
        const Tensor e = f(xr);  // (B)
        check(e.defined() && e.dim() == 1 && e.size(0) == x.size(0),
              "langevin: the energy of chains ", x.shape(), " must be (", x.size(0), "), got ",
              e.defined() ? e.shape() : Shape{});
        check(e.requires_grad(), "langevin: the energy does not depend on x");
        e.sum().backward();
        return {e.detach(), xr.grad()};
    };
}

LangevinStats langevin(Tensor& x, const EnergyFn& energy, int64_t steps, const LangevinOptions& o,
                       Generator& gen) {
    check_options(x, steps, o);
    NoGradGuard no_grad;
    x = x.detach().contiguous();
    const int64_t B = x.size(0);
    const double noise = o.noise_scale * std::sqrt(o.step_size);  // σ√ε
    LangevinStats stats{.steps = steps, .acceptance = 1.0};
    if (steps == 0) return stats;
    EnergyAndGrad here = evaluate(energy, x);
    int64_t accepted = 0;
    for (int64_t step = 0; step < steps; ++step) {
        const Tensor mean = x - drift(here.grad, o);  // x − (ε/2) clip(∇E)
        Tensor proposal = mean + randn(x.shape(), gen, x.dtype()) * noise;
        if (o.kind == LangevinKind::ula) {
            if (o.lo) proposal = clamp(proposal, *o.lo, *o.hi);
            x = proposal.contiguous();
            if (step + 1 < steps) here = evaluate(energy, x);
            continue;
        }
        proposal = proposal.contiguous();
        const EnergyAndGrad there = evaluate(energy, proposal);
        const std::vector<double> forward = squared_norms(proposal - mean);
        const std::vector<double> backward = squared_norms(x - (proposal - drift(there.grad, o)));
        const double* e0 = here.energy.data<double>();
        const double* e1 = there.energy.data<double>();
        const double two_var = 2 * o.noise_scale * o.noise_scale * o.step_size;  // 2σ²ε
        for (int64_t b = 0; b < B; ++b) {
            const double log_ratio = -e1[b] + e0[b] + (forward[b] - backward[b]) / two_var;
            const double u = gen.uniform();  // drawn for every chain, so streams never shift
            if (!std::isfinite(log_ratio) || !inside(proposal, b, o)) continue;
            if (log_ratio >= 0 || u < std::exp(log_ratio)) {
                copy_row(x, proposal, b);
                copy_row(here.energy, there.energy, b);
                copy_row(here.grad, there.grad, b);
                ++accepted;
            }
        }
    }
    if (o.kind == LangevinKind::mala)
        stats.acceptance = static_cast<double>(accepted) / static_cast<double>(steps * B);
    return stats;
}

}  // namespace gibbs::mcmc
