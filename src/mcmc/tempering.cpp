// Parallel tempering: temperatures, the state-to-temperature map and the exchange moves
// (equations in gibbs/mcmc/tempering.hpp).
#include "gibbs/mcmc/tempering.hpp"

#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::mcmc {

std::vector<double> geometric_betas(int64_t K, double beta_min) {
    check(K >= 1, "geometric_betas: need at least one temperature, got ", K);
    check(beta_min > 0 && beta_min <= 1, "geometric_betas: beta_min must be in (0, 1], got ",
          beta_min);
    std::vector<double> betas(static_cast<size_t>(K), 1.0);
    for (int64_t k = 1; k < K; ++k)
        betas[k] = std::pow(beta_min, static_cast<double>(k) / static_cast<double>(K - 1));
    return betas;
}

ParallelTempering::ParallelTempering(std::vector<double> betas) : betas_(std::move(betas)) {
    check(!betas_.empty(), "ParallelTempering: no temperatures");
    check(betas_[0] == 1.0, "ParallelTempering: beta_0 must be 1, got ", betas_[0]);
    for (size_t k = 1; k < betas_.size(); ++k)
        check(betas_[k] < betas_[k - 1] && betas_[k] >= 0,
              "ParallelTempering: betas must decrease strictly and stay >= 0 (beta_", k, " = ",
              betas_[k], ")");
    state_at_.resize(betas_.size());
    for (size_t k = 0; k < betas_.size(); ++k) state_at_[k] = static_cast<int64_t>(k);
    proposed_.assign(betas_.size(), 0);
    accepted_.assign(betas_.size(), 0);
}

int64_t ParallelTempering::swap(const std::function<double(int64_t)>& energy, Generator& gen) {
    int64_t swaps = 0;
    const int64_t K = size();
    for (int64_t k = round_ % 2; k + 1 < K; k += 2) {
        const int64_t s = state_at_[k], t = state_at_[k + 1];
        // log acceptance = (β_k − β_{k+1}) (E(s_k) − E(s_{k+1}))
        const double log_ratio = (betas_[k] - betas_[k + 1]) * (energy(s) - energy(t));
        ++proposed_[k];
        if (log_ratio >= 0 || gen.uniform() < std::exp(log_ratio)) {
            state_at_[k] = t;
            state_at_[k + 1] = s;
            ++accepted_[k];
            ++swaps;
        }
    }
    ++round_;
    return swaps;
}

double ParallelTempering::acceptance(int64_t k) const {
    return proposed_[k] ? static_cast<double>(accepted_[k]) / proposed_[k] : 0.0;
}

}  // namespace gibbs::mcmc
