// Energy-based models trained by maximum likelihood with Langevin negatives, following Du &
// Mordatch, "Implicit generation and modeling with energy-based models", NeurIPS 2019.
//
// An energy network E_θ(x) defines p_θ(x) = exp(−E_θ(x)) / Z_θ. The gradient of the negative
// log-likelihood is ∇_θ E_θ(x⁺) − E_{x⁻~p_θ}[∇_θ E_θ(x⁻)]: push the energy of data x⁺ down and
// that of model samples x⁻ up. Model samples come from short-run Langevin chains
// (gibbs/mcmc/langevin.hpp) x ← x − (ε/2) clip(∇ₓE) + σ√ε η started from a replay buffer of
// earlier chains, of which a fraction ρ (5%) restarts from uniform noise at every step. The loss,
// with its energy regularizer of weight α (which keeps the energies near 0 and the gradients of
// the sampler bounded), is
//   L(θ) = mean_b E_θ(x⁺_b) − mean_b E_θ(x⁻_b) + α (mean_b E_θ(x⁺_b)² + mean_b E_θ(x⁻_b)²),
// with x⁻ held fixed (no gradient flows through the sampler).
//
// Energy networks: an MLP with SiLU activations for 2-D points (N, 2), and for 28×28 images
// (N, 1, 28, 28) a small CNN: conv 3×3 1→c₁, conv 4×4 stride 2 c₁→c₂ (14×14), conv 4×4 stride 2
// c₂→c₃ (7×7), each followed by SiLU, then a dense layer c₃·49 → 1. Both end in one scalar
// energy per example: E (N).
#pragma once

#include <cstdint>
#include <vector>

#include "gibbs/mcmc/langevin.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/optimizer.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::ebm {

struct EnergyNetOptions {
    bool image = false;                            // CNN for (N, 1, 28, 28), else MLP for (N, 2)
    std::vector<int64_t> hidden = {128, 128};      // MLP widths
    std::vector<int64_t> channels = {32, 64, 64};  // CNN channels c₁, c₂, c₃
    DType dtype = DType::f32;
};

class EnergyNet : public nn::Module {
  public:
    EnergyNet(const EnergyNetOptions& options, Generator& gen);
    // x (N, 2) or (N, 1, 28, 28) -> E (N).
    Tensor forward(const Tensor& x) override;
    const EnergyNetOptions& options() const { return options_; }

  private:
    EnergyNetOptions options_;
    std::shared_ptr<nn::Sequential> net_;
};

// Turns off requires_grad of a module's parameters for its lifetime, so that the Langevin
// sampler's backward computes ∇ₓE only.
class FrozenParameters {
  public:
    explicit FrozenParameters(const nn::Module& module);
    ~FrozenParameters();
    FrozenParameters(const FrozenParameters&) = delete;
    FrozenParameters& operator=(const FrozenParameters&) = delete;

  private:
    std::vector<Tensor> params_;
};

// The Langevin sampler's EnergyFn for an energy network (parameters must be frozen by the caller
// for pure sampling, see FrozenParameters).
mcmc::EnergyFn energy_fn(nn::Module& energy);

// The replay buffer: `capacity` chains x (capacity, ...) float32, initialized with uniform noise
// on the box [lo, hi]. draw() picks B chains uniformly at random (with replacement) and
// restarts each from fresh noise with probability `reinit`; put() writes the chains back.
class ReplayBuffer {
  public:
    ReplayBuffer(const Shape& example, int64_t capacity, double lo, double hi, Generator& gen);
    struct Draw {
        std::vector<int64_t> indices;  // (B) rows of the buffer
        Tensor x;                      // (B, ...) a copy, some rows fresh noise
    };
    Draw draw(int64_t B, double reinit, Generator& gen) const;
    void put(const std::vector<int64_t>& indices, const Tensor& x);
    // Uniform noise on the box, (n, ...) float32.
    Tensor noise(int64_t n, Generator& gen) const;
    const Tensor& x() const { return x_; }
    // Restores a saved buffer (same shape; an error names `source` otherwise).
    void load(const Tensor& x, const std::string& source);

  private:
    Tensor x_;  // (capacity, ...)
    double lo_, hi_;
};

// L = mean E⁺ − mean E⁻ + α (mean E⁺² + mean E⁻²) for energies E⁺ (B), E⁻ (B').
Tensor contrastive_loss(const Tensor& e_pos, const Tensor& e_neg, double alpha);

struct SgldOptions {
    int64_t steps = 20;
    mcmc::LangevinOptions langevin = {};
    double reinit = 0.05;  // ρ: fraction of chains restarted from noise each step
};

struct StepStats {
    double loss = 0;
    double e_pos = 0;  // mean E(x⁺)
    double e_neg = 0;  // mean E(x⁻)
    double acceptance = 1;
};

// One training step: draws chains from the buffer, runs the sampler on them, writes them back,
// and takes one optimizer step on the contrastive loss of the batch x⁺ against them. Throws
// gibbs::Error when the loss is not finite (before changing the parameters).
StepStats train_step(nn::Module& energy, optim::Optimizer& optimizer, const Tensor& x_pos,
                     ReplayBuffer& buffer, const SgldOptions& sgld, double alpha, Generator& gen);

}  // namespace gibbs::ebm
