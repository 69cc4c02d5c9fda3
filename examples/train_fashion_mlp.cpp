// The training loop of `gibbs train mlp`, written out: Fashion-MNIST as tensors, a shuffling
// DataLoader, a 784-256-128-10 ReLU network, Adam, softmax cross-entropy; then the test accuracy,
// and the weights saved as safetensors (names "0.weight", "0.bias", ..., readable by PyTorch's
// safetensors.torch.load_file).
//   build/example_train_fashion_mlp [epochs]
#include <cstdio>
#include <cstdlib>

#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/data/loader.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"

using namespace gibbs;

int main(int argc, char** argv) {
    const int epochs = argc > 1 ? std::atoi(argv[1]) : 3;
    const auto raw_train = data::load_fashion_mnist(data::Split::kTrain);
    const auto raw_test = data::load_fashion_mnist(data::Split::kTest);
    const data::TensorDataset train = data::images_dataset(raw_train.images, raw_train.labels, 10);
    const data::TensorDataset test = data::images_dataset(raw_test.images, raw_test.labels, 10);

    Generator gen(0);
    const nn::LinearOptions o{.generator = &gen};
    nn::Sequential net{nn::Linear(784, 256, o), nn::ReLU(), nn::Linear(256, 128, o), nn::ReLU(),
                       nn::Linear(128, 10, o)};
    optim::Adam opt(net.parameters(), {.lr = 1e-3});
    data::DataLoader loader(train, {.batch_size = 128, .seed = 1});

    for (int epoch = 1; epoch <= epochs; ++epoch) {
        double total = 0;
        for (const data::Batch& b : loader.epoch()) {
            Tensor loss = nn::cross_entropy(net(b.x), b.labels);  // x (128, 784), labels (128)
            opt.zero_grad();
            loss.backward();
            opt.step();
            total += loss.item() * static_cast<double>(b.size());
        }
        // Test accuracy: the fraction of argmax predictions equal to the label.
        NoGradGuard no_grad;
        const Tensor predicted = net(test.x).argmax(1);  // (10000), class indices as floats
        const std::vector<double> p = predicted.to_vector();
        int64_t correct = 0;
        for (int64_t i = 0; i < test.size(); ++i) correct += p[i] == test.labels[i];
        std::printf("epoch %d: train loss %.4f, test accuracy %.4f\n", epoch,
                    total / static_cast<double>(train.size()),
                    static_cast<double>(correct) / static_cast<double>(test.size()));
    }
    io::save_checkpoint("fashion_mlp.safetensors", net.state(),
                        {{"epochs", std::to_string(epochs)}});
    std::printf("saved fashion_mlp.safetensors\n");
}
