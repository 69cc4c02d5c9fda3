// Exact Ising results against each other and against known values.
//   Kaufman's torus partition function == brute-force enumeration (L = 2, 3, 4);
//   Onsager's infinite-lattice u, c, m_0 at known points and in their low/high-T expansions;
//   Kaufman at L = 256 == Onsager away from T_c (finite-size corrections ~ e^{-L/ξ}).
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/physics/ising_exact.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::physics;

TEST(IsingExact, KaufmanEqualsEnumeration) {
    // ln Z = ln Σ_s exp(Σ_<ij> s_i s_j / T) over all 2^{L²} states; u and c from its moments.
    for (int L : {2, 3, 4}) {
        for (double T : {0.7, 1.5, 2.0, kIsingCriticalTemperature, 2.5, 4.0, 50.0}) {
            const IsingExact k = ising_exact(L, T);
            const IsingEnumeration e = ising_enumerate(L, T);
            EXPECT_NEAR(k.log_z, e.log_z, 1e-10 * std::fabs(e.log_z)) << "L " << L << " T " << T;
            EXPECT_NEAR(k.energy_per_spin, e.energy_per_spin, 1e-10) << "L " << L << " T " << T;
            EXPECT_NEAR(k.specific_heat, e.specific_heat, 1e-9) << "L " << L << " T " << T;
        }
    }
}

TEST(IsingExact, EnumerationOfTheTwoByTwoTorus) {
    // On the 2 × 2 torus each pair of neighbours is joined by two bonds: E ∈ {-8, 0, 8} with
    // g = {2, 12, 2}: Z = 2e^{8K} + 12 + 2e^{-8K}, <E> = (-16 e^{8K} + 16 e^{-8K}) / Z.
    const double T = 1.7, K = 1 / T;
    const double Z = 2 * std::exp(8 * K) + 12 + 2 * std::exp(-8 * K);
    const double E = (-16 * std::exp(8 * K) + 16 * std::exp(-8 * K)) / Z;
    const IsingEnumeration e = ising_enumerate(2, T);
    EXPECT_NEAR(e.log_z, std::log(Z), 1e-13);
    EXPECT_NEAR(e.energy_per_spin, E / 4, 1e-13);
    // |M| = 4 in the two ground states, and in the 12 states of E = 0, |M| = 2 (8 states with one
    // spin flipped) or 0 (4 states with two); E = 8 has M = 0.
    EXPECT_NEAR(e.abs_magnetization, (2 * std::exp(8 * K) * 4 + 8 * 2) / Z / 4, 1e-13);
}

TEST(IsingExact, OnsagerAtTheCriticalPoint) {
    // T_c = 2/ln(1+√2) = 2.269185314213022..., where sinh(2/T_c) = 1, u(T_c) = -√2, m_0 = 0.
    EXPECT_NEAR(kIsingCriticalTemperature, 2.269185314213022, 1e-15);
    EXPECT_NEAR(std::sinh(2 / kIsingCriticalTemperature), 1.0, 1e-15);
    EXPECT_NEAR(onsager_energy_per_spin(kIsingCriticalTemperature), -std::sqrt(2.0), 1e-14);
    EXPECT_EQ(onsager_spontaneous_magnetization(kIsingCriticalTemperature), 0.0);
    EXPECT_EQ(onsager_spontaneous_magnetization(3.0), 0.0);
    // Just off T_c, u is continuous: |u(T) + √2| ~ |T - T_c| ln|T - T_c|.
    EXPECT_NEAR(onsager_energy_per_spin(kIsingCriticalTemperature * (1 + 1e-9)), -std::sqrt(2.0),
                1e-6);
}

TEST(IsingExact, OnsagerLowAndHighTemperatureExpansions) {
    // Low T, x = e^{-2K}: one flipped spin costs ΔE = 8, so u = -2 + 8x⁴ + O(x⁶);
    // m_0 = 1 - 2x⁴ - 8x⁶ + O(x⁸) (Yang 1952).
    const double T = 0.8, x = std::exp(-2 / T);
    EXPECT_NEAR(onsager_energy_per_spin(T), -2 + 8 * std::pow(x, 4), 30 * std::pow(x, 6));
    EXPECT_NEAR(onsager_spontaneous_magnetization(T), 1 - 2 * std::pow(x, 4) - 8 * std::pow(x, 6),
                60 * std::pow(x, 8));
    // High T, t = tanh K: ln Z/N = ln 2 + 2 ln cosh K + t⁴ + O(t⁶), so
    // u = -2t - 4t³(1 - t²) + O(t⁵).
    const double Th = 10.0, t = std::tanh(1 / Th);
    EXPECT_NEAR(onsager_energy_per_spin(Th), -2 * t - 4 * t * t * t * (1 - t * t),
                20 * std::pow(t, 5));
}

TEST(IsingExact, OnsagerSpecificHeatIsTheDerivativeOfTheEnergy) {
    // c = du/dT, checked by a central difference (error ~ h² u'''/6).
    for (double T : {1.2, 2.0, 2.6, 3.5}) {
        const double h = 1e-4;
        const double du =
            (onsager_energy_per_spin(T + h) - onsager_energy_per_spin(T - h)) / (2 * h);
        EXPECT_NEAR(onsager_specific_heat(T), du, 1e-7) << "T " << T;
    }
}

TEST(IsingExact, LargeTorusApproachesOnsager) {
    // Away from T_c the correlation length ξ is a few sites; at L = 256 the finite-size
    // corrections e^{-L/ξ} are far below rounding.
    for (double T : {1.5, 2.0, 3.0, 5.0}) {
        const IsingExact k = ising_exact(256, T);
        EXPECT_NEAR(k.energy_per_spin, onsager_energy_per_spin(T), 1e-11) << "T " << T;
        EXPECT_NEAR(k.specific_heat, onsager_specific_heat(T), 1e-9) << "T " << T;
    }
    // At T_c the finite-size correction to u is O(1/L): u_L(T_c) = -√2 + O(1/L).
    EXPECT_NEAR(ising_exact(256, kIsingCriticalTemperature).energy_per_spin, -std::sqrt(2.0),
                2.0 / 256);
}

TEST(IsingExact, BadInputThrows) {
    EXPECT_THROW(ising_exact(1, 2.0), gibbs::Error);
    EXPECT_THROW(ising_exact(4, 0.0), gibbs::Error);
    EXPECT_THROW(ising_exact(4, -1.0), gibbs::Error);
    EXPECT_THROW(ising_enumerate(6, 2.0), gibbs::Error);
    EXPECT_THROW(onsager_energy_per_spin(0.0), gibbs::Error);
}
