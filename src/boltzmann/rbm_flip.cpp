// Incremental free energy of a binary RBM for single-flip Metropolis (see RbmFlipEnergy).
#include "boltzmann/kernels.hpp"
#include "gibbs/boltzmann/rbm.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

RbmFlipEnergy::RbmFlipEnergy(const Rbm& rbm)
    : M_(rbm.M()),
      N_(rbm.N()),
      W_(rbm.W.to_vector()),
      a_(rbm.a.to_vector()),
      b_(rbm.b.to_vector()),
      u_(b_),
      x_(static_cast<size_t>(rbm.M()), 0) {
    check(rbm.visible() == Visible::kBinary, "RbmFlipEnergy: binary visible units only");
}

void RbmFlipEnergy::reset(std::span<const uint8_t> x) {
    check(static_cast<int64_t>(x.size()) == M_, "RbmFlipEnergy::reset: ", x.size(), " values for ",
          M_, " visible units");
    u_ = b_;
    for (int64_t i = 0; i < M_; ++i) {
        x_[i] = x[i] ? 1 : 0;
        if (x_[i])
            for (int64_t j = 0; j < N_; ++j) u_[j] += W_[i * N_ + j];
    }
}

double RbmFlipEnergy::flip_delta(int64_t i) const {
    // x_i → 1 − x_i changes aᵀx by s a_i and u by s W_i·, s = 1 − 2x_i.
    const double s = x_[i] ? -1.0 : 1.0;
    double d = -s * a_[i];
    for (int64_t j = 0; j < N_; ++j)
        d -= detail::softplus(u_[j] + s * W_[i * N_ + j]) - detail::softplus(u_[j]);
    return d;
}

void RbmFlipEnergy::flip(int64_t i) {
    const double s = x_[i] ? -1.0 : 1.0;
    for (int64_t j = 0; j < N_; ++j) u_[j] += s * W_[i * N_ + j];
    x_[i] ^= 1;
}

}  // namespace gibbs::boltzmann
