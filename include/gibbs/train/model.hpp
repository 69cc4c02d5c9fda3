// The networks `gibbs train` builds, and their optimizers, from a TrainConfig.
//
// CNN (LeCun et al. 1998, in today's form): blocks of a 3×3 convolution with padding 1, the
// activation and 2×2 max pooling, each halving the image, then the dense layers of an MLP:
//   h = pool(σ(conv_1(x))) → ... → pool(σ(conv_K(·))) → flatten → σ(Linear) ... → Linear → logits
// For 1×28×28 images and channels (32, 64): 32×14×14 → 64×7×7 → 3136 → 128 → 10.
//
// MLP (multilayer perceptron): with h₀ = x flattened to (N, D) and activation σ,
//   h_l = σ(h_{l−1} W_lᵀ + b_l)  for the hidden layers l = 1..L,   f(x) = h_L W_{L+1}ᵀ + b_{L+1}
// giving C logits (classification, trained with softmax cross-entropy) or one value
// (regression, trained with the mean squared error on the standardized target). Parameters are
// named like PyTorch's nn.Sequential inside a module: "layers.0.weight", "layers.0.bias",
// "layers.2.weight", ... (activations hold no parameters but keep their index).
#pragma once

#include <memory>
#include <vector>

#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/optimizer.hpp"
#include "gibbs/train/config.hpp"

namespace gibbs::train {

class Mlp : public nn::Module {
  public:
    // in → hidden[0] → ... → hidden[L−1] → out, with `activation` between the Linear layers.
    Mlp(int64_t in, const std::vector<int64_t>& hidden, int64_t out, const std::string& activation,
        Generator& gen);
    // x (N, ...) is flattened to (N, in).
    Tensor forward(const Tensor& x) override;

    std::shared_ptr<nn::Sequential> layers;
};

class Cnn : public nn::Module {
  public:
    // input (C, H, W); channels[k] outputs of block k; dense hidden widths; out logits.
    Cnn(const std::vector<int64_t>& input, const std::vector<int64_t>& channels,
        const std::vector<int64_t>& hidden, int64_t out, const std::string& activation,
        Generator& gen);
    Tensor forward(const Tensor& x) override { return layers->forward(x); }  // x (N, C, H, W)

    std::shared_ptr<nn::Sequential> layers;
};

// The model config.model describes, initialized from `gen` (PyTorch's default initialization).
std::shared_ptr<nn::Module> build_model(const TrainConfig& config, Generator& gen);

// The optimizer config.optimizer names over `params`, with config.lr (> 0):
//   adam: Adam(β = 0.9, 0.999)     sgd: plain SGD     momentum: SGD with momentum 0.9
//   rmsprop: RMSprop(α = 0.99)     adagrad: AdaGrad
std::unique_ptr<optim::Optimizer> build_optimizer(const TrainConfig& config,
                                                  std::vector<Tensor> params);

}  // namespace gibbs::train
