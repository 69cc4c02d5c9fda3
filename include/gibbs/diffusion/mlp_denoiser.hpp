// The ε-predictor for low-dimensional data (2-D toys): an MLP on x_t joined to the sinusoidal
// embedding e(t) of the time step (gibbs/diffusion/denoiser.hpp). With D the data dimension,
// E the embedding dimension and hidden widths H_1..H_L (default 128, 128, 128, ReLU):
//   h_1 = relu(W_x x_t + W_e e(t) + b_1)            (W_x (H_1, D), W_e (H_1, E): one linear layer
//                                                    on the concatenation [x_t, e(t)], stored
//                                                    split)
//   h_l = relu(W_l h_{l−1} + b_l),  l = 2..L
//   ε̂   = W_o h_L + b_o                              (W_o (D, H_L))
// Initialized like PyTorch's nn.Linear: U(±1/√fan_in) for weights and biases.
//
// predict() records an autograd graph when gradients are enabled, so any loss can be built on it
// and gradchecked. Two fast paths run hand-written forward/backward passes on GEMMs with
// preallocated buffers and no graph (the batch's rows split over the OpenMP threads, the weight
// gradients split over output units, so results do not depend on the thread count):
//   simple_loss_backward()  L_simple and its gradient, written into every parameter's grad;
//   predict() with gradients disabled (sampling, the bound), which folds W_e e(t) + b_1 into one
//   bias when the whole batch shares its time step.
#pragma once

#include <cstdint>
#include <vector>

#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/optim/optimizer.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::diffusion {

struct MlpDenoiserOptions {
    int64_t dim = 2;                                // D, the data dimension
    int64_t embedding = 16;                         // E, even
    std::vector<int64_t> hidden = {128, 128, 128};  // H_1..H_L
};

class MlpDenoiser : public Denoiser {
  public:
    MlpDenoiser(MlpDenoiserOptions options, Generator& gen);

    // x_t (B, D) or (B, ...) with D elements per row; t (B). Returns ε̂ shaped like x_t.
    Tensor predict(const Tensor& x_t, const Tensor& t) override;

    // L_simple = (1/(B·D)) Σ (ε̂(x_t, t) − ε)² (PyTorch's mse_loss), returned, and its gradient
    // with respect to every parameter written (not accumulated) into the parameter's grad.
    // With an optimizer, also takes its step (the same as opt->step() after the call): when
    // the optimizer holds exactly parameters() in order and updates by slices, each thread
    // updates the slice of parameters whose gradient it has just summed, in the same pass.
    // The step is taken whatever the loss: check it before using the parameters again.
    double simple_loss_backward(const Tensor& x_t, const Tensor& t, const Tensor& eps,
                                optim::Optimizer* opt = nullptr);

    const MlpDenoiserOptions& options() const { return options_; }

  private:
    template <typename S>
    struct Kernels;

    // Parameters in registration order: W_x (H_1, D), W_e (H_1, E), b_1, then W_l, b_l for
    // l = 2..L, then W_o (D, H_L), b_o (D); named "input.weight_x", "input.weight_t",
    // "input.bias", "hidden.l.weight", "hidden.l.bias", "output.weight", "output.bias".
    MlpDenoiserOptions options_;
    // Reused buffers (float32 or float64 by the parameters' dtype, held as bytes).
    std::vector<unsigned char> work_;
    std::vector<unsigned char> partials_;  // per-thread partial gradients (see the backward)
    std::vector<double> embedding_table_;  // e(t) for t = 0..t_max, row-major (t_max + 1, E)
    const double* embedding(int64_t t_max);
};

}  // namespace gibbs::diffusion
