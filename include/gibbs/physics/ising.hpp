// The 2-D Ising model on a periodic L × L lattice (a torus) with J = 1 and k_B = 1:
//   E(s) = -Σ_<ij> s_i s_j,  s_i ∈ {-1, +1},  p(s) = exp(-E(s)/T) / Z,
// the sum over the 2N nearest-neighbour bonds (N = L²). Two samplers of p:
//   Metropolis (Metropolis et al. 1953): visit each site, flip with probability
//     min(1, exp(-ΔE/T)), ΔE = 2 s_i h_i, h_i the sum of its four neighbours;
//   Wolff (Phys. Rev. Lett. 62, 361, 1989): grow a cluster of equal spins from a random site,
//     adding each equal neighbour with probability p_add = 1 - exp(-2/T), and flip it.
// ising_run() thermalizes, measures per sweep e = E/N and |m| = |Σ s_i|/N, and returns their
// means and the fluctuation observables with error bars (blocking, block jackknife):
//   C = N (<e²> - <e>²) / T²  (specific heat per spin),  χ = N (<m²> - <|m|>²) / T.
// Exact results to check them against are in ising_exact.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gibbs/mcmc/stats.hpp"
#include "gibbs/physics/ising_exact.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::physics {

// L × L spins ±1 (int8), row-major: site (i, j) at i L + j; neighbours wrap around.
class IsingLattice {
  public:
    explicit IsingLattice(int L);  // all spins +1 (the ground state); L >= 2

    int L() const { return L_; }
    std::size_t size() const { return spins_.size(); }
    int8_t& operator()(int i, int j) { return spins_[static_cast<std::size_t>(i * L_ + j)]; }
    int8_t operator()(int i, int j) const { return spins_[static_cast<std::size_t>(i * L_ + j)]; }
    std::span<int8_t> spins() { return spins_; }
    std::span<const int8_t> spins() const { return spins_; }

    // Each spin ±1 with probability 1/2 (infinite temperature).
    void randomize(Generator& gen);
    // E = -Σ_i s_i (s_right(i) + s_down(i)), each bond once.
    int64_t energy() const;
    // M = Σ_i s_i.
    int64_t magnetization() const;
    double energy_per_spin() const { return static_cast<double>(energy()) / size(); }
    double magnetization_per_spin() const { return static_cast<double>(magnetization()) / size(); }

  private:
    int L_;
    std::vector<int8_t> spins_;  // (L, L)
};

// Single-spin-flip Metropolis at temperature T. The acceptance probabilities exp(-2 s h / T)
// for s h ∈ {2, 4} are tabulated as 32-bit thresholds (rounded to within 2^-33), and each
// 64-bit random number decides two sites.
class Metropolis {
  public:
    explicit Metropolis(double T);
    // One sweep: every site visited once, row by row, even columns before odd ones (each
    // single update keeps p invariant).
    // Returns the number of accepted flips.
    std::size_t sweep(IsingLattice& lattice, Generator& gen) const;

  private:
    // threshold_[(s h + 4) / 2]: flip when a uniform 32-bit integer is below it (2^32: always).
    uint64_t threshold_[5];
};

// The Wolff single-cluster algorithm at temperature T.
class Wolff {
  public:
    explicit Wolff(double T);
    // Grows and flips one cluster; returns its size.
    std::size_t step(IsingLattice& lattice, Generator& gen);

  private:
    uint64_t add_threshold_;       // p_add 2^64, rounded: add when next() is below it
    std::vector<uint32_t> stack_;  // sites whose neighbours are yet to be tried
};

enum class IsingSampler { kMetropolis, kWolff };

struct IsingRunOptions {
    IsingSampler sampler = IsingSampler::kWolff;
    std::size_t thermalization = 1000;  // sweeps discarded before measuring
    std::size_t sweeps = 10000;         // sweeps measured
    // Wolff: clusters per sweep; 0 chooses N / <cluster size> from the thermalization
    // (at least one sweep's worth of clusters is grown for that even when thermalization = 0).
    std::size_t clusters_per_sweep = 0;
    // Keep every k-th measured configuration as 0/1 bytes (spin +1 -> 1); 0 keeps none.
    std::size_t keep_every = 0;
    uint64_t seed = 0;
};

struct IsingRunResult {
    int L = 0;
    double T = 0;
    mcmc::Estimate energy_per_spin;    // <e>, blocking
    mcmc::Estimate abs_magnetization;  // <|m|>, blocking
    mcmc::Estimate specific_heat;      // C, block jackknife; tau: the largest of e and e²
    mcmc::Estimate susceptibility;     // χ, block jackknife; tau: the largest of |m| and m²
    std::size_t jackknife_block = 0;   // sweeps per jackknife block
    double acceptance = 0;             // Metropolis: accepted flips / attempts
    double mean_cluster_size = 0;      // Wolff: <n> over the measured clusters / N·sweeps
    std::size_t clusters_per_sweep = 0;
    std::vector<double> energy_series;             // e per measured sweep, (sweeps)
    std::vector<double> abs_magnetization_series;  // |m| per measured sweep, (sweeps)
    std::vector<uint8_t> configurations;           // (sweeps / keep_every, N), 0/1
};

// Runs one chain from the ground state; needs L >= 2, T > 0, sweeps >= 4.
IsingRunResult ising_run(int L, double T, const IsingRunOptions& options = {});

}  // namespace gibbs::physics
