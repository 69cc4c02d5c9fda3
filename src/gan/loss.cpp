// GAN losses and the alternating training step (gibbs/gan/gan.hpp).
#include <cmath>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gan/gan.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gan {

// L_D = mean[softplus(ℓ_real) − t ℓ_real] + mean[softplus(ℓ_fake)],  t = 1 − label_smoothing.
Tensor discriminator_loss(const Tensor& real_logits, const Tensor& fake_logits,
                          double label_smoothing) {
    check(label_smoothing >= 0 && label_smoothing < 1, "--label-smoothing must lie in [0, 1), got ",
          label_smoothing);
    const double t = 1 - label_smoothing;
    const Tensor real_target = Tensor::full(real_logits.shape(), t, real_logits.dtype());
    const Tensor fake_target = Tensor::zeros(fake_logits.shape(), fake_logits.dtype());
    return nn::binary_cross_entropy_with_logits(real_logits, real_target) +
           nn::binary_cross_entropy_with_logits(fake_logits, fake_target);
}

// L_G = mean[−log σ(ℓ_fake)] = mean softplus(−ℓ_fake)  (non-saturating).
Tensor generator_loss(const Tensor& fake_logits) { return mean(softplus(-fake_logits)); }

namespace {

double mean_probability(const Tensor& logits) {
    NoGradGuard no_grad;
    return mean(sigmoid(logits.detach())).item();
}

}  // namespace

StepStats train_step(nn::Module& G, nn::Module& D, optim::Optimizer& opt_g, optim::Optimizer& opt_d,
                     const Tensor& x, Generator& gen, const StepOptions& o) {
    check(o.d_steps >= 1, "--d-steps must be >= 1, got ", o.d_steps);
    check(x.dim() >= 2 && x.size(0) >= 1, "gan: a minibatch must be (N, ...), got ", x.shape());
    const int64_t N = x.size(0);
    StepStats s;
    for (int64_t k = 0; k < o.d_steps; ++k) {
        Tensor fake;
        {
            NoGradGuard no_grad;  // D's update does not reach G
            fake = G(randn({N, o.latent}, gen, x.dtype()));
        }
        const Tensor real_logits = D(x);     // (N, 1)
        const Tensor fake_logits = D(fake);  // (N, 1)
        const Tensor loss = discriminator_loss(real_logits, fake_logits, o.label_smoothing);
        opt_d.zero_grad();
        loss.backward();
        opt_d.step();
        s.d_loss = loss.item();
        s.d_real = mean_probability(real_logits);
        s.d_fake = mean_probability(fake_logits);
    }
    const Tensor fake_logits = D(G(randn({N, o.latent}, gen, x.dtype())));
    const Tensor loss = generator_loss(fake_logits);
    opt_g.zero_grad();
    loss.backward();
    opt_g.step();
    opt_d.zero_grad();  // the gradient that reached D here is not D's to use
    s.g_loss = loss.item();
    return s;
}

}  // namespace gibbs::gan
