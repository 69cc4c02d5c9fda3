// The RBM wave function and spin VMC: analytic log-derivatives and flip ratios against direct
// evaluation, the local energy against the dense Hamiltonian, sampled energies against exact
// enumeration of Σ_s |ψ(s)|² E_L(s) / Σ_s |ψ(s)|², and optimization to the exact ground state.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gibbs/physics/spin_exact.hpp"
#include "gibbs/physics/vmc_spin.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::physics;

namespace {

std::vector<int8_t> spins(uint64_t bits, int n) {
    std::vector<int8_t> s(n);
    for (int i = 0; i < n; ++i) s[i] = (bits >> i & 1) ? 1 : -1;
    return s;
}

SpinRbm random_rbm(int n, int m, uint64_t seed, double sd = 0.3) {
    SpinRbm rbm(n, m);
    gibbs::Generator gen(seed);
    rbm.randomize(gen, sd);
    return rbm;
}

// ⟨E_L⟩ over |ψ|² by enumerating a basis.
double enumerated_energy(const SpinVmc& vmc, const SpinBasis& basis) {
    const int n = vmc.hamiltonian().sites(), m = vmc.rbm().hidden();
    std::vector<double> theta(m), t(m);
    double max_log = -1e300;
    for (int64_t k = 0; k < basis.size(); ++k)
        max_log = std::max(max_log, vmc.rbm().log_psi(spins(basis.state(k), n).data()));
    double num = 0, den = 0;
    for (int64_t k = 0; k < basis.size(); ++k) {
        const auto s = spins(basis.state(k), n);
        const double w = std::exp(2 * (vmc.rbm().log_psi(s.data()) - max_log));
        vmc.rbm().angles(s.data(), theta.data(), t.data());
        num += w * vmc.local_energy(s.data(), t.data());
        den += w;
    }
    return num / den;
}

}  // namespace

TEST(SpinRbm, LogDerivativesEqualFiniteDifferences) {
    // O_k = ∂ log ψ/∂p_k, central differences with step 1e-5: error O(1e-10).
    SpinRbm rbm = random_rbm(5, 3, 1);
    const auto s = spins(0b10110, 5);
    std::vector<double> theta(3), t(3), O(rbm.size());
    rbm.angles(s.data(), theta.data(), t.data());
    rbm.log_derivatives(s.data(), t.data(), O.data());
    for (int k = 0; k < rbm.size(); ++k) {
        Eigen::VectorXd p = rbm.parameters();
        const double h = 1e-5;
        SpinRbm plus = rbm, minus = rbm;
        p[k] += h;
        plus.set_parameters(p);
        p[k] -= 2 * h;
        minus.set_parameters(p);
        const double fd = (plus.log_psi(s.data()) - minus.log_psi(s.data())) / (2 * h);
        EXPECT_NEAR(O[k], fd, 1e-8) << "parameter " << k;
    }
}

TEST(SpinRbm, FlipRatiosAndCachedAnglesEqualDirectEvaluation) {
    // ψ(s')/ψ(s) = exp(log ψ(s') − log ψ(s)) for one and two flipped sites; after flip(), the
    // cached θ equals b + Wᵀs'.
    SpinRbm rbm = random_rbm(7, 5, 2, 0.5);
    auto s = spins(0b1011001, 7);
    std::vector<double> theta(5), t(5), theta2(5), t2(5);
    rbm.angles(s.data(), theta.data(), t.data());
    for (int i = 0; i < 7; ++i)
        for (int j = -1; j < 7; ++j) {
            if (j == i) continue;
            auto s2 = s;
            s2[i] = -s2[i];
            if (j >= 0) s2[j] = -s2[j];
            const double direct = std::exp(rbm.log_psi(s2.data()) - rbm.log_psi(s.data()));
            EXPECT_NEAR(rbm.ratio(s.data(), t.data(), i, j), direct, 1e-12 * direct);
        }
    rbm.flip(s.data(), theta.data(), t.data(), 3);
    rbm.angles(s.data(), theta2.data(), t2.data());
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(theta[j], theta2[j], 1e-13);
}

