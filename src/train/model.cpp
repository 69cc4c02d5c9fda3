// Building the MLP and the optimizers named in a TrainConfig.
#include "gibbs/train/model.hpp"

#include "gibbs/nn/conv.hpp"
#include "gibbs/optim.hpp"

namespace gibbs::train {

namespace {
std::shared_ptr<nn::Module> make_activation(const std::string& name) {
    if (name == "relu") return std::make_shared<nn::ReLU>();
    if (name == "tanh") return std::make_shared<nn::Tanh>();
    if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
    if (name == "gelu") return std::make_shared<nn::GELU>();
    if (name == "silu") return std::make_shared<nn::SiLU>();
    fail("unknown activation '", name, "'");
}
}  // namespace

Mlp::Mlp(int64_t in, const std::vector<int64_t>& hidden, int64_t out, const std::string& activation,
         Generator& gen) {
    check(in >= 1 && out >= 1, "Mlp: sizes must be positive, got in ", in, ", out ", out);
    layers = register_module("layers", std::make_shared<nn::Sequential>());
    int64_t width = in;
    for (int64_t h : hidden) {
        layers->push_back(
            std::make_shared<nn::Linear>(width, h, nn::LinearOptions{.generator = &gen}));
        layers->push_back(make_activation(activation));
        width = h;
    }
    layers->push_back(
        std::make_shared<nn::Linear>(width, out, nn::LinearOptions{.generator = &gen}));
}

Cnn::Cnn(const std::vector<int64_t>& input, const std::vector<int64_t>& channels,
         const std::vector<int64_t>& hidden, int64_t out, const std::string& activation,
         Generator& gen) {
    check(input.size() == 3, "Cnn: the input must be images (C, H, W), got ", input.size(),
          " dimensions");
    int64_t c = input[0], h = input[1], w = input[2];
    layers = register_module("layers", std::make_shared<nn::Sequential>());
    for (int64_t ch : channels) {
        check(h >= 2 && w >= 2, "Cnn: ", channels.size(), " pooling blocks shrink ", input[1], "x",
              input[2], " images to nothing");
        layers->push_back(std::make_shared<nn::Conv2d>(
            c, ch, 3, nn::Conv2dOptions{.padding = 1, .generator = &gen}));
        layers->push_back(make_activation(activation));
        layers->push_back(std::make_shared<nn::MaxPool2d>(2));
        c = ch;
        h /= 2;
        w /= 2;
    }
    layers->push_back(std::make_shared<nn::Flatten>());
    int64_t width = c * h * w;
    for (int64_t units : hidden) {
        layers->push_back(
            std::make_shared<nn::Linear>(width, units, nn::LinearOptions{.generator = &gen}));
        layers->push_back(make_activation(activation));
        width = units;
    }
    layers->push_back(
        std::make_shared<nn::Linear>(width, out, nn::LinearOptions{.generator = &gen}));
}

Tensor Mlp::forward(const Tensor& x) { return layers->forward(x.dim() > 2 ? x.flatten(1) : x); }

std::shared_ptr<nn::Module> build_model(const TrainConfig& c, Generator& gen) {
    check(!c.input_shape.empty() && c.outputs >= 1,
          "build_model: the configuration does not give the input shape and outputs");
    int64_t in = 1;
    for (int64_t d : c.input_shape) in *= d;
    if (c.model == "mlp") return std::make_shared<Mlp>(in, c.hidden, c.outputs, c.activation, gen);
    if (c.model == "cnn")
        return std::make_shared<Cnn>(c.input_shape, c.channels, c.hidden, c.outputs, c.activation,
                                     gen);
    fail("build_model: unknown model '", c.model, "'");
}

std::unique_ptr<optim::Optimizer> build_optimizer(const TrainConfig& c,
                                                  std::vector<Tensor> params) {
    const double lr = c.lr > 0 ? c.lr : default_lr(c.optimizer);
    if (c.optimizer == "adam")
        return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions{.lr = lr});
    if (c.optimizer == "sgd")
        return std::make_unique<optim::Sgd>(std::move(params), optim::SgdOptions{.lr = lr});
    if (c.optimizer == "momentum")
        return std::make_unique<optim::Sgd>(std::move(params),
                                            optim::SgdOptions{.lr = lr, .momentum = 0.9});
    if (c.optimizer == "rmsprop")
        return std::make_unique<optim::Rmsprop>(std::move(params), optim::RmspropOptions{.lr = lr});
    if (c.optimizer == "adagrad")
        return std::make_unique<optim::Adagrad>(std::move(params), optim::AdagradOptions{.lr = lr});
    fail("--optimizer must be adam, sgd, momentum, rmsprop or adagrad, got '", c.optimizer, "'");
}

}  // namespace gibbs::train
