// The forward (noising) process of a diffusion model (Ho, Jain & Abbeel 2020, "Denoising
// diffusion probabilistic models"), all coefficients in float64. With t = 1..T,
//   q(x_t | x_{t−1}) = N(√α_t x_{t−1}, β_t I),   α_t = 1 − β_t,   ᾱ_t = Π_{s≤t} α_s,  ᾱ_0 = 1,
//   q(x_t | x_0)     = N(√ᾱ_t x_0, (1 − ᾱ_t) I),
//   q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t I),
//     μ̃_t = c0_t x_0 + ct_t x_t,  c0_t = √ᾱ_{t−1} β_t / (1 − ᾱ_t),  ct_t = √α_t (1 − ᾱ_{t−1}) / (1
//     − ᾱ_t), β̃_t = (1 − ᾱ_{t−1}) β_t / (1 − ᾱ_t)   (β̃_1 = 0).
// Schedules of β_t:
//   linear  β_t evenly spaced from β_1 = 1e-4 to β_T = 0.02 (Ho et al., T = 1000);
//   cosine  ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T) + s)/(1 + s) · π/2), s = 0.008, and
//           β_t = min(1 − ᾱ_t/ᾱ_{t−1}, 0.999) (Nichol & Dhariwal 2021, "Improved DDPM");
//           ᾱ_t is then recomputed as the product of the clipped α_t.
// Vectors are indexed by t = 0..T; entry 0 holds β_0 = 0, ᾱ_0 = 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::diffusion {

class NoiseSchedule {
  public:
    static NoiseSchedule linear(int64_t T, double beta_1 = 1e-4, double beta_T = 0.02);
    static NoiseSchedule cosine(int64_t T, double s = 0.008);
    // "linear" or "cosine"; an error names --schedule otherwise.
    static NoiseSchedule make(const std::string& name, int64_t T);

    const std::string& name() const { return name_; }
    int64_t T() const { return T_; }
    double beta(int64_t t) const { return beta_.at(t); }
    double alpha(int64_t t) const { return 1.0 - beta_.at(t); }
    double alpha_bar(int64_t t) const { return alpha_bar_.at(t); }
    double beta_tilde(int64_t t) const;
    double posterior_c0(int64_t t) const;  // coefficient of x_0 in μ̃_t
    double posterior_ct(int64_t t) const;  // coefficient of x_t in μ̃_t

    // x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε for x_0, ε (B, ...) and t (B) holding integers 1..T.
    Tensor q_sample(const Tensor& x0, const Tensor& t, const Tensor& eps) const;
    // The same with fresh ε ~ N(0, I) drawn from gen.
    Tensor q_sample(const Tensor& x0, const Tensor& t, Generator& gen) const;

    // q(x_{t−1} | x_t, x_0): the mean μ̃_t (B, ...) and the variance β̃_t per row (B), float64.
    struct Posterior {
        Tensor mean;
        Tensor variance;
    };
    Posterior posterior(const Tensor& x0, const Tensor& x_t, const Tensor& t) const;

  private:
    NoiseSchedule(std::string name, std::vector<double> beta);
    std::string name_;
    int64_t T_ = 0;
    std::vector<double> beta_, alpha_bar_;  // (T + 1)
};

// The integer time steps of t (B) as int64, checked to lie in 1..T (an error names `op`).
std::vector<int64_t> time_steps(const Tensor& t, int64_t T, const char* op);

}  // namespace gibbs::diffusion
