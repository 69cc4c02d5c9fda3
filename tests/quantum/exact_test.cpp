// Exact references: the free-fermion closed form of the transverse-field Ising chain, Lanczos
// against dense diagonalization, and the two published L = 20 ground-state energies.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/physics/lanczos.hpp"
#include "gibbs/physics/spin_exact.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::physics;

namespace {

double dense_lowest(const SpinHamiltonian& H, const SpinBasis& basis) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(spin_dense_hamiltonian(H, basis));
    return eig.eigenvalues()[0];
}

}  // namespace

TEST(SpinExact, TfimClosedFormLimits) {
    // h = 0: all spins aligned, E₀ = −J L.  J = 0: all along x, E₀ = −h L.
    EXPECT_NEAR(tfim_chain_energy(10, 0.0, 1.0), -10.0, 1e-12);
    EXPECT_NEAR(tfim_chain_energy(10, 0.7, 0.0), -7.0, 1e-12);
    // h = J = 1, even L: E₀ = −2 Σ_n sin((2n+1)π/2L) = −2 / sin(π/2L).
    EXPECT_NEAR(tfim_chain_energy(20, 1.0), -2.0 / std::sin(M_PI / 40), 1e-12);
}

TEST(SpinExact, TfimL20PublishedValue) {
    EXPECT_NEAR(tfim_chain_energy(20, 1.0, 1.0), -25.490989686, 1e-8);
}

TEST(SpinExact, TfimClosedFormEqualsDenseDiagonalization) {
    // Both parity sectors and both signs of J, odd and even L (odd L with J < 0 is frustrated).
    for (int L : {3, 4, 5, 6, 7, 8})
        for (double h : {0.3, 1.0, 2.5})
            for (double J : {1.0, -1.0}) {
                const SpinHamiltonian H({.model = SpinModel::kTfim, .L = L, .J = J, .h = h});
                EXPECT_NEAR(tfim_chain_energy(L, h, J), dense_lowest(H, SpinBasis(L)), 1e-10)
                    << "L=" << L << " h=" << h << " J=" << J;
            }
}

TEST(SpinExact, LanczosEqualsDenseDiagonalization) {
    for (int L : {4, 6, 8, 10}) {
        const SpinHamiltonian tfim({.model = SpinModel::kTfim, .L = L, .h = 0.8});
        EXPECT_NEAR(spin_ground_state(tfim).eigenvalue, dense_lowest(tfim, SpinBasis(L)), 1e-9);
        const SpinHamiltonian heis({.model = SpinModel::kHeisenberg, .L = L});
        EXPECT_NEAR(spin_ground_state(heis).eigenvalue, dense_lowest(heis, SpinBasis(L)), 1e-9);
    }
    // 2-D: 3×3 Ising torus (frustration-free, 512 states) and the 2×2 Heisenberg plaquette.
    const SpinHamiltonian square({.model = SpinModel::kTfim, .L = 3, .dim = 2, .h = 2.0});
    EXPECT_NEAR(spin_ground_state(square).eigenvalue, dense_lowest(square, SpinBasis(9)), 1e-9);
}

TEST(SpinExact, MarshallSignLeavesSpectrumUnchanged) {
    // U H U† with U = Π_{i∈A} σᶻᵢ is unitarily equivalent: same ground-state energy.
    for (int L : {4, 6, 8}) {
        const SpinHamiltonian plain({.model = SpinModel::kHeisenberg, .L = L, .marshall = false});
        const SpinHamiltonian rotated({.model = SpinModel::kHeisenberg, .L = L, .marshall = true});
        EXPECT_NEAR(dense_lowest(plain, SpinBasis(L)), dense_lowest(rotated, SpinBasis(L)), 1e-10);
    }
}

TEST(SpinExact, HeisenbergFourSiteRing) {
    // L = 4 ring, H = J Σ σ⃗ᵢ·σ⃗ᵢ₊₁ = 4 J Σ S⃗ᵢ·S⃗ᵢ₊₁; the singlet has Σ S⃗ᵢ·S⃗ᵢ₊₁ = −2, so E₀ = −8.
    const SpinHamiltonian H({.model = SpinModel::kHeisenberg, .L = 4});
    EXPECT_NEAR(spin_ground_state(H).eigenvalue, -8.0, 1e-10);
}

TEST(SpinExact, HeisenbergL20PublishedValue) {
    const SpinHamiltonian H({.model = SpinModel::kHeisenberg, .L = 20});
    EXPECT_NEAR(spin_ground_state(H).eigenvalue, -35.617546120, 1e-8);
}

TEST(SpinExact, TfimClosedFormEqualsLanczosL16) {
    const SpinHamiltonian H({.model = SpinModel::kTfim, .L = 16, .h = 1.0});
    EXPECT_NEAR(spin_ground_state(H).eigenvalue, tfim_chain_energy(16, 1.0), 1e-8);
}

TEST(SpinExact, LanczosDiagonalMatrix) {
    // A = diag(1, 2, …, n): lowest eigenvalue 1, eigenvector e₀.
    const int n = 300;
    auto r = lanczos_lowest(n,
                            [](const double* x, double* y) {
                                for (int i = 0; i < n; ++i) y[i] = (i + 1) * x[i];
                            },
                            {.want_vector = true});
    EXPECT_NEAR(r.eigenvalue, 1.0, 1e-10);
    EXPECT_NEAR(std::abs(r.vector[0]), 1.0, 1e-8);
}

TEST(SpinExact, BasisIndexIsInverseOfState) {
    const SpinBasis basis(10, 5);
    EXPECT_EQ(basis.size(), 252);
    for (int64_t k = 0; k < basis.size(); ++k) EXPECT_EQ(basis.index(basis.state(k)), k);
}

TEST(SpinExact, BadInputThrows) {
    EXPECT_THROW(SpinHamiltonian({.model = SpinModel::kHeisenberg, .L = 5}), gibbs::Error);
    EXPECT_THROW(SpinHamiltonian({.L = 4, .dim = 3}), gibbs::Error);
    EXPECT_THROW(parse_spin_model("xy"), gibbs::Error);
}
