// Generative adversarial networks (Goodfellow et al., "Generative adversarial nets", NIPS 2014):
// a generator G maps latent noise z ~ N(0, I_k) to data space and a discriminator D maps a point
// to a logit ℓ = D(x), read as the probability σ(ℓ) that x came from the data.
//
// Discriminator loss (binary cross-entropy with logits, real target t = 1 − label smoothing,
// one-sided as in Salimans et al. 2016):
//   L_D = E_x[−t log σ(D(x)) − (1 − t) log(1 − σ(D(x)))] + E_z[−log(1 − σ(D(G(z))))]
//       = E_x[softplus(D(x)) − t D(x)] + E_z[softplus(D(G(z)))].
// Non-saturating generator loss (Goodfellow et al. §3): instead of minimizing log(1 − D(G(z))),
// whose gradient vanishes while D rejects the samples, G minimizes
//   L_G = E_z[−log σ(D(G(z)))] = E_z[softplus(−D(G(z)))].
// For fixed G with density p_g, L_D (t = 1) is minimized by D*(x) = p_data(x)/(p_data(x) + p_g(x)),
// i.e. the logit log p_data(x) − log p_g(x).
//
// Architectures (Radford, Metz & Chintala, "Unsupervised representation learning with deep
// convolutional GANs", ICLR 2016, for "dcgan"):
//   mlp    G: z → [Linear, ReLU]×len(hidden) → Linear → data (sigmoid for images, in [0, 1])
//          D: x → [Linear, LeakyReLU(0.2)]×len(hidden) → Linear → logit
//   dcgan  (28×28 images, channels = {c1, c2})
//          G: z → Linear → BatchNorm → ReLU → (c2, 7, 7) → ConvT 4×4/2 → (c1, 14, 14) → BatchNorm
//             → ReLU → ConvT 4×4/2 → (1, 28, 28) → sigmoid
//          D: x → Conv 4×4/2 → (c1, 14, 14) → LeakyReLU → Conv 4×4/2 → (c2, 7, 7) → BatchNorm
//             → LeakyReLU → Linear → logit   (batch norm in every layer of D but the first, as
//             in the paper; D always runs in training mode, on the real and the fake
//             minibatch separately)
//          weights ~ N(0, 0.02²) as in the DCGAN paper, biases 0.
// Trained by alternating Adam steps with β₁ = 0.5 (the DCGAN setting): d_steps updates of D on
// one real minibatch (fresh z each), then one update of G.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/optimizer.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::gan {

// The shape of the networks. `data_shape` is one example's shape: {2} for a toy, {1, 28, 28}
// for Fashion-MNIST.
struct NetSpec {
    std::string arch = "mlp";  // "mlp" or "dcgan"
    Shape data_shape = {2};
    int64_t latent = 8;                  // k, the dimension of z
    std::vector<int64_t> hidden = {};    // mlp: widths of the hidden layers (G and D alike)
    std::vector<int64_t> channels = {};  // dcgan: {c1, c2}
    double slope = 0.2;                  // LeakyReLU slope of D
};

// Throws gibbs::Error naming the option (--arch, --latent, --hidden, --channels) when the spec
// cannot be built (e.g. dcgan for 2-D data).
void check_spec(const NetSpec& spec);

// (N, ...) → (N, shape...).
class Unflatten : public nn::Module {
  public:
    explicit Unflatten(Shape shape) : shape_(std::move(shape)) {}
    Tensor forward(const Tensor& x) override;

  private:
    Shape shape_;
};

// G: z (N, k) → x (N, data_shape...), float32, initialized from `gen`.
std::shared_ptr<nn::Sequential> make_generator(const NetSpec& spec, Generator& gen);
// D: x (N, data_shape...) → logits (N, 1).
std::shared_ptr<nn::Sequential> make_discriminator(const NetSpec& spec, Generator& gen);

// L_D for logits of a real and a fake minibatch, real target t = 1 − label_smoothing.
Tensor discriminator_loss(const Tensor& real_logits, const Tensor& fake_logits,
                          double label_smoothing = 0);
// L_G = mean softplus(−ℓ) over the logits of fake samples.
Tensor generator_loss(const Tensor& fake_logits);

struct StepOptions {
    int64_t latent = 8;
    double label_smoothing = 0;
    int64_t d_steps = 1;
};

// What one training step saw: the losses and the discriminator's mean probabilities σ(D(·)),
// each from the last discriminator update of the step (g_loss from the generator update).
struct StepStats {
    double d_loss = 0;
    double g_loss = 0;
    double d_real = 0;  // mean σ(D(x)) on the real minibatch
    double d_fake = 0;  // mean σ(D(G(z))) on the fake minibatch
};

// One alternating step on the real minibatch x (N, ...): d_steps discriminator updates, each on
// G(z) for fresh z ~ N(0, I) (N, latent) drawn from `gen` in x's dtype, then one generator update
// on fresh z. G and D may be any modules with these shapes.
StepStats train_step(nn::Module& G, nn::Module& D, optim::Optimizer& opt_g, optim::Optimizer& opt_d,
                     const Tensor& x, Generator& gen, const StepOptions& options);

}  // namespace gibbs::gan
