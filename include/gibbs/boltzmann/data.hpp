// Training data for Boltzmann machines: binarized Fashion-MNIST (pixel/255 > 0.5, as in
// Salakhutdinov & Murray 2008 for MNIST), grey levels in [0, 1] for Gaussian units, or the rows
// of a 2-D tensor in a safetensors file (e.g. the 0/1 configurations of `gibbs ising --out`).
#pragma once

#include <cstdint>
#include <string>

#include "gibbs/boltzmann/rbm.hpp"
#include "gibbs/data/fashion_mnist.hpp"

namespace gibbs::boltzmann {

struct VisibleData {
    Tensor x = {};       // (n, M) float32
    int64_t height = 1;  // how to draw a row as an image: (height, width), height·width = M
    int64_t width = 0;
    std::string source = {};  // "fashion-mnist" or the file's path
};

// (n, 784) float32: 1 where pixel/255 > 0.5, else 0.
Tensor binarize_fashion_mnist(const data::LabeledImages& images);

// `spec` is "fashion-mnist" (the split chosen by `split`) or a safetensors file. From a file the
// tensor named `tensor`, else "configurations", "data" or "x", else the file's only 2-D tensor,
// is read (U8, I8, I16, I32, I64, F32 or F64); for binary units every value must be 0 or 1.
// The image shape comes from metadata "L" (L × L), "image_shape" ("H,W"), or a square M.
// Throws gibbs::Error naming the file, tensor, row and column of a bad value.
VisibleData load_visible_data(const std::string& spec, Visible visible,
                              data::Split split = data::Split::kTrain,
                              const std::string& tensor = "");

}  // namespace gibbs::boltzmann
