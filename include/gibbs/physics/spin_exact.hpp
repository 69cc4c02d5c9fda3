// Exact ground-state energies of the spin Hamiltonians in spin_hamiltonian.hpp: the closed form
// of the periodic transverse-field Ising chain, and exact diagonalization (dense for a handful of
// spins, Lanczos with an on-the-fly sparse product for up to ~24 spins).
#pragma once

#include <bit>
#include <cstdint>
#include <vector>
#include "gibbs/physics/eigen.hpp"

#include "gibbs/physics/lanczos.hpp"
#include "gibbs/physics/spin_hamiltonian.hpp"

namespace gibbs::physics {

// Ground-state energy of H = −J Σᵢ σᶻᵢσᶻᵢ₊₁ − h Σᵢ σˣᵢ on a ring of L sites (Pfeuty 1970).
// Jordan–Wigner fermions with parity P = Πᵢ σˣᵢ: P = +1 has antiperiodic momenta
// k = (2n+1)π/L, P = −1 periodic ones k = 2πn/L. Each pair (k, −k) contributes
// ξ_k − ε_k with ξ_k = 2h − 2J cos k and ε_k = 2√(J² + h² − 2Jh cos k); an unpaired k ∈ {0, π}
// contributes ξ_k n_k. The fermion number must have the sector's parity; E₀ is the lower of the
// two sectors. For J, h > 0 and even L this is E₀ = −Σ_{k=(2n+1)π/L} √(J² + h² − 2Jh cos k).
double tfim_chain_energy(int L, double h, double J = 1.0);

// The σᶻ basis: all 2ᴺ configurations, or those with `up` spins up (fixed magnetization), in
// increasing order of their bit patterns (bit i set ⇔ sᵢ = +1).
class SpinBasis {
  public:
    explicit SpinBasis(int sites);  // all 2ᴺ states
    SpinBasis(int sites, int up);   // the sector with Σᵢ sᵢ = 2·up − N
    int sites() const { return n_; }
    int64_t size() const { return size_; }
    uint64_t state(int64_t k) const { return fixed_ ? states_[k] : static_cast<uint64_t>(k); }
    // Index of a bit pattern in this basis: the colex rank Σ_m C(c_m, m) over the set bits
    // c₁ < c₂ < … for a fixed sector, read from two tables for the low and high halves of the
    // bits (Lin 1990) so that a lookup costs two loads.
    int64_t index(uint64_t bits) const {
        if (!fixed_) return static_cast<int64_t>(bits);
        const uint64_t low = bits & low_mask_;
        return rank_low_[low] + rank_high_[std::popcount(low)][bits >> low_bits_];
    }

  private:
    int n_ = 0;
    bool fixed_ = false;
    int64_t size_ = 0;
    std::vector<uint64_t> states_;
    int low_bits_ = 0;
    uint64_t low_mask_ = 0;
    std::vector<int64_t> rank_low_;                // (2^low_bits)
    std::vector<std::vector<int64_t>> rank_high_;  // (low_bits+1, 2^(sites−low_bits))
};

// The Hamiltonian as a dense matrix in `basis` (only for small bases: tests).
Eigen::MatrixXd spin_dense_hamiltonian(const SpinHamiltonian& H, const SpinBasis& basis);

// y = H x in `basis`, computed row by row on the fly (OpenMP over rows).
void spin_matvec(const SpinHamiltonian& H, const SpinBasis& basis, const double* x, double* y);

// The ground state by Lanczos: transverse-field Ising in the full space; Heisenberg in the
// Σ sᵢ = 0 sector (N even; the ground state of the antiferromagnet is a singlet, Lieb–Mattis),
// or Σ sᵢ = 1 for odd N.
LanczosResult spin_ground_state(const SpinHamiltonian& H, const LanczosOptions& options = {});

// The exact ground-state energy: the closed form for a transverse-field Ising chain, Lanczos
// otherwise.
double spin_exact_energy(const SpinSystem& system);

}  // namespace gibbs::physics
