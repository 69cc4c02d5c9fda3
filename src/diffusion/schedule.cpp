// β schedules and the closed forms of the forward process (gibbs/diffusion/schedule.hpp).
#include "gibbs/diffusion/schedule.hpp"

#include <cmath>
#include <numbers>

#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {

NoiseSchedule::NoiseSchedule(std::string name, std::vector<double> beta)
    : name_(std::move(name)), T_(static_cast<int64_t>(beta.size()) - 1), beta_(std::move(beta)) {
    alpha_bar_.assign(beta_.size(), 1.0);
    for (int64_t t = 1; t <= T_; ++t) alpha_bar_[t] = alpha_bar_[t - 1] * (1.0 - beta_[t]);
}

NoiseSchedule NoiseSchedule::linear(int64_t T, double beta_1, double beta_T) {
    check(T >= 1, "NoiseSchedule::linear: T must be >= 1, got ", T);
    check(beta_1 > 0 && beta_T < 1 && beta_1 <= beta_T,
          "NoiseSchedule::linear: need 0 < beta_1 <= beta_T < 1, got ", beta_1, " and ", beta_T);
    std::vector<double> beta(T + 1, 0.0);
    for (int64_t t = 1; t <= T; ++t)
        beta[t] = T == 1 ? beta_1
                         : beta_1 + (beta_T - beta_1) * static_cast<double>(t - 1) /
                                        static_cast<double>(T - 1);
    return NoiseSchedule("linear", std::move(beta));
}

NoiseSchedule NoiseSchedule::cosine(int64_t T, double s) {
    check(T >= 1, "NoiseSchedule::cosine: T must be >= 1, got ", T);
    const auto f = [&](int64_t t) {
        const double c = std::cos((static_cast<double>(t) / static_cast<double>(T) + s) /
                                  (1.0 + s) * std::numbers::pi / 2);
        return c * c;
    };
    std::vector<double> beta(T + 1, 0.0);
    for (int64_t t = 1; t <= T; ++t) beta[t] = std::min(1.0 - f(t) / f(t - 1), 0.999);
    return NoiseSchedule("cosine", std::move(beta));
}

NoiseSchedule NoiseSchedule::make(const std::string& name, int64_t T) {
    if (name == "linear") return linear(T);
    if (name == "cosine") return cosine(T);
    fail("--schedule must be linear or cosine, got '", name, "'");
}

double NoiseSchedule::beta_tilde(int64_t t) const {
    return (1.0 - alpha_bar_.at(t - 1)) * beta_.at(t) / (1.0 - alpha_bar_.at(t));
}

double NoiseSchedule::posterior_c0(int64_t t) const {
    return std::sqrt(alpha_bar_.at(t - 1)) * beta_.at(t) / (1.0 - alpha_bar_.at(t));
}

double NoiseSchedule::posterior_ct(int64_t t) const {
    return std::sqrt(alpha(t)) * (1.0 - alpha_bar_.at(t - 1)) / (1.0 - alpha_bar_.at(t));
}

std::vector<int64_t> time_steps(const Tensor& t, int64_t T, const char* op) {
    check(t.dim() == 1, op, ": t must be (B), got ", t.shape());
    const std::vector<double> v = t.to_vector();
    std::vector<int64_t> steps(v.size());
    for (size_t b = 0; b < v.size(); ++b) {
        steps[b] = std::llround(v[b]);
        check(steps[b] >= 1 && steps[b] <= T && static_cast<double>(steps[b]) == v[b], op,
              ": time steps must be integers in 1..", T, ", got ", v[b]);
    }
    return steps;
}

namespace {

// out[b, ...] = a_b x[b, ...] + c_b y[b, ...] in float64 arithmetic, in x's dtype.
Tensor combine_rows(const Tensor& x, const std::vector<double>& a, const Tensor& y,
                    const std::vector<double>& c, const char* op) {
    check(x.shape() == y.shape(), op, ": shapes differ, ", x.shape(), " and ", y.shape());
    check(x.dim() >= 1 && x.size(0) == static_cast<int64_t>(a.size()), op, ": x is ", x.shape(),
          " but t has ", a.size(), " entries");
    const Tensor xd = x.detach().to(DType::f64).contiguous(),
                 yd = y.detach().to(DType::f64).contiguous();
    const int64_t B = x.size(0), D = B ? x.numel() / B : 0;
    Tensor out = Tensor::empty(x.shape(), DType::f64);
    const double *xp = xd.data<double>(), *yp = yd.data<double>();
    double* o = out.data<double>();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t d = 0; d < D; ++d) o[b * D + d] = a[b] * xp[b * D + d] + c[b] * yp[b * D + d];
    return out.to(x.dtype());
}

}  // namespace

Tensor NoiseSchedule::q_sample(const Tensor& x0, const Tensor& t, const Tensor& eps) const {
    const std::vector<int64_t> steps = time_steps(t, T_, "q_sample");
    std::vector<double> a(steps.size()), c(steps.size());
    for (size_t b = 0; b < steps.size(); ++b) {
        a[b] = std::sqrt(alpha_bar_[steps[b]]);
        c[b] = std::sqrt(1.0 - alpha_bar_[steps[b]]);
    }
    return combine_rows(x0, a, eps, c, "q_sample");
}

Tensor NoiseSchedule::q_sample(const Tensor& x0, const Tensor& t, Generator& gen) const {
    return q_sample(x0, t, randn(x0.shape(), gen, x0.dtype()));
}

NoiseSchedule::Posterior NoiseSchedule::posterior(const Tensor& x0, const Tensor& x_t,
                                                  const Tensor& t) const {
    const std::vector<int64_t> steps = time_steps(t, T_, "posterior");
    std::vector<double> a(steps.size()), c(steps.size()), var(steps.size());
    for (size_t b = 0; b < steps.size(); ++b) {
        a[b] = posterior_c0(steps[b]);
        c[b] = posterior_ct(steps[b]);
        var[b] = beta_tilde(steps[b]);
    }
    return {combine_rows(x0, a, x_t, c, "posterior"),
            Tensor::from(var, {static_cast<int64_t>(var.size())}, DType::f64)};
}

}  // namespace gibbs::diffusion
