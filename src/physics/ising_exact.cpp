// Onsager's infinite-lattice results and Kaufman's finite-torus partition function with its
// first two β-derivatives (equations in include/gibbs/physics/ising_exact.hpp).
#include <cmath>
#include <numbers>

#include "gibbs/physics/ising_exact.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

namespace {

using real = long double;

// A value with its first and second derivatives in β: forward-mode differentiation.
struct Jet {
    real v, d, dd;
};

Jet operator+(Jet a, Jet b) { return {a.v + b.v, a.d + b.d, a.dd + b.dd}; }
Jet operator-(Jet a, Jet b) { return {a.v - b.v, a.d - b.d, a.dd - b.dd}; }
Jet operator+(Jet a, real c) { return {a.v + c, a.d, a.dd}; }
Jet operator*(real c, Jet a) { return {c * a.v, c * a.d, c * a.dd}; }
// (ab)'' = a'' b + 2 a' b' + a b''.
Jet operator*(Jet a, Jet b) {
    return {a.v * b.v, a.d * b.v + a.v * b.d, a.dd * b.v + 2 * a.d * b.d + a.v * b.dd};
}
// f(a) from f, f', f'' at a.v: (f∘a)' = f' a',  (f∘a)'' = f'' a'² + f' a''.
Jet chain(Jet a, real f, real f1, real f2) { return {f, f1 * a.d, f2 * a.d * a.d + f1 * a.dd}; }

Jet exp(Jet a) {
    const real e = std::exp(a.v);
    return chain(a, e, e, e);
}
Jet log(Jet a) { return chain(a, std::log(a.v), 1 / a.v, -1 / (a.v * a.v)); }
Jet sinh(Jet a) { return chain(a, std::sinh(a.v), std::cosh(a.v), std::sinh(a.v)); }
Jet cosh(Jet a) { return chain(a, std::cosh(a.v), std::sinh(a.v), std::cosh(a.v)); }
Jet tanh(Jet a) {
    const real t = std::tanh(a.v);
    return chain(a, t, 1 - t * t, -2 * t * (1 - t * t));
}
// acosh' = 1/√(x²-1), acosh'' = -x/(x²-1)^{3/2}; x > 1 here.
Jet acosh(Jet a) {
    const real q = a.v * a.v - 1, r = std::sqrt(q);
    return chain(a, std::acosh(a.v), 1 / r, -a.v / (q * r));
}
// ln(2 cosh x) = |x| + ln(1 + e^{-2|x|}), without overflow; derivatives tanh x, 1 - tanh² x.
Jet log_2cosh(Jet a) {
    const real x = std::fabs(a.v), t = std::tanh(a.v);
    return chain(a, x + std::log1p(std::exp(-2 * x)), t, 1 - t * t);
}
// ln(2 sinh x) = x + ln(1 - e^{-2x}) for x > 0; derivatives coth x, 1 - coth² x.
Jet log_2sinh(Jet a) {
    const real c = 1 / std::tanh(a.v);
    return chain(a, a.v + std::log(-std::expm1(-2 * a.v)), c, 1 - c * c);
}

}  // namespace

double onsager_energy_per_spin(double T) {
    check(T > 0, "onsager_energy_per_spin: temperature must be positive, got ", T);
    const double K = 1 / T, t = std::tanh(2 * K);
    const double k = 2 * std::sinh(2 * K) / (std::cosh(2 * K) * std::cosh(2 * K));
    // NOTE: at T_c, k = 1 and K(k) diverges logarithmically while 2 tanh² 2K - 1 vanishes
    // linearly; the product tends to 0.
    if (std::fabs(k - 1) < 1e-15) return -1 / t;
    return -(1 / t) * (1 + (2 / std::numbers::pi) * (2 * t * t - 1) * std::comp_ellint_1(k));
}

double onsager_specific_heat(double T) {
    check(T > 0, "onsager_specific_heat: temperature must be positive, got ", T);
    const double K = 1 / T, t = std::tanh(2 * K);
    const double k = 2 * std::sinh(2 * K) / (std::cosh(2 * K) * std::cosh(2 * K));
    if (std::fabs(k - 1) < 1e-15) return HUGE_VAL;
    const double K1 = std::comp_ellint_1(k), E1 = std::comp_ellint_2(k);
    const double a = K / t;
    return (4 / std::numbers::pi) * a * a *
           (K1 - E1 - (1 - t * t) * (std::numbers::pi / 2 + (2 * t * t - 1) * K1));
}

double onsager_spontaneous_magnetization(double T) {
    check(T > 0, "onsager_spontaneous_magnetization: temperature must be positive, got ", T);
    if (T >= kIsingCriticalTemperature) return 0.0;
    return std::pow(1 - std::pow(std::sinh(2 / T), -4.0), 0.125);
}

IsingExact ising_exact(int L, double T) {
    check(L >= 2, "ising_exact: lattice size L must be at least 2, got ", L);
    check(T > 0 && std::isfinite(T), "ising_exact: temperature must be positive, got ", T);
    const real n = L, N = n * n;
    const Jet K{1 / static_cast<real>(T), 1, 0};  // K = β: the variable we differentiate in
    const Jet s2K = sinh(2 * K), c2K = cosh(2 * K);
    const Jet c = c2K * c2K * exp(-1 * log(s2K));  // cosh² 2K / sinh 2K
    // γ_l for l = 1..2L-1; γ_0 separately (it changes sign at T_c).
    auto gamma = [&](int l) { return acosh(c + -std::cos(std::numbers::pi_v<real> * l / n)); };
    const Jet gamma0 = 2 * K + log(tanh(K));
    // l_i = ln Z_i (Z_4 without its r = 0 factor 2 sinh(L γ_0/2), which may be 0 or negative).
    Jet l1{}, l2{}, l3 = log_2cosh(0.5L * n * gamma0), l4{};
    for (int r = 0; r < L; ++r) {
        const Jet g_odd = 0.5L * n * gamma(2 * r + 1);
        l1 = l1 + log_2cosh(g_odd);
        l2 = l2 + log_2sinh(g_odd);
        if (r > 0) {
            const Jet g_even = 0.5L * n * gamma(2 * r);
            l3 = l3 + log_2cosh(g_even);
            l4 = l4 + log_2sinh(g_even);
        }
    }
    // ln(Z_1 + Z_2 + Z_3 + Z_4) = l_1 + ln(1 + Z_2/Z_1 + Z_3/Z_1 + Z_4/Z_1).
    const Jet ratio4 = 2 * sinh(0.5L * n * gamma0) * exp(l4 - l1);
    const Jet log_sum = l1 + log(exp(l2 - l1) + exp(l3 - l1) + ratio4 + 1.0L);
    const Jet log_z = log_sum + (N / 2) * log(2 * s2K) + (-std::log(2.0L));
    const real beta = K.v;
    return {static_cast<double>(log_z.v), static_cast<double>(-log_z.d / N),
            static_cast<double>(beta * beta * log_z.dd / N)};
}

}  // namespace gibbs::physics
