// The data of a generative run, by its --data name: a toy density (gibbs/gen/toy.hpp), drawn
// fresh from its exact sampler, or Fashion-MNIST images with pixels scaled to [0, 1].
#pragma once

#include <cstdint>
#include <string>

#include "gibbs/data/loader.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::gen {

inline constexpr const char* kFashionMnist = "fashion-mnist";

bool is_image_data(const std::string& name);

// Throws gibbs::Error naming --data and the known names unless `name` is a toy or fashion-mnist.
void check_data_name(const std::string& name);

// A toy density: n fresh draws, x (n, 2) float32, no labels (n must be positive).
// fashion-mnist: the training (test = false) or test split, x (N, 1, 28, 28) float32 in [0, 1]
// with the class labels; n > 0 keeps the first n examples, n = 0 all.
data::TensorDataset generative_data(const std::string& name, bool test, int64_t n, Generator& gen);

}  // namespace gibbs::gen
