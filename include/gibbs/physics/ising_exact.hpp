// Exact results for the 2-D Ising model (J = 1, k_B = 1, K = 1/T), to check samplers against.
//
// Infinite lattice (Onsager, Phys. Rev. 65, 117, 1944; Yang, Phys. Rev. 85, 808, 1952):
//   T_c = 2 / ln(1 + √2),
//   u = -coth 2K [1 + (2/π)(2 tanh² 2K - 1) K(k)],  k = 2 sinh 2K / cosh² 2K,
//   c = du/dT = (4/π)(K coth 2K)² {K(k) - E(k) - (1 - tanh² 2K)[π/2 + (2 tanh² 2K - 1) K(k)]},
//   m_0 = (1 - sinh(2K)^-4)^(1/8) for T < T_c, else 0,
// K(k), E(k) the complete elliptic integrals of modulus k.
//
// Finite L × L torus (Kaufman, Phys. Rev. 76, 1232, 1949; Ferdinand & Fisher, Phys. Rev. 185,
// 832, 1969, eqs. 2.1-2.5):
//   Z = ½ (2 sinh 2K)^{N/2} (Z_1 + Z_2 + Z_3 + Z_4),
//   Z_1 = Π_{r=0}^{L-1} 2 cosh(L γ_{2r+1}/2),  Z_2 = Π 2 sinh(L γ_{2r+1}/2),
//   Z_3 = Π_{r=0}^{L-1} 2 cosh(L γ_{2r}/2),    Z_4 = Π 2 sinh(L γ_{2r}/2),
//   cosh γ_l = cosh² 2K / sinh 2K - cos(π l / L) (γ_l > 0),  γ_0 = 2K + ln tanh K (any sign).
// ln Z is evaluated in long double with forward-mode second derivatives in β = K, so that
//   u = -(1/N) ∂ ln Z/∂β,  c = (β²/N) ∂² ln Z/∂β²  are exact to rounding.
#pragma once

#include <cmath>

namespace gibbs::physics {

inline const double kIsingCriticalTemperature = 2.0 / std::log(1.0 + std::sqrt(2.0));

// Onsager's infinite-lattice energy per spin (-√2 at T_c).
double onsager_energy_per_spin(double T);
// Onsager's infinite-lattice specific heat per spin (diverges at T_c: +inf there).
double onsager_specific_heat(double T);
// Yang's spontaneous magnetization per spin; 0 for T >= T_c.
double onsager_spontaneous_magnetization(double T);

struct IsingExact {
    double log_z;            // ln Z
    double energy_per_spin;  // u = <E>/N
    double specific_heat;    // c = (<E²> - <E>²) / (N T²)
};
// Kaufman's finite-lattice result for the L × L torus; L >= 2, T > 0.
IsingExact ising_exact(int L, double T);

struct IsingEnumeration {
    double log_z;
    double energy_per_spin;
    double specific_heat;
    double abs_magnetization;  // <|M|>/N
    double magnetization_sq;   // <M²>/N²
    double susceptibility;     // N (<m²> - <|m|>²) / T
};
// Brute force over all 2^N states of the L × L torus (a Gray code, one flip per state);
// 2 <= L <= 5.
IsingEnumeration ising_enumerate(int L, double T);

}  // namespace gibbs::physics
