// Single-flip Metropolis on binary vectors (equations in gibbs/mcmc/metropolis.hpp).
#include "gibbs/mcmc/metropolis.hpp"

#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::mcmc {

FunctionFlipEnergy::FunctionFlipEnergy(int64_t n, std::function<double(std::span<const uint8_t>)> F)
    : F_(std::move(F)), x_(static_cast<size_t>(n), 0) {
    check(n > 0, "FunctionFlipEnergy: size must be positive, got ", n);
    value_ = F_(x_);
}

void FunctionFlipEnergy::reset(std::span<const uint8_t> x) {
    check(x.size() == x_.size(), "FunctionFlipEnergy::reset: state has ", x.size(),
          " values, expected ", x_.size());
    for (size_t i = 0; i < x.size(); ++i) x_[i] = x[i] ? 1 : 0;
    value_ = F_(x_);
}

double FunctionFlipEnergy::flip_delta(int64_t i) const {
    std::vector<uint8_t> y = x_;
    y[i] ^= 1;
    return F_(y) - value_;
}

void FunctionFlipEnergy::flip(int64_t i) {
    x_[i] ^= 1;
    value_ = F_(x_);
}

int64_t metropolis_sweep(FlipEnergy& energy, Generator& gen, double T) {
    check(T > 0 && std::isfinite(T), "metropolis_sweep: temperature must be positive, got ", T);
    int64_t accepted = 0;
    for (int64_t i = 0; i < energy.size(); ++i) {
        const double dF = energy.flip_delta(i);
        // NOTE: ΔF ≤ 0 is always accepted without drawing, so no exp overflow for large −ΔF.
        if (dF <= 0 || gen.uniform() < std::exp(-dF / T)) {
            energy.flip(i);
            ++accepted;
        }
    }
    return accepted;
}

}  // namespace gibbs::mcmc
