// Particles in a harmonic trap: the Gaussian–binary RBM's local energy, gradients and
// log-derivatives against finite differences, the exact non-interacting ground state, both
// samplers against a closed-form Gaussian expectation, and optimization to E₀.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/physics/trap_vmc.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::physics;

namespace {

Eigen::VectorXd random_point(int P, uint64_t seed) {
    gibbs::Generator gen(seed);
    Eigen::VectorXd x(P);
    for (auto& v : x) v = gen.normal();
    return x;
}

// The RBM parameters with a = 0 and W = 0 (b arbitrary): ψ = exp(−Σ x²/2σ²) times a constant.
Eigen::VectorXd gaussian_parameters(const TrapVmc& vmc) {
    Eigen::VectorXd p = Eigen::VectorXd::Zero(vmc.parameter_count());
    const int P = vmc.rbm().coordinates();
    p.segment(P, vmc.rbm().hidden()).setConstant(0.3);
    return p;
}

}  // namespace

TEST(Trap, NonInteractingGroundStateHasConstantLocalEnergy) {
    // a = 0, W = 0, σ² = 1/ω: ψ ∝ exp(−ω Σ x²/2) is exact, so E_L(x) = N d ω/2 at every x.
    for (auto [N, d, omega] :
         {std::tuple{2, 2, 1.0}, std::tuple{3, 3, 0.5}, std::tuple{1, 1, 2.0}}) {
        const TrapSystem sys{.particles = N, .dim = d, .omega = omega};
        TrapVmc vmc(sys, {.rbm = {.hidden = 3}});
        vmc.set_parameters(gaussian_parameters(vmc));
        for (uint64_t seed = 0; seed < 5; ++seed)
            EXPECT_NEAR(vmc.rbm().local_energy(random_point(N * d, seed), nullptr),
                        N * d * omega / 2, 1e-12);
        const VmcEnergy e = vmc_energy(vmc.sample(1000, false));
        EXPECT_NEAR(e.mean, trap_exact_energy(sys), 1e-12);
        EXPECT_NEAR(e.variance, 0.0, 1e-20);
    }
}

TEST(Trap, LocalEnergyEqualsFiniteDifferenceLaplacian) {
    // E_L = −½ ∇²ψ/ψ + V, with ∇²ψ from central second differences of ψ (step 1e-4) and
    // V = ½ω² Σ x² + Σ 1/r_ij; checked with interaction, Jastrow factor and random parameters.
    const TrapSystem sys{.particles = 3, .dim = 2, .omega = 0.8, .interacting = true};
    TrapVmc vmc(sys, {.rbm = {.hidden = 4, .jastrow = true, .init_sd = 0.3}, .seed = 3});
    const TrapRbm& rbm = vmc.rbm();
    const Eigen::VectorXd x = random_point(6, 9);
    const double h = 1e-4, lp0 = rbm.log_psi(x, nullptr);
    double laplacian = 0;  // ∇²ψ/ψ
    Eigen::VectorXd grad;
    rbm.log_psi(x, &grad);
    for (int k = 0; k < 6; ++k) {
        Eigen::VectorXd xp = x, xm = x;
        xp[k] += h;
        xm[k] -= h;
        const double up = rbm.log_psi(xp, nullptr), down = rbm.log_psi(xm, nullptr);
        laplacian += (std::exp(up - lp0) - 2 + std::exp(down - lp0)) / (h * h);
        EXPECT_NEAR(grad[k], (up - down) / (2 * h), 1e-7) << "∂_" << k << " log ψ";
    }
    double V = 0.5 * 0.64 * x.squaredNorm();
    for (int i = 0; i < 3; ++i)
        for (int j = i + 1; j < 3; ++j)
            V += 1.0 / (x.segment(2 * i, 2) - x.segment(2 * j, 2)).norm();
    EXPECT_NEAR(rbm.local_energy(x, nullptr), -0.5 * laplacian + V, 1e-5);
}