TEST(SpinVmc, LocalEnergyEqualsDenseHamiltonianTimesPsi) {
    // E_L(s) = Σ_{s'} H(s,s') ψ(s') / ψ(s), with H the dense matrix of exact diagonalization.
    for (SpinModel model : {SpinModel::kTfim, SpinModel::kHeisenberg}) {
        const SpinHamiltonian H({.model = model, .L = 6, .h = 0.7});
        SpinVmc vmc(H, {.alpha = 1.0, .init_sd = 0.3, .seed = 5});
        const SpinBasis basis(6);
        const Eigen::MatrixXd Hd = spin_dense_hamiltonian(H, basis);
        Eigen::VectorXd psi(basis.size());
        for (int64_t k = 0; k < basis.size(); ++k)
            psi[k] = std::exp(vmc.rbm().log_psi(spins(basis.state(k), 6).data()));
        const Eigen::VectorXd Hpsi = Hd * psi;
        std::vector<double> theta(6), t(6);
        for (int64_t k = 0; k < basis.size(); ++k) {
            const auto s = spins(basis.state(k), 6);
            vmc.rbm().angles(s.data(), theta.data(), t.data());
            EXPECT_NEAR(vmc.local_energy(s.data(), t.data()), Hpsi[k] / psi[k], 1e-10);
        }
    }
}

TEST(SpinVmc, SymmetricRbmTiesWeightsUnderTranslations) {
    // A translation-invariant RBM gives ψ(T s) = ψ(s), and its reduced O equals the finite
    // difference of log ψ with respect to each free parameter.
    const SpinHamiltonian H({.model = SpinModel::kTfim, .L = 6});
    SpinVmc vmc(H, {.alpha = 2.0, .symmetric = true, .init_sd = 0.3, .seed = 6});
    EXPECT_EQ(vmc.parameter_count(), 1 + 2 + 2 * 6);
    const auto s = spins(0b110100, 6);
    std::vector<int8_t> shifted(6);
    for (int i = 0; i < 6; ++i) shifted[(i + 1) % 6] = s[i];
    EXPECT_NEAR(vmc.rbm().log_psi(s.data()), vmc.rbm().log_psi(shifted.data()), 1e-12);
    const int m = vmc.rbm().hidden();
    std::vector<double> theta(m), t(m), O_full(vmc.rbm().size()), O(vmc.parameter_count());
    vmc.rbm().angles(s.data(), theta.data(), t.data());
    vmc.rbm().log_derivatives(s.data(), t.data(), O_full.data());
    vmc.reduce(O_full.data(), O.data());
    const Eigen::VectorXd p0 = vmc.parameters();
    for (int k = 0; k < vmc.parameter_count(); ++k) {
        const double h = 1e-5;
        Eigen::VectorXd p = p0;
        p[k] += h;
        vmc.set_parameters(p);
        const double up = vmc.rbm().log_psi(s.data());
        p[k] -= 2 * h;
        vmc.set_parameters(p);
        const double down = vmc.rbm().log_psi(s.data());
        EXPECT_NEAR(O[k], (up - down) / (2 * h), 1e-8) << "parameter " << k;
    }
}

TEST(SpinVmc, SampledEnergyEqualsEnumerationWithinThreeErrorBars) {
    // Metropolis samples of |ψ|² (single flips; exchanges in the Σs = 0 sector) estimate
    // Σ_s |ψ|² E_L / Σ_s |ψ|²; the blocking error bar σ bounds the deviation by 3σ.
    struct Case {
        SpinModel model;
        SpinBasis basis;
    };
    for (const Case& c :
         {Case{SpinModel::kTfim, SpinBasis(8)}, Case{SpinModel::kHeisenberg, SpinBasis(8, 4)}}) {
        const SpinHamiltonian H({.model = c.model, .L = 8, .h = 1.0});
        SpinVmc vmc(H, {.alpha = 1.0, .chains = 4, .init_sd = 0.25, .seed = 11});
        const double exact = enumerated_energy(vmc, c.basis);
        const VmcEnergy e = vmc_energy(vmc.sample(40000, false));
        EXPECT_GT(e.error, 0.0);
        EXPECT_NEAR(e.mean, exact, 3 * e.error) << to_string(c.model);
    }
}

