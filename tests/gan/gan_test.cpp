// GANs: the losses against their closed forms, the generator loss's gradient against finite
// differences, the optimal discriminator and a 1-D GAN whose equilibrium is known.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gan/gan.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gan {
namespace {

double softplus_ref(double x) { return std::log1p(std::exp(x)); }

// ℓ_real = (0, 2), ℓ_fake = (−1, 1):
//   L_D = ½[(sp(0) − t·0) + (sp(2) − 2t)] + ½[sp(−1) + sp(1)],  L_G = ½[sp(1) + sp(−1)].
TEST(GanLoss, EqualsItsClosedForm) {
    const Tensor real = Tensor::from({0, 2}, {2, 1});
    const Tensor fake = Tensor::from({-1, 1}, {2, 1});
    for (double smoothing : {0.0, 0.1}) {
        const double t = 1 - smoothing;
        const double expected = 0.5 * (softplus_ref(0) + softplus_ref(2) - 2 * t) +
                                0.5 * (softplus_ref(-1) + softplus_ref(1));
        EXPECT_NEAR(discriminator_loss(real, fake, smoothing).item(), expected, 1e-12);
    }
    EXPECT_NEAR(generator_loss(fake).item(), 0.5 * (softplus_ref(1) + softplus_ref(-1)), 1e-12);
    // −log σ(ℓ) = softplus(−ℓ): L_G at ℓ = 0 is log 2, and L_D of an undecided D is 2 log 2.
    const Tensor zero = Tensor::zeros({3, 1}, DType::f64);
    EXPECT_NEAR(generator_loss(zero).item(), std::log(2.0), 1e-12);
    EXPECT_NEAR(discriminator_loss(zero, zero).item(), 2 * std::log(2.0), 1e-12);
    EXPECT_THROW(discriminator_loss(real, fake, 1.0), Error);
}

// The non-saturating loss L_G(θ) = mean softplus(−D(G_θ(z))) for fixed z and D, differentiated
// by backward() and by central differences over every generator parameter, in float64.
void check_generator_gradient(const NetSpec& spec, int64_t batch, int64_t max_checked) {
    Generator gen(7);
    auto G = make_generator(spec, gen);
    auto D = make_discriminator(spec, gen);
    G->to(DType::f64);
    D->to(DType::f64);
    const Tensor z = randn({batch, spec.latent}, gen, DType::f64);
    auto loss = [&] { return generator_loss((*D)(G->forward(z))); };
    G->zero_grad();
    loss().backward();
    // Central difference (L(θ + ε) − L(θ − ε)) / 2ε.
    auto numeric_derivative = [&](double* v, double eps) {
        const double saved = *v;
        NoGradGuard no_grad;
        *v = saved + eps;
        const double up = loss().item();
        *v = saved - eps;
        const double down = loss().item();
        *v = saved;
        return (up - down) / (2 * eps);
    };
    int64_t checked = 0, at_kink = 0;
    for (auto& [name, p] : G->named_parameters()) {
        ASSERT_TRUE(p.grad().defined()) << name;
        const Tensor g = p.grad().contiguous();
        const int64_t stride = std::max<int64_t>(1, p.numel() / max_checked);
        for (int64_t i = 0; i < p.numel(); i += stride) {
            double* v = p.data<double>() + i;
            const double numeric = numeric_derivative(v, 1e-6);
            const double tolerance = 1e-6 * std::max(1.0, std::abs(numeric));
            // NOTE: a ReLU input within ε of its kink makes the two step sizes disagree; such an
            // element is skipped (the analytic gradient is the one-sided derivative there).
            if (std::abs(numeric_derivative(v, 1e-7) - numeric) > tolerance) {
                ++at_kink;
                continue;
            }
            EXPECT_NEAR(g.data<double>()[i], numeric, tolerance) << name << "[" << i << "]";
            ++checked;
        }
    }
    EXPECT_LE(at_kink, 2);
    EXPECT_GT(checked, 10);
}

TEST(GanLoss, GeneratorGradientMatchesFiniteDifferencesMlp) {
    check_generator_gradient({.arch = "mlp", .data_shape = {2}, .latent = 3, .hidden = {5, 4}}, 6,
                             1000);
}

TEST(GanLoss, GeneratorGradientMatchesFiniteDifferencesDcgan) {
    // Batch norm in training mode: the loss depends on the whole batch, and so does the check.
    check_generator_gradient(
        {.arch = "dcgan", .data_shape = {1, 28, 28}, .latent = 4, .channels = {2, 3}}, 3, 12);
}

TEST(GanNets, ShapesAndErrors) {
    Generator gen(1);
    const NetSpec dc{.arch = "dcgan", .data_shape = {1, 28, 28}, .latent = 5, .channels = {4, 8}};
    auto G = make_generator(dc, gen);
    auto D = make_discriminator(dc, gen);
    const Tensor x = (*G)(randn({3, 5}, gen));
    EXPECT_EQ(x.shape(), (Shape{3, 1, 28, 28}));
    const std::vector<double> v = x.to_vector();
    for (double p : v) EXPECT_TRUE(p > 0 && p < 1);
    EXPECT_EQ((*D)(x).shape(), (Shape{3, 1}));
    EXPECT_THROW(make_generator({.arch = "dcgan", .data_shape = {2}, .channels = {4, 8}}, gen),
                 Error);
    EXPECT_THROW(make_generator({.arch = "gru", .hidden = {4}}, gen), Error);
    EXPECT_THROW(make_generator({.arch = "mlp", .hidden = {}}, gen), Error);
}

// ---- one-dimensional GANs with known answers ----

// G(z) = a z + b, so p_g = N(b, a²).
class LinearGenerator : public nn::Module {
  public:
    LinearGenerator(double a, double b) {
        this->a = register_parameter("a", Tensor::full({1}, a, DType::f64));
        this->b = register_parameter("b", Tensor::full({1}, b, DType::f64));
    }
    Tensor forward(const Tensor& z) override { return z * a + b; }
    Tensor a, b;
};

// D(x) = w₂ x² + w₁ x + w₀: the logit of the optimal discriminator between two Gaussians,
// log N(x; μ, s²) − log N(x; m, σ²), has exactly this form.
class QuadraticDiscriminator : public nn::Module {
  public:
    QuadraticDiscriminator() { w = register_parameter("w", Tensor::zeros({3}, DType::f64)); }
    Tensor forward(const Tensor& x) override {
        const Tensor w0 = w.narrow(0, 0, 1), w1 = w.narrow(0, 1, 1), w2 = w.narrow(0, 2, 1);
        return x * x * w2 + x * w1 + w0;  // (N, 1)
    }
    Tensor w;  // (w₀, w₁, w₂)
};

double normal_log_pdf(double x, double mean, double sd) {
    return -0.5 * std::pow((x - mean) / sd, 2) - std::log(sd) - 0.5 * std::log(2 * M_PI);
}

// For fixed p_g = N(m, σ²) and data N(μ, s²), minimizing L_D gives D*(x) = p_data/(p_data + p_g).
// Full-batch Adam on n = 10000 draws of each reaches the sample optimum; its logit coefficients
// differ from the population ones by O(1/√n), a few 0.01 in probability at the points checked.
TEST(GanOneDimensional, DiscriminatorReachesTheOptimalDiscriminator) {
    const double mu = 1.0, s = 0.5, m = 0.0, sigma = 1.0;
    Generator gen(3);
    const int64_t n = 10000;
    const Tensor real = randn({n, 1}, gen, DType::f64) * s + mu;
    const Tensor fake = randn({n, 1}, gen, DType::f64) * sigma + m;
    QuadraticDiscriminator D;
    optim::Adam opt(D.parameters(), {.lr = 0.05, .beta1 = 0.5});
    for (int step = 0; step < 1000; ++step) {
        const Tensor loss = discriminator_loss(D(real), D(fake));
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    NoGradGuard no_grad;
    for (double x : {0.0, 0.5, 1.0, 1.5}) {
        const double log_ratio = normal_log_pdf(x, mu, s) - normal_log_pdf(x, m, sigma);
        const double d_star = 1 / (1 + std::exp(-log_ratio));
        const double d = 1 / (1 + std::exp(-D(Tensor::full({1, 1}, x, DType::f64)).item()));
        EXPECT_NEAR(d, d_star, 0.02) << "x = " << x;
    }
}

// The GAN game between G(z) = a z + b and the quadratic D has its equilibrium at p_g = p_data:
// |a| = s, b = μ, where D* = ½ everywhere and L_D = 2 log 2. train_step's alternating Adam steps
// (β₁ = 0.5) reach it when D learns faster than G (two time scales, Heusel et al. 2017: with
// equal rates the scale |a| oscillates and collapses towards 0 for long stretches); the minibatch
// noise of B = 512 leaves a spread of about 0.01 in the averages over the last 1000 steps.
TEST(GanOneDimensional, LinearGeneratorLearnsTheDataGaussian) {
    const double mu = 1.5, s = 0.5;
    Generator gen(11);
    LinearGenerator G(1.0, 0.0);
    QuadraticDiscriminator D;
    optim::Adam opt_g(G.parameters(), {.lr = 0.005, .beta1 = 0.5});
    optim::Adam opt_d(D.parameters(), {.lr = 0.05, .beta1 = 0.5});
    const int64_t B = 512;
    double a_avg = 0, b_avg = 0, d_loss_avg = 0;
    const int steps = 3000, averaged = 1000;
    for (int step = 0; step < steps; ++step) {
        const Tensor x = randn({B, 1}, gen, DType::f64) * s + mu;
        const StepStats st = train_step(G, D, opt_g, opt_d, x, gen, {.latent = 1});
        if (step >= steps - averaged) {
            a_avg += std::abs(G.a.item()) / averaged;
            b_avg += G.b.item() / averaged;
            d_loss_avg += st.d_loss / averaged;
        }
    }
    EXPECT_NEAR(a_avg, s, 0.05);
    EXPECT_NEAR(b_avg, mu, 0.05);
    EXPECT_NEAR(d_loss_avg, 2 * std::log(2.0), 0.05);
}

}  // namespace
}  // namespace gibbs::gan
