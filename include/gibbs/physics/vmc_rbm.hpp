// The restricted-Boltzmann-machine wave function of Carleo & Troyer (Science 355, 602, 2017)
// for N spins sᵢ = ±1 and M = αN hidden units, the hidden units traced out:
//
//   ψ(s) = exp(Σᵢ aᵢsᵢ) Πⱼ 2cosh θⱼ(s),   θⱼ(s) = bⱼ + Σᵢ Wᵢⱼ sᵢ   (the effective angles).
//
// Log-derivatives O_k = ∂ log ψ / ∂p_k:  O_aᵢ = sᵢ,  O_bⱼ = tanh θⱼ,  O_Wᵢⱼ = sᵢ tanh θⱼ.
// Flipping sᵢ → −sᵢ changes θⱼ by −dᵢⱼ with dᵢⱼ = 2 sᵢ Wᵢⱼ, so with the cached tⱼ = tanh θⱼ
//
//   ψ(s')/ψ(s) = e^{−2aᵢsᵢ} Πⱼ cosh(θⱼ − dᵢⱼ)/cosh θⱼ = e^{−2aᵢsᵢ} Πⱼ (cosh dᵢⱼ − tⱼ sinh dᵢⱼ),
//
// O(M) multiply–adds with cosh 2Wᵢⱼ and sinh 2Wᵢⱼ tabulated once per parameter update; a flip
// of two sites uses cosh(dᵢ + dⱼ) and sinh(dᵢ + dⱼ) from the same tables.
//
// The parameters live in one flat vector p = [a (N), b (M), W (N×M, row-major)], so optimizers
// see one buffer (DESIGN.md: parameters reachable as one contiguous buffer).
#pragma once

#include <cstdint>

#include "gibbs/physics/eigen.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::physics {

class SpinRbm {
  public:
    SpinRbm(int visible, int hidden);

    int visible() const { return n_; }
    int hidden() const { return m_; }
    int size() const { return static_cast<int>(p_.size()); }

    const Eigen::VectorXd& parameters() const { return p_; }
    // Sets all parameters and refreshes the cosh/sinh tables.
    void set_parameters(const Eigen::VectorXd& p);
    // Every parameter drawn from N(0, sd²).
    void randomize(Generator& gen, double sd);

    double a(int i) const { return p_[i]; }
    double b(int j) const { return p_[n_ + j]; }
    double W(int i, int j) const { return p_[n_ + m_ + i * m_ + j]; }
    const double* W_row(int i) const { return p_.data() + n_ + m_ + i * m_; }  // (M)

    // log ψ(s) = Σᵢ aᵢsᵢ + Σⱼ log(2 cosh θⱼ).
    double log_psi(const int8_t* s) const;
    // θ = b + Wᵀ s and t = tanh θ, both (M).
    void angles(const int8_t* s, double* theta, double* t) const;
    // O (size()) at s, given t = tanh θ(s).
    void log_derivatives(const int8_t* s, const double* t, double* O) const;
    // ψ(s')/ψ(s), s' = s with site i flipped (j = −1) or sites i and j flipped.
    double ratio(const int8_t* s, const double* t, int i, int j = -1) const;
    // Flips site i of s and updates θ and t = tanh θ in O(M).
    void flip(int8_t* s, double* theta, double* t, int i) const;

  private:
    int n_, m_;
    Eigen::VectorXd p_;       // (N + M + N·M)
    Eigen::VectorXd cosh2W_;  // (N·M) cosh 2Wᵢⱼ
    Eigen::VectorXd sinh2W_;  // (N·M) sinh 2Wᵢⱼ
    void refresh();
};

}  // namespace gibbs::physics
