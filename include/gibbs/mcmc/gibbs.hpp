// Block Gibbs sampling for models with two blocks of variables, x (M) and h (N), each
// conditionally independent given the other (RBMs, their tempered versions, DBN top layers):
//   h ~ p(h | x),  x ~ p(x | h).
// Each half-step leaves p(x, h) invariant; alternating them gives a chain whose x-marginal
// converges to p(x) (Geman & Geman 1984). Many chains run as the rows of a batch.
#pragma once

#include <cstdint>

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::mcmc {

// A model that can draw each block given the other, for B chains at once:
// x (B, M) and h (B, N), contiguous, in the model's dtype.
class BlockModel {
  public:
    virtual ~BlockModel() = default;
    virtual int64_t visible_size() const = 0;  // M
    virtual int64_t hidden_size() const = 0;   // N
    virtual void sample_hidden_into(const Tensor& x, Tensor& h, Generator& gen) const = 0;
    virtual void sample_visible_into(const Tensor& h, Tensor& x, Generator& gen) const = 0;
};

// k sweeps h ~ p(h|x), x ~ p(x|h) of every chain; x (B, M) is updated in place and h (B, N) holds
// the last hidden draw. Throws gibbs::Error for mismatched shapes.
void block_gibbs(const BlockModel& model, Tensor& x, Tensor& h, int64_t k, Generator& gen);

}  // namespace gibbs::mcmc
