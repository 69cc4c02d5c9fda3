// Finding and checking the Fashion-MNIST files; the IDX parsing itself is in idx.cpp.
#include "gibbs/data/fashion_mnist.hpp"

#include <cstdlib>
#include <filesystem>

#include "gibbs/tensor/error.hpp"

namespace gibbs::data {
namespace {

// NAME.gz when present, else NAME when present, else an error saying what to install.
std::string locate(const std::string& dir, const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path gz = fs::path(dir) / (name + ".gz");
    const fs::path plain = fs::path(dir) / name;
    std::error_code ignored;
    if (fs::is_regular_file(gz, ignored)) return gz.string();
    if (fs::is_regular_file(plain, ignored)) return plain.string();
    fail("Fashion-MNIST not found: ", gz.string(),
         " does not exist. Install the Debian package dataset-fashion-mnist "
         "(apt-get install dataset-fashion-mnist), or set GIBBS_FASHION_MNIST_DIR to a folder "
         "holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz");
}

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string text = "(";
    for (size_t d = 0; d < shape.size(); ++d) text += (d ? ", " : "") + std::to_string(shape[d]);
    return text + ")";
}

}  // namespace

std::string fashion_mnist_dir() {
    const char* env = std::getenv("GIBBS_FASHION_MNIST_DIR");
    return env && *env ? std::string(env) : std::string(kFashionMnistDefaultDir);
}

LabeledImages load_fashion_mnist(Split split, const std::string& dir) {
    const std::string folder = dir.empty() ? fashion_mnist_dir() : dir;
    const std::string prefix = split == Split::kTrain ? "train" : "t10k";
    const std::string images_path = locate(folder, prefix + "-images-idx3-ubyte");
    const std::string labels_path = locate(folder, prefix + "-labels-idx1-ubyte");

    LabeledImages set{read_idx(images_path), read_idx(labels_path)};
    const auto& is = set.images.shape;
    check(is.size() == 3 && is[1] == 28 && is[2] == 28, images_path,
          ": expected images of shape (N, 28, 28), found ", shape_text(is));
    check(set.labels.shape.size() == 1, labels_path, ": expected labels of shape (N), found ",
          shape_text(set.labels.shape));
    check(is[0] == set.labels.shape[0], "Fashion-MNIST image/label count mismatch: ", images_path,
          " holds ", is[0], " images but ", labels_path, " holds ", set.labels.shape[0], " labels");
    for (size_t i = 0; i < set.labels.data.size(); ++i)
        check(set.labels.data[i] < 10, labels_path, ": label ", int{set.labels.data[i]},
              " at index ", i, " is not a class 0..9");
    return set;
}

}  // namespace gibbs::data
