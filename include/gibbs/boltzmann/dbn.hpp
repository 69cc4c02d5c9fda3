// Deep belief networks (Hinton, Osindero & Teh, Neural Computation 18, 1527, 2006): a stack of
// RBMs trained greedily, layer by layer. RBM l models the activities of layer l; the next RBM is
// trained on p(h|x) of the one below (the data "propagated up"). The generative model is the top
// RBM, an undirected prior over the top two layers, followed by directed layers p(x_l | x_{l+1})
// given by the lower RBMs' visible conditionals. Sampling: block Gibbs in the top RBM, then one
// pass down, drawing each binary layer and taking the mean at the bottom.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gibbs/boltzmann/train.hpp"

namespace gibbs::boltzmann {

struct Dbn {
    std::vector<Rbm> layers;  // layers[0] sees the data; layers[l].N() == layers[l+1].M()
    // Layer sizes: data, then each hidden layer.
    std::vector<int64_t> sizes() const;
};

struct DbnTrainOptions {
    RbmTrainOptions rbm = {};            // for every layer (the batch, method, lr, ... and epochs)
    Visible visible = Visible::kBinary;  // of the bottom layer; the layers above are binary
    double weight_std = 0.01;
};

// Trains hidden layers of the given sizes on data (n, M) greedily; `on_epoch` (may be empty) is
// called after each epoch of each layer.
Dbn train_dbn(const Tensor& data, const std::vector<int64_t>& hidden_sizes,
              const DbnTrainOptions& options,
              const std::function<void(int64_t layer, const EpochStats&)>& on_epoch = {});

// p(h|x) propagated through the first `depth` layers (all when depth < 0).
Tensor dbn_propagate_up(const Dbn& dbn, const Tensor& x, int64_t depth = -1);

// n samples of the bottom layer, (n, M): `gibbs_steps` block-Gibbs sweeps in the top RBM from
// random top-layer states (or from `start` (n, M) propagated up), then down.
Tensor dbn_sample(const Dbn& dbn, int64_t n, int64_t gibbs_steps, Generator& gen,
                  const Tensor& start = Tensor());

// Checkpoint: tensors "layers.l.W", "layers.l.a", "layers.l.b" (and "layers.0.sigma"), metadata
// {"model": "dbn", "visible": ..., "layers": "784,500,500"}.
void save_dbn(const std::string& path, const Dbn& dbn);
Dbn load_dbn(const std::string& path);

}  // namespace gibbs::boltzmann
