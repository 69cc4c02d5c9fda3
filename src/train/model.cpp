// Building the MLP and the optimizers named in a TrainConfig.
#include "gibbs/train/model.hpp"

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

Tensor Mlp::forward(const Tensor& x) { return layers->forward(x.dim() > 2 ? x.flatten(1) : x); }

std::shared_ptr<nn::Module> build_model(const TrainConfig& c, Generator& gen) {
    check(!c.input_shape.empty() && c.outputs >= 1,
          "build_model: the configuration does not give the input shape and outputs");
    int64_t in = 1;
    for (int64_t d : c.input_shape) in *= d;
    if (c.model == "mlp") return std::make_shared<Mlp>(in, c.hidden, c.outputs, c.activation, gen);
    fail("train ", c.model,
         ": this model is not available yet (the image layers it needs are not "
         "in this build)");
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
