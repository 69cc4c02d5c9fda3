// Block Gibbs sweeps over a BlockModel (equations in gibbs/mcmc/gibbs.hpp).
#include "gibbs/mcmc/gibbs.hpp"

#include "gibbs/tensor/error.hpp"

namespace gibbs::mcmc {

void block_gibbs(const BlockModel& model, Tensor& x, Tensor& h, int64_t k, Generator& gen) {
    check(x.defined() && x.dim() == 2 && x.size(1) == model.visible_size(),
          "block_gibbs: x must be (B, ", model.visible_size(), ")");
    check(k >= 0, "block_gibbs: number of steps must be >= 0, got ", k);
    const int64_t B = x.size(0);
    if (!h.defined() || h.dim() != 2 || h.size(0) != B || h.size(1) != model.hidden_size() ||
        h.dtype() != x.dtype())
        h = Tensor::empty({B, model.hidden_size()}, x.dtype());
    for (int64_t step = 0; step < k; ++step) {
        model.sample_hidden_into(x, h, gen);
        model.sample_visible_into(h, x, gen);
    }
}

}  // namespace gibbs::mcmc
