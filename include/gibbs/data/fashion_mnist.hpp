// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747): 28x28 grey images of clothes
// in 10 classes, 60,000 for training and 10,000 for testing, as IDX files. gibbs reads them from
// the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/); the environment
// variable GIBBS_FASHION_MNIST_DIR names another folder holding the same four files.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "gibbs/data/idx.hpp"

namespace gibbs::data {

enum class Split { kTrain, kTest };

struct LabeledImages {
    IdxArray images;  // (N, 28, 28), pixel values 0..255
    IdxArray labels;  // (N), classes 0..9
    int64_t size() const { return labels.shape.empty() ? 0 : labels.shape[0]; }
};

inline constexpr std::string_view kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
inline constexpr std::array<std::string_view, 10> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// The folder to read from: $GIBBS_FASHION_MNIST_DIR when set and not empty, else the default.
std::string fashion_mnist_dir();

// Loads one split from `dir` (fashion_mnist_dir() when empty). Each file is read as NAME.gz, or as
// NAME when only the uncompressed file exists. Throws gibbs::Error when a file is missing (saying
// to install dataset-fashion-mnist), when the image and label counts differ, when images are not
// (N, 28, 28), or when a label is not a class 0..9.
LabeledImages load_fashion_mnist(Split split, const std::string& dir = "");

}  // namespace gibbs::data
