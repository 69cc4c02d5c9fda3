// Ancestral DDPM and DDIM sampling (gibbs/diffusion/sampler.hpp).
#include "gibbs/diffusion/sampler.hpp"

#include <algorithm>
#include <cmath>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {

std::vector<int64_t> ddim_time_steps(int64_t T, int64_t K) {
    check(K >= 1 && K <= T, "sample: --steps for ddim must be in 1..", T, ", got ", K);
    std::vector<int64_t> tau(K);
    for (int64_t i = 1; i <= K; ++i) tau[i - 1] = 1 + (i - 1) * T / K;
    return tau;
}

namespace {

// ε̂ = ε_θ(x, t) for the whole batch at one time step, as float64.
void predict_at(Denoiser& net, const std::vector<double>& x, const Shape& batch_shape, int64_t t,
                Tensor& x32, Tensor& t32, std::vector<double>& eps) {
    float* xp = x32.data<float>();
    for (size_t i = 0; i < x.size(); ++i) xp[i] = static_cast<float>(x[i]);
    t32.fill_(static_cast<double>(t));
    const Tensor e = net.predict(x32, t32).to(DType::f64).contiguous();
    check(e.shape() == batch_shape, "sample: the denoiser returned ", e.shape(), " for x_t ",
          batch_shape);
    std::copy(e.data<double>(), e.data<double>() + e.numel(), eps.begin());
}

}  // namespace

Tensor sample(Denoiser& net, const NoiseSchedule& s, const Shape& shape, int64_t n, Generator& gen,
              const SamplerOptions& o) {
    check(n >= 1, "sample: n must be >= 1, got ", n);
    const bool ddim = o.sampler == "ddim";
    check(ddim || o.sampler == "ddpm" || o.sampler == "ddpm-tilde",
          "sample: --sampler must be ddpm, ddpm-tilde or ddim, got '", o.sampler, "'");
    check(ddim || o.steps == 0 || o.steps == s.T(), "sample: ", o.sampler, " runs all T = ", s.T(),
          " steps; --steps K is for --sampler ddim");
    check(o.eta >= 0 && o.eta <= 1, "sample: --eta must be in [0, 1], got ", o.eta);
    check(ddim || o.eta == 0, "sample: --eta is for --sampler ddim");
    NoGradGuard no_grad;
    std::vector<int64_t> dims = {n};
    for (int64_t d : shape) dims.push_back(d);
    const Shape batch_shape(dims);
    const int64_t N = batch_shape.numel();
    std::vector<double> x(N), eps(N);
    for (double& v : x) v = gen.normal();  // x_T ~ N(0, I)
    Tensor x32 = Tensor::empty(batch_shape, DType::f32), t32 = Tensor::empty({n}, DType::f32);
    // x̂_0 from x_t and ε̂, clamped when asked.
    const auto x0_hat = [&](double xv, double ev, double ab) {
        const double x0 = (xv - std::sqrt(1 - ab) * ev) / std::sqrt(ab);
        return o.clip > 0 ? std::clamp(x0, -o.clip, o.clip) : x0;
    };
    if (!ddim) {
        for (int64_t t = s.T(); t >= 1; --t) {
            predict_at(net, x, batch_shape, t, x32, t32, eps);
            const double ab = s.alpha_bar(t), beta = s.beta(t);
            const double sigma =
                t > 1 ? std::sqrt(o.sampler == "ddpm" ? beta : s.beta_tilde(t)) : 0.0;
            const double a = 1 / std::sqrt(s.alpha(t)), b = beta / std::sqrt(1 - ab);
            const double c0 = s.posterior_c0(t), ct = s.posterior_ct(t);
            for (int64_t i = 0; i < N; ++i) {
                const double mean = o.clip > 0 ? c0 * x0_hat(x[i], eps[i], ab) + ct * x[i]
                                               : a * (x[i] - b * eps[i]);
                x[i] = t > 1 ? mean + sigma * gen.normal() : mean;
            }
        }
    } else {
        const std::vector<int64_t> tau = ddim_time_steps(s.T(), o.steps > 0 ? o.steps : 50);
        for (int64_t i = static_cast<int64_t>(tau.size()) - 1; i >= 0; --i) {
            const int64_t t = tau[i], t_prev = i > 0 ? tau[i - 1] : 0;
            predict_at(net, x, batch_shape, t, x32, t32, eps);
            const double ab = s.alpha_bar(t), ab_prev = s.alpha_bar(t_prev);
            const double sigma =
                o.eta * std::sqrt((1 - ab_prev) / (1 - ab)) * std::sqrt(1 - ab / ab_prev);
            const double dir = std::sqrt(std::max(1 - ab_prev - sigma * sigma, 0.0));
            for (int64_t k = 0; k < N; ++k) {
                const double x0 = x0_hat(x[k], eps[k], ab);
                // With clipping, ε̂ is recomputed from the clamped x̂_0 so that x_s stays on it.
                const double e =
                    o.clip > 0 ? (x[k] - std::sqrt(ab) * x0) / std::sqrt(1 - ab) : eps[k];
                x[k] = std::sqrt(ab_prev) * x0 + dir * e;
                if (sigma > 0) x[k] += sigma * gen.normal();
            }
        }
    }
    Tensor out = Tensor::empty(batch_shape, DType::f32);
    float* op = out.data<float>();
    for (int64_t i = 0; i < N; ++i) {
        check(std::isfinite(x[i]), "sample: the sample became ", x[i],
              " (the network diverged or was trained on other data)");
        op[i] = static_cast<float>(x[i]);
    }
    return out;
}

}  // namespace gibbs::diffusion
