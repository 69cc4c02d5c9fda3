// Reads the Fashion-MNIST test set, draws the first 64 images as a PNG grid, saves them with their
// labels as a safetensors file, and logs what it did as one JSON line.
//
//   ./build/example_fashion_mnist_io [OUT_DIR]      (default: the current folder)
//
// Needs the Debian package dataset-fashion-mnist (or GIBBS_FASHION_MNIST_DIR).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/io/png.hpp"
#include "gibbs/io/safetensors.hpp"

int main(int argc, char** argv) try {
    const std::string out = argc > 1 ? argv[1] : ".";
    const auto test = gibbs::data::load_fashion_mnist(gibbs::data::Split::kTest);
    const int64_t n = 64, side = 28;

    std::vector<float> x(n * side * side);  // (n, 1, 28, 28), pixels scaled to [0, 1]
    for (size_t i = 0; i < x.size(); ++i) x[i] = test.images.data[i] / 255.0f;
    const std::vector<uint8_t> y(test.labels.data.begin(), test.labels.data.begin() + n);  // (n)

    gibbs::io::write_png_grid(out + "/fashion_mnist.png", x.data(), n, side, side, 1, 8, 2);

    gibbs::io::SafetensorsFile file;
    file.tensors.emplace_back("x", gibbs::io::make_raw_tensor<float>({n, 1, side, side}, x));
    file.tensors.emplace_back("y", gibbs::io::make_raw_tensor<uint8_t>({n}, y));
    file.metadata["source"] = "Fashion-MNIST test set, first 64 images";
    gibbs::io::write_safetensors(out + "/fashion_mnist.safetensors", file);

    gibbs::io::MetricsLog log(out + "/metrics.jsonl");
    log.write({{"images", n}, {"first_label", gibbs::data::kFashionMnistClasses[y[0]]}});
    const auto back = gibbs::io::read_safetensors(out + "/fashion_mnist.safetensors");
    std::printf("wrote %s/fashion_mnist.png and fashion_mnist.safetensors (%zu tensors)\n",
                out.c_str(), back.tensors.size());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "example_fashion_mnist_io: error: %s\n", e.what());
    return 1;
}
