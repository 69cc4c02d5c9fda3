// The generator and discriminator networks of a GAN (gibbs/gan/gan.hpp).
#include <string>

#include "gibbs/gan/gan.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gan {

namespace {

bool is_image(const NetSpec& s) { return s.data_shape.size() == 3; }

// DCGAN's initialization: every convolution and dense weight ~ N(0, 0.02²), biases 0.
void dcgan_init(nn::Module& net, Generator& gen) {
    for (auto& [name, p] : net.named_parameters()) {
        const bool norm_layer = p.dim() == 1 && name.find("bias") == std::string::npos &&
                                name.find("weight") != std::string::npos;
        if (norm_layer) continue;  // batch-norm γ stays 1
        if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0)
            p.fill_(0);
        else
            nn::normal_(p, 0, 0.02, gen);
    }
}

}  // namespace

void check_spec(const NetSpec& s) {
    check(s.arch == "mlp" || s.arch == "dcgan", "--arch must be mlp or dcgan, got '", s.arch, "'");
    check(s.latent >= 1, "--latent must be >= 1, got ", s.latent);
    check(s.data_shape.size() == 1 || s.data_shape.size() == 3, "gan: data of one example's shape ",
          s.data_shape, " is neither a vector nor an image");
    check(s.slope >= 0 && s.slope < 1, "gan: the LeakyReLU slope must lie in [0, 1), got ",
          s.slope);
    for (int64_t h : s.hidden) check(h >= 1, "--hidden: every width must be >= 1, got ", h);
    if (s.arch == "dcgan" || !s.channels.empty()) {
        check(s.channels.size() == 2, "--channels: dcgan takes two channel counts c1,c2, got ",
              s.channels.size());
        for (int64_t c : s.channels) check(c >= 1, "--channels: every count must be >= 1, got ", c);
    }
    if (s.arch == "mlp") {
        check(!s.hidden.empty(), "--hidden: the mlp needs at least one hidden layer");
        return;
    }
    check(is_image(s) && s.data_shape[1] == 28 && s.data_shape[2] == 28,
          "--arch dcgan is built for 28x28 images (fashion-mnist), not data of shape ",
          s.data_shape, "; use --arch mlp");
}

Tensor Unflatten::forward(const Tensor& x) {
    Shape s = shape_;
    s.insert(0, x.size(0));
    return x.reshape(s);
}

std::shared_ptr<nn::Sequential> make_generator(const NetSpec& s, Generator& gen) {
    check_spec(s);
    auto G = std::make_shared<nn::Sequential>();
    const int64_t out = s.data_shape.numel();
    if (s.arch == "mlp") {
        int64_t width = s.latent;
        for (int64_t h : s.hidden) {
            G->push_back(
                std::make_shared<nn::Linear>(width, h, nn::LinearOptions{.generator = &gen}));
            G->push_back(std::make_shared<nn::ReLU>());
            width = h;
        }
        G->push_back(
            std::make_shared<nn::Linear>(width, out, nn::LinearOptions{.generator = &gen}));
        if (is_image(s)) {
            G->push_back(std::make_shared<nn::Sigmoid>());
            G->push_back(std::make_shared<Unflatten>(s.data_shape));
        }
        return G;
    }
    const int64_t c1 = s.channels[0], c2 = s.channels[1], C = s.data_shape[0];
    const nn::ConvTranspose2dOptions up{
        .stride = 2, .padding = 1, .bias = false, .generator = &gen};
    G->push_back(std::make_shared<nn::Linear>(s.latent, c2 * 7 * 7,
                                              nn::LinearOptions{.bias = false, .generator = &gen}));
    G->push_back(std::make_shared<nn::BatchNorm1d>(c2 * 7 * 7));
    G->push_back(std::make_shared<nn::ReLU>());
    G->push_back(std::make_shared<Unflatten>(Shape{c2, 7, 7}));
    G->push_back(std::make_shared<nn::ConvTranspose2d>(c2, c1, 4, up));  // (c1, 14, 14)
    G->push_back(std::make_shared<nn::BatchNorm2d>(c1));
    G->push_back(std::make_shared<nn::ReLU>());
    G->push_back(std::make_shared<nn::ConvTranspose2d>(
        c1, C, 4, nn::ConvTranspose2dOptions{.stride = 2, .padding = 1, .generator = &gen}));
    G->push_back(std::make_shared<nn::Sigmoid>());  // (C, 28, 28) in [0, 1]
    dcgan_init(*G, gen);
    return G;
}

std::shared_ptr<nn::Sequential> make_discriminator(const NetSpec& s, Generator& gen) {
    check_spec(s);
    auto D = std::make_shared<nn::Sequential>();
    if (s.arch == "mlp") {
        if (is_image(s)) D->push_back(std::make_shared<nn::Flatten>());
        int64_t width = s.data_shape.numel();
        for (int64_t h : s.hidden) {
            D->push_back(
                std::make_shared<nn::Linear>(width, h, nn::LinearOptions{.generator = &gen}));
            D->push_back(std::make_shared<nn::LeakyReLU>(s.slope));
            width = h;
        }
        D->push_back(std::make_shared<nn::Linear>(width, 1, nn::LinearOptions{.generator = &gen}));
        return D;
    }
    const int64_t c1 = s.channels[0], c2 = s.channels[1], C = s.data_shape[0];
    const nn::Conv2dOptions down{.stride = 2, .padding = 1, .generator = &gen};
    D->push_back(std::make_shared<nn::Conv2d>(C, c1, 4, down));  // (c1, 14, 14)
    D->push_back(std::make_shared<nn::LeakyReLU>(s.slope));
    D->push_back(std::make_shared<nn::Conv2d>(
        c1, c2, 4, nn::Conv2dOptions{.stride = 2, .padding = 1, .bias = false, .generator = &gen}));
    D->push_back(std::make_shared<nn::BatchNorm2d>(c2));  // (c2, 7, 7)
    D->push_back(std::make_shared<nn::LeakyReLU>(s.slope));
    D->push_back(std::make_shared<nn::Flatten>());
    D->push_back(std::make_shared<nn::Linear>(c2 * 7 * 7, 1, nn::LinearOptions{.generator = &gen}));
    dcgan_init(*D, gen);
    return D;
}

}  // namespace gibbs::gan
