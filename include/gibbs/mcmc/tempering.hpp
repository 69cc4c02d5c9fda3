// Parallel tempering (replica exchange; Swendsen & Wang, PRL 57, 2607, 1986; Geyer 1991;
// for RBMs Desjardins et al., AISTATS 2010): K replicas of a system sample
//   p_k(s) ∝ exp(−β_k E(s)),  1 = β_0 > β_1 > ... > β_{K−1} ≥ 0,
// each with its own β_k-invariant moves. Between moves, neighbouring temperatures k, k+1 propose
// to exchange their states, accepted with probability
//   min(1, exp((β_k − β_{k+1}) (E(s_k) − E(s_{k+1})))),
// which keeps the product Π_k p_k invariant; the hot replicas cross barriers and hand their
// states down to β = 1. Even pairs (0,1), (2,3), ... and odd pairs (1,2), ... alternate.
// This class holds only the temperatures and which state sits at which temperature: a model
// keeps its K states wherever it likes and this class says which state to move at which β.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "gibbs/tensor/random.hpp"

namespace gibbs::mcmc {

// K inverse temperatures from 1 down to beta_min, geometric in β: β_k = beta_min^{k/(K−1)}
// (K = 1 gives {1}). beta_min in (0, 1].
std::vector<double> geometric_betas(int64_t K, double beta_min);

class ParallelTempering {
  public:
    // betas: β_0 = 1 > β_1 > ... (strictly decreasing, ≥ 0); throws gibbs::Error otherwise.
    explicit ParallelTempering(std::vector<double> betas);

    int64_t size() const { return static_cast<int64_t>(betas_.size()); }
    double beta(int64_t k) const { return betas_[k]; }
    const std::vector<double>& betas() const { return betas_; }
    // The index of the state that sits at temperature k (initially k).
    int64_t state_at(int64_t k) const { return state_at_[k]; }

    // One round of exchange proposals between neighbours (even pairs on even rounds, odd pairs
    // on odd ones). energy(s) is E of state s (not multiplied by β). Returns accepted swaps.
    int64_t swap(const std::function<double(int64_t state)>& energy, Generator& gen);

    // Accepted / proposed exchanges between temperatures k and k+1.
    double acceptance(int64_t k) const;

  private:
    std::vector<double> betas_;
    std::vector<int64_t> state_at_;
    std::vector<int64_t> proposed_, accepted_;
    int64_t round_ = 0;
};

}  // namespace gibbs::mcmc
