// Single-flip Metropolis–Hastings on binary vectors x ∈ {0,1}^n with p(x) ∝ exp(−F(x)/T)
// (Metropolis et al. 1953; Hastings 1970): propose flipping one bit, x' = x with x_i ← 1 − x_i,
// accept with probability min(1, exp(−(F(x') − F(x))/T)). The proposal is symmetric, so detailed
// balance holds for p; a sweep visits i = 0..n−1 in order (each single update keeps p invariant).
// The model supplies ΔF for a flip through FlipEnergy, which may keep a cache of its own state
// (an RBM keeps xᵀW, making a flip O(N) rather than O(MN)).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "gibbs/tensor/random.hpp"

namespace gibbs::mcmc {

// F on one chain's state x, with incremental flips.
class FlipEnergy {
  public:
    virtual ~FlipEnergy() = default;
    virtual int64_t size() const = 0;
    // Sets the state to x (n values 0/1).
    virtual void reset(std::span<const uint8_t> x) = 0;
    // F(x with bit i flipped) − F(x).
    virtual double flip_delta(int64_t i) const = 0;
    // Flips bit i of the state.
    virtual void flip(int64_t i) = 0;
    virtual std::span<const uint8_t> state() const = 0;
};

// Any F given as a function, recomputed in full for each proposal (small models, tests).
class FunctionFlipEnergy : public FlipEnergy {
  public:
    FunctionFlipEnergy(int64_t n, std::function<double(std::span<const uint8_t>)> F);
    int64_t size() const override { return static_cast<int64_t>(x_.size()); }
    void reset(std::span<const uint8_t> x) override;
    double flip_delta(int64_t i) const override;
    void flip(int64_t i) override;
    std::span<const uint8_t> state() const override { return x_; }

  private:
    std::function<double(std::span<const uint8_t>)> F_;
    std::vector<uint8_t> x_;
    double value_ = 0;
};

// One sweep of single-flip Metropolis at temperature T (> 0) on the energy's current state.
// Returns the number of accepted flips.
int64_t metropolis_sweep(FlipEnergy& energy, Generator& gen, double T = 1.0);

}  // namespace gibbs::mcmc