TEST(SpinVmc, ConjugateGradientEqualsCholesky) {
    // The SR direction δ = (S + ε)⁻¹ F is the same from both solvers.
    const SpinHamiltonian H({.model = SpinModel::kTfim, .L = 6});
    SpinVmc vmc(H, {.alpha = 2.0, .init_sd = 0.1, .seed = 4});
    const VmcBatch batch = vmc.sample(400, true);
    const SrOptions base{.shift = 1e-3, .shift_relative = 1e-2, .cg_tol = 1e-12};
    SrOptions chol = base, cg = base;
    chol.solver = SrSolver::kCholesky;
    cg.solver = SrSolver::kConjugateGradient;
    const Eigen::VectorXd a = sr_direction(batch, chol), b = sr_direction(batch, cg);
    EXPECT_LT((a - b).norm(), 1e-8 * a.norm());
}

TEST(SpinVmc, StochasticReconfigurationReachesExactGroundState) {
    // L = 6 chains: E₀(tfim, h = 1) from the closed form, E₀(heisenberg) from Lanczos.
    // After 150 SR steps at α = 1 and a final run of 20000 samples, the energy is within
    // 2e-3 relative of E₀ (the variational error at convergence is ~1e-4 at L = 6).
    for (SpinModel model : {SpinModel::kTfim, SpinModel::kHeisenberg}) {
        const SpinSystem system{.model = model, .L = 6, .h = 1.0};
        const double exact = spin_exact_energy(system);
        SpinVmc vmc(SpinHamiltonian(system), {.alpha = 1.0, .seed = 2});
        VmcOptimizer opt(vmc.parameter_count(), {.kind = VmcOptimizerKind::kSr, .lr = 0.05});
        vmc_optimize(vmc, opt, 150, 400);
        const VmcEnergy e = vmc_energy(vmc.sample(20000, false));
        EXPECT_NEAR(e.mean, exact, 2e-3 * std::abs(exact)) << to_string(model);
        EXPECT_GE(e.mean, exact - 3 * e.error) << "variational bound";
    }
}

TEST(SpinVmc, AdamAndGradientDescentLowerTheEnergy) {
    // Plain gradient descent and Adam on 2⟨(E_L − ⟨E_L⟩)(O − ⟨O⟩)⟩ move from the uniform
    // state's −hL = −6 towards E₀ = −7.6569 (L = 6, h = 1): within 1% after 200 steps.
    const SpinSystem system{.model = SpinModel::kTfim, .L = 6, .h = 1.0};
    const double exact = spin_exact_energy(system);
    for (auto [kind, lr] :
         {std::pair{VmcOptimizerKind::kAdam, 0.02}, std::pair{VmcOptimizerKind::kSgd, 0.05}}) {
        SpinVmc vmc(SpinHamiltonian(system), {.alpha = 1.0, .seed = 3});
        VmcOptimizer opt(vmc.parameter_count(), {.kind = kind, .lr = lr});
        vmc_optimize(vmc, opt, 200, 300);
        const VmcEnergy e = vmc_energy(vmc.sample(10000, false));
        EXPECT_NEAR(e.mean, exact, 1e-2 * std::abs(exact)) << to_string(kind);
    }
}

TEST(SpinVmc, BadOptionsThrow) {
    const SpinHamiltonian H({.model = SpinModel::kTfim, .L = 6});
    EXPECT_THROW(SpinVmc(H, {.alpha = 0.0}), gibbs::Error);
    EXPECT_THROW(SpinVmc(H, {.alpha = 1.5, .symmetric = true}), gibbs::Error);
    EXPECT_THROW(parse_vmc_optimizer("lbfgs"), gibbs::Error);
    SpinVmc vmc(H, {.chains = 4});
    EXPECT_THROW(vmc.sample(2, false), gibbs::Error);
}
