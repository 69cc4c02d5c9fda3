// Quantum spin-1/2 Hamiltonians on periodic chains and square lattices, in the σᶻ basis:
//   transverse-field Ising   H = −J Σ_<ij> σᶻᵢσᶻⱼ − h Σᵢ σˣᵢ
//   Heisenberg               H =  J Σ_<ij> σ⃗ᵢ·σ⃗ⱼ = J Σ_<ij> [σᶻᵢσᶻⱼ + 2(σ⁺ᵢσ⁻ⱼ + σ⁻ᵢσ⁺ⱼ)]
// with Pauli matrices (not S = σ/2). A configuration s ∈ {−1,+1}ᴺ is a row of int8 spins.
// Every consumer (exact diagonalization, variational Monte Carlo) sees the Hamiltonian only
// through diagonal(s) and for_each_connected(s, f), which lists the off-diagonal elements
// H(s, s') as the one or two sites flipped to get s'.
//
// Marshall sign rule (Marshall 1955): on a bipartite lattice, U = Π_{i∈A} σᶻᵢ maps the
// Heisenberg Hamiltonian to one whose exchange elements are −2J instead of +2J. The spectrum is
// the same and, by Perron–Frobenius, the ground state of U H U† is positive, so a real positive
// wave function such as an RBM with real parameters can represent it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace gibbs::physics {

enum class SpinModel { kTfim, kHeisenberg };

// Parses "tfim" or "heisenberg"; throws gibbs::Error otherwise.
SpinModel parse_spin_model(const std::string& name);
std::string to_string(SpinModel model);

struct SpinSystem {
    SpinModel model = SpinModel::kTfim;
    int L = 20;            // sites per side
    int dim = 1;           // 1: periodic chain of L sites; 2: periodic L×L square lattice
    double J = 1.0;        // coupling
    double h = 1.0;        // transverse field (transverse-field Ising only)
    bool marshall = true;  // Heisenberg: exchange elements with the Marshall sign (needs bipartite)
};

class SpinHamiltonian {
  public:
    explicit SpinHamiltonian(const SpinSystem& system);

    const SpinSystem& system() const { return system_; }
    int sites() const { return n_; }
    const std::vector<std::array<int, 2>>& bonds() const { return bonds_; }
    // Sublattice (0 or 1) of each site; all −1 when the lattice is not bipartite.
    const std::vector<int>& sublattice() const { return sublattice_; }
    bool bipartite() const { return bipartite_; }
    // Number of lattice translations (L for a chain, L² for a square lattice) and the image of
    // site i under translation t: the table that ties the weights of a symmetric RBM.
    int translations() const { return static_cast<int>(translation_.size()); }
    int translate(int t, int i) const { return translation_[t][i]; }

    // H(s, s) = ∓J Σ_<ij> sᵢsⱼ (− for Ising, + for Heisenberg).
    double diagonal(const int8_t* s) const {
        int sum = 0;
        for (const auto& [i, j] : bonds_) sum += s[i] * s[j];
        return zz_sign_ * system_.J * sum;
    }

    // Calls f(i, j, element) for every s' ≠ s with H(s, s') ≠ 0, where s' is s with site i
    // flipped (j = −1) or with sites i and j flipped.
    template <class F>
    void for_each_connected(const int8_t* s, F&& f) const {
        if (system_.model == SpinModel::kTfim) {
            if (system_.h == 0.0) return;
            for (int i = 0; i < n_; ++i) f(i, -1, -system_.h);
        } else {
            for (const auto& [i, j] : bonds_)
                if (s[i] != s[j]) f(i, j, exchange_);
        }
    }

  private:
    SpinSystem system_;
    int n_ = 0;
    std::vector<std::array<int, 2>> bonds_;
    std::vector<int> sublattice_;
    bool bipartite_ = false;
    std::vector<std::vector<int>> translation_;  // (translations, sites)
    double zz_sign_ = -1.0;
    double exchange_ = 0.0;  // ±2J for Heisenberg
};

}  // namespace gibbs::physics
