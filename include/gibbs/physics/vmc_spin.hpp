// Variational Monte Carlo for spin Hamiltonians with the RBM wave function (vmc_rbm.hpp):
// Metropolis sampling of |ψ(s)|² with single flips (transverse-field Ising) or exchanges of two
// opposite spins (Heisenberg: the magnetization Σ sᵢ is conserved, the walk stays in the sector
// of the ground state), accepted with probability min(1, |ψ(s')/ψ(s)|²); several independent
// chains, each with its own generator stream; and the local energy
//
//   E_L(s) = Σ_{s'} H(s, s') ψ(s')/ψ(s) = H(s, s) + Σ_{s'≠s} H(s, s') ψ(s')/ψ(s),
//
// each ratio O(M) from the cached tanh θ. With `symmetric`, the RBM is translation invariant
// (Carleo & Troyer's symmetric ansatz): α filters w_f of N weights, hidden unit (f, t) sees
// W_{T_t(i), (f,t)} = w_f(i) for every lattice translation T_t, with shared a and b_f; the free
// parameters are then [a (1), b (α), w (α×N)] and O sums the log-derivatives of tied weights.
#pragma once

#include <cstdint>
#include <vector>

#include "gibbs/physics/spin_hamiltonian.hpp"
#include "gibbs/physics/vmc.hpp"
#include "gibbs/physics/vmc_rbm.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::physics {

struct SpinVmcOptions {
    double alpha = 1.0;      // hidden density M/N (an integer number of filters if symmetric)
    bool symmetric = false;  // translation-invariant RBM
    int chains = 4;          // independent Markov chains
    int sweeps = 1;          // sweeps (N proposals each) between recorded samples
    int thermalize = 100;    // sweeps before the first sample
    int discard = 5;         // sweeps discarded after each parameter update
    double init_sd = 0.01;   // initial parameters ~ N(0, init_sd²)
    uint64_t seed = 1;
};

class SpinVmc : public VmcModel {
  public:
    SpinVmc(const SpinHamiltonian& H, const SpinVmcOptions& options);

    int parameter_count() const override { return static_cast<int>(free_.size()); }
    Eigen::VectorXd parameters() const override { return free_; }
    void set_parameters(const Eigen::VectorXd& p) override;
    VmcBatch sample(int samples, bool derivatives) override;

    const SpinRbm& rbm() const { return rbm_; }
    const SpinHamiltonian& hamiltonian() const { return H_; }
    // E_L(s) given t = tanh θ(s).
    double local_energy(const int8_t* s, const double* t) const;
    // The free parameters' log-derivatives O (parameter_count()) from the full RBM's
    // (rbm().size()).
    void reduce(const double* O_full, double* O) const;

  private:
    SpinHamiltonian H_;
    SpinVmcOptions options_;
    SpinRbm rbm_;
    Eigen::VectorXd free_;  // the free parameters
    std::vector<int> tie_;  // (rbm size) free index of each RBM parameter; empty if not symmetric
    std::vector<Generator> gens_;         // one per chain
    std::vector<std::vector<int8_t>> s_;  // (chains, N) current configurations
    bool thermalized_ = false;
};

}  // namespace gibbs::physics