TEST(Trap, LogDerivativesEqualFiniteDifferences) {
    // O_k = ∂ log ψ/∂p_k for a, b, W, β and g = log γ.
    const TrapSystem sys{.particles = 2, .dim = 3, .interacting = true};
    TrapVmc vmc(sys, {.rbm = {.hidden = 3, .jastrow = true, .init_sd = 0.3}, .seed = 4});
    const Eigen::VectorXd x = random_point(6, 2);
    Eigen::VectorXd O(vmc.parameter_count());
    vmc.rbm().local_energy(x, O.data());
    const Eigen::VectorXd p0 = vmc.parameters();
    for (int k = 0; k < p0.size(); ++k) {
        const double h = 1e-5;
        Eigen::VectorXd p = p0;
        p[k] += h;
        vmc.set_parameters(p);
        const double up = vmc.rbm().log_psi(x, nullptr);
        p[k] -= 2 * h;
        vmc.set_parameters(p);
        const double down = vmc.rbm().log_psi(x, nullptr);
        EXPECT_NEAR(O[k], (up - down) / (2 * h), 1e-8) << "parameter " << k;
    }
}

TEST(Trap, BothSamplersReproduceGaussianExpectation) {
    // ψ = exp(−Σx²/2σ²) with σ² ≠ 1/ω: |ψ|² is normal with variance σ²/2 per coordinate and
    // E_L = ½(1/σ² − x²/σ⁴) + ½ω²x², so ⟨E_L⟩ = P (1/4σ² + ω²σ²/4). Within 3 blocking errors.
    const TrapSystem sys{.particles = 2, .dim = 2, .omega = 1.0};
    const double sigma = 1.3, s2 = sigma * sigma;
    const double exact = 4 * (1 / (4 * s2) + s2 / 4);
    for (TrapSampler sampler : {TrapSampler::kMetropolis, TrapSampler::kImportance}) {
        TrapVmc vmc(sys, {.rbm = {.hidden = 2, .sigma = sigma}, .sampler = sampler, .seed = 8});
        vmc.set_parameters(gaussian_parameters(vmc));
        const VmcBatch batch = vmc.sample(40000, false);
        const VmcEnergy e = vmc_energy(batch);
        EXPECT_NEAR(e.mean, exact, 3 * e.error) << to_string(sampler);
        EXPECT_GT(batch.acceptance, 0.3);
    }
}

TEST(Trap, OptimizationReachesNonInteractingGroundState) {
    // From random parameters, SR drives the energy to N d ω/2 = 2 and the variance towards 0.
    const TrapSystem sys{.particles = 2, .dim = 2, .omega = 1.0};
    TrapVmc vmc(sys, {.rbm = {.hidden = 2, .init_sd = 0.1}, .seed = 5});
    VmcOptimizer opt(vmc.parameter_count(), {.lr = 0.1, .sr = {.shift = 1e-3}});
    vmc_optimize(vmc, opt, 100, 500);
    const VmcEnergy e = vmc_energy(vmc.sample(5000, false));
    EXPECT_NEAR(e.mean, 2.0, 1e-3);
    EXPECT_LT(e.variance, 1e-3);
}

TEST(Trap, TwoElectronsWithJastrowReachTautEnergy) {
    // Two electrons in 2-D, ω = 1: E₀ = 3 (Taut 1993). RBM × Padé–Jastrow after 100 SR steps is
    // variational and within 0.2% (it reaches ~3.0002 when converged).
    const TrapSystem sys{.particles = 2, .dim = 2, .omega = 1.0, .interacting = true};
    TrapVmc vmc(sys, {.rbm = {.hidden = 2, .jastrow = true, .init_sd = 0.1}, .seed = 7});
    VmcOptimizer opt(vmc.parameter_count(), {.lr = 0.05, .sr = {.shift = 1e-3}});
    vmc_optimize(vmc, opt, 100, 1000);
    const VmcEnergy e = vmc_energy(vmc.sample(20000, false));
    EXPECT_NEAR(e.mean, 3.0, 6e-3);
    EXPECT_GT(e.mean, 3.0 - 3 * e.error);
}

TEST(Trap, BadInputThrows) {
    EXPECT_THROW(TrapVmc({.dim = 4}, {}), gibbs::Error);
    EXPECT_THROW(TrapVmc({.dim = 1, .interacting = true}, {}), gibbs::Error);
    EXPECT_THROW(TrapVmc({.omega = -1}, {}), gibbs::Error);
    EXPECT_THROW(parse_trap_sampler("gibbs"), gibbs::Error);
}
