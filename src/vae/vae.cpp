// The variational autoencoder (gibbs/vae/vae.hpp): networks, the ELBO and the importance-weighted
// bound.
#include "gibbs/vae/vae.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::vae {

namespace {

const double kLog2Pi = std::log(2 * std::numbers::pi);

// (N, C·H·W) → (N, C, H, W): the bridge from the decoder's dense layers to its convolutions.
class Unflatten : public nn::Module {
  public:
    explicit Unflatten(Shape shape) : shape_(std::move(shape)) {}
    Tensor forward(const Tensor& x) override {
        return x.reshape({x.size(0), shape_[0], shape_[1], shape_[2]});
    }

  private:
    Shape shape_;
};

}  // namespace

void validate(const VaeOptions& o) {
    check(o.input.size() >= 1 && o.input.numel() >= 1, "vae: the input shape ", o.input,
          " is empty");
    check(o.latent >= 1, "vae: --latent must be >= 1, got ", o.latent);
    for (int64_t h : o.hidden) check(h >= 1, "vae: --hidden widths must be >= 1, got ", h);
    check(o.beta >= 0 && std::isfinite(o.beta), "vae: --beta must be >= 0, got ", o.beta);
    check(o.classes >= 0, "vae: the number of classes must be >= 0, got ", o.classes);
    check(o.sigma >= 0 && std::isfinite(o.sigma),
          "vae: --sigma must be > 0 (fixed) or 0 (learned), got ", o.sigma);
    if (o.arch == Arch::conv) {
        check(o.input.size() == 3 && o.input[1] % 4 == 0 && o.input[2] % 4 == 0,
              "vae: --arch conv needs images (C, H, W) with H and W divisible by 4, got ", o.input);
        check(o.hidden.size() == 1, "vae: --arch conv takes one --hidden width, got ",
              o.hidden.size());
        check(o.channels.size() == 2 && o.channels[0] >= 1 && o.channels[1] >= 1,
              "vae: --channels takes two positive counts for --arch conv");
    }
}

Tensor one_hot(const std::vector<int64_t>& labels, int64_t classes, DType dtype) {
    check(classes >= 1, "vae: one_hot needs at least one class, got ", classes);
    const int64_t N = static_cast<int64_t>(labels.size());
    std::vector<double> v(N * classes, 0.0);
    for (int64_t n = 0; n < N; ++n) {
        check(labels[n] >= 0 && labels[n] < classes, "vae: label ", labels[n], " of example ", n,
              " is not a class 0..", classes - 1);
        v[n * classes + labels[n]] = 1.0;
    }
    return Tensor::from(v, {N, classes}, dtype);
}

double ElboTerms::elbo() const { return -(reconstruction.item() + kl.item()); }

std::string layer_sizes(const VaeOptions& o) {
    std::string s = cat(o.input.numel());
    if (o.arch == Arch::conv) s += cat("-c", o.channels[0], "-c", o.channels[1]);
    for (int64_t h : o.hidden) s += cat("-", h);
    return s + cat("-", o.latent);
}

Vae::Vae(VaeOptions o) : options_(std::move(o)) {
    validate(options_);
    Generator& gen = options_.generator ? *options_.generator : default_generator();
    const nn::LinearOptions lin{.dtype = options_.dtype, .generator = &gen};
    // A conditional VAE's networks read K more inputs: [x, y] and [z, y].
    const int64_t D = input_dim(), L = options_.latent, K = options_.classes;
    encoder_ = register_module("encoder", std::make_shared<nn::Sequential>());
    decoder_ = register_module("decoder", std::make_shared<nn::Sequential>());
    if (options_.arch == Arch::mlp) {
        // D → h₁ → … → 2L  and  L → h_last → … → h₁ → D, ReLU between.
        int64_t in = D + K;
        for (int64_t h : options_.hidden) {
            encoder_->push_back(std::make_shared<nn::Linear>(in, h, lin));
            encoder_->push_back(std::make_shared<nn::ReLU>());
            in = h;
        }
        encoder_->push_back(std::make_shared<nn::Linear>(in, 2 * L, lin));
        in = L + K;
        for (auto h = options_.hidden.rbegin(); h != options_.hidden.rend(); ++h) {
            decoder_->push_back(std::make_shared<nn::Linear>(in, *h, lin));
            decoder_->push_back(std::make_shared<nn::ReLU>());
            in = *h;
        }
        decoder_->push_back(std::make_shared<nn::Linear>(in, D, lin));
    } else {
        // (C, H, W) → (c₁, H/2, W/2) → (c₂, H/4, W/4) → h → 2L, and back with transposed convs.
        const int64_t C = options_.input[0], H = options_.input[1], W = options_.input[2];
        const int64_t c1 = options_.channels[0], c2 = options_.channels[1];
        const int64_t h = options_.hidden[0], flat = c2 * (H / 4) * (W / 4);
        const nn::Conv2dOptions conv{
            .stride = 2, .padding = 1, .dtype = options_.dtype, .generator = &gen};
        const nn::ConvTranspose2dOptions deconv{
            .stride = 2, .padding = 1, .dtype = options_.dtype, .generator = &gen};
        encoder_->push_back(std::make_shared<nn::Conv2d>(C + K, c1, 4, conv));
        encoder_->push_back(std::make_shared<nn::ReLU>());
        encoder_->push_back(std::make_shared<nn::Conv2d>(c1, c2, 4, conv));
        encoder_->push_back(std::make_shared<nn::ReLU>());
        encoder_->push_back(std::make_shared<nn::Flatten>());
        encoder_->push_back(std::make_shared<nn::Linear>(flat, h, lin));
        encoder_->push_back(std::make_shared<nn::ReLU>());
        encoder_->push_back(std::make_shared<nn::Linear>(h, 2 * L, lin));
        decoder_->push_back(std::make_shared<nn::Linear>(L + K, h, lin));
        decoder_->push_back(std::make_shared<nn::ReLU>());
        decoder_->push_back(std::make_shared<nn::Linear>(h, flat, lin));
        decoder_->push_back(std::make_shared<nn::ReLU>());
        decoder_->push_back(std::make_shared<Unflatten>(Shape{c2, H / 4, W / 4}));
        decoder_->push_back(std::make_shared<nn::ConvTranspose2d>(c2, c1, 4, deconv));
        decoder_->push_back(std::make_shared<nn::ReLU>());
        decoder_->push_back(std::make_shared<nn::ConvTranspose2d>(c1, C, 4, deconv));
        decoder_->push_back(std::make_shared<nn::Flatten>());
    }
    if (options_.likelihood == Likelihood::gaussian && options_.sigma == 0)
        log_sigma = register_parameter("log_sigma", Tensor::zeros({D}, options_.dtype));
}

std::string Vae::describe() const {
    return cat(conditional() ? "conditional VAE " : "VAE ",
               options_.arch == Arch::mlp ? "mlp " : "conv ", layer_sizes(options_), ", ",
               conditional() ? cat(options_.classes, " classes, ") : std::string(),
               options_.likelihood == Likelihood::bernoulli ? std::string("Bernoulli decoder")
               : options_.sigma > 0 ? cat("Gaussian decoder (sigma ", options_.sigma, ")")
                                    : std::string("Gaussian decoder (learned sigma)"),
               options_.beta != 1 ? cat(", beta ", options_.beta) : std::string());
}

Tensor Vae::flat(const Tensor& x) const {
    check(x.dim() >= 2 && x.numel() == x.size(0) * input_dim(), "vae: input of shape ", x.shape(),
          " does not hold examples of ", options_.input, " (", input_dim(), " values each)");
    return x.dim() == 2 ? x : x.reshape({x.size(0), input_dim()});
}

Tensor Vae::labels_for(const Tensor& y, int64_t N) const {
    if (!conditional()) {
        check(!y.defined(), "vae: labels given to an unconditional VAE");
        return y;
    }
    check(y.defined(), "vae: the conditional VAE (", options_.classes,
          " classes) needs the labels y as one-hot rows (N, ", options_.classes, ")");
    check(y.dim() == 2 && y.size(0) == N && y.size(1) == options_.classes, "vae: labels of shape ",
          y.shape(), ", expected one-hot rows (", N, ", ", options_.classes, ")");
    return y.to(options_.dtype);
}

Vae::Posterior Vae::encode(const Tensor& x, const Tensor& y_in) {
    Tensor in = flat(x);
    const int64_t N = in.size(0);
    const Tensor y = labels_for(y_in, N);
    if (options_.arch == Arch::conv) {
        const Shape& s = options_.input;
        in = in.reshape({N, s[0], s[1], s[2]});
        // K constant channels, channel k holding y_k, after the image's C channels.
        if (y.defined())
            in = cat(
                {in,
                 y.reshape({N, options_.classes, 1, 1}).expand({N, options_.classes, s[1], s[2]})},
                1);
    } else if (y.defined()) {
        in = cat({in, y.to(in.dtype())}, 1);  // [x, y]
    }
    const Tensor h = (*encoder_)(in);  // (N, 2L)
    const int64_t L = options_.latent;
    return {h.narrow(1, 0, L), h.narrow(1, L, L)};
}

Tensor Vae::decode(const Tensor& z, const Tensor& y_in) {
    check(z.dim() == 2 && z.size(1) == options_.latent, "vae: z of shape ", z.shape(),
          " is not (N, ", options_.latent, ")");
    const Tensor y = labels_for(y_in, z.size(0));
    return (*decoder_)(y.defined() ? cat({z, y}, 1) : z);  // [z, y]
}

Tensor Vae::decode_mean(const Tensor& z, const Tensor& y) {
    const Tensor out = decode(z, y);
    return options_.likelihood == Likelihood::bernoulli ? sigmoid(out) : out;
}

Tensor Vae::log_likelihood(const Tensor& x, const Tensor& out) const {
    const Tensor xf = flat(x);
    if (options_.likelihood == Likelihood::bernoulli)  // Σ_d x_d ℓ_d − log(1 + e^{ℓ_d})
        return autograd::grad_enabled() ? sum(xf * out - softplus(out), 1)
                                        : -bernoulli_nll_rows(out, xf.to(out.dtype()));
    const Tensor r = xf - out;
    if (options_.sigma > 0) {
        const double s2 = options_.sigma * options_.sigma;
        return sum(r.square(), 1) * (-0.5 / s2) -
               0.5 * static_cast<double>(input_dim()) * (std::log(s2) + kLog2Pi);
    }
    // −½ Σ_d [r_d² e^{−2 log s_d} + 2 log s_d + log 2π]
    return sum(r.square() * exp(log_sigma * -2.0) + log_sigma * 2.0, 1) * -0.5 -
           0.5 * static_cast<double>(input_dim()) * kLog2Pi;
}

ElboTerms Vae::elbo_given(const Tensor& x, const Tensor& y, const Tensor& eps) {
    const Tensor xf = flat(x);
    const int64_t N = xf.size(0);
    const auto [mu, logvar] = encode(x, y);
    check(eps.shape() == mu.shape(), "vae: the noise ε has shape ", eps.shape(), ", expected ",
          mu.shape());
    const Tensor z = mu + exp(logvar * 0.5) * eps;  // (N, L), z = μ + σ ⊙ ε
    const Tensor out = decode(z, y);                // (N, D)
    ElboTerms t;
    if (options_.likelihood == Likelihood::bernoulli)
        t.reconstruction = bernoulli_nll(out, xf);
    else
        t.reconstruction = -sum(log_likelihood(xf, out)) / static_cast<double>(N);
    // KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²), averaged over the examples.
    t.kl = sum(1.0 + logvar - mu.square() - exp(logvar)) * (-0.5 / static_cast<double>(N));
    t.loss = options_.beta == 1 ? t.reconstruction + t.kl : t.reconstruction + t.kl * options_.beta;
    return t;
}

ElboTerms Vae::elbo_given(const Tensor& x, const Tensor& y, Generator& gen) {
    return elbo_given(x, y, randn({x.size(0), options_.latent}, gen, options_.dtype));
}

Tensor Vae::log_weights_given(const Tensor& x, const Tensor& y_in, const Tensor& eps,
                              int64_t max_rows) {
    NoGradGuard no_grad;
    const Tensor xf = flat(x).contiguous();
    const int64_t N = xf.size(0), L = options_.latent, D = input_dim();
    check(eps.dim() == 3 && eps.size(1) == N && eps.size(2) == L, "vae: the noise ε has shape ",
          eps.shape(), ", expected (k, ", N, ", ", L, ")");
    const int64_t k = eps.size(0);
    const Tensor y = labels_for(y_in, N);
    const auto [mu, logvar] = encode(xf, y);
    const Tensor sd = exp(logvar * 0.5);
    const std::vector<double> lv = logvar.to_vector();  // (N, L)
    // Σ_l log σ_l per example, in float64.
    std::vector<double> sum_log_sd(N, 0.0);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t l = 0; l < L; ++l) sum_log_sd[n] += 0.5 * lv[n * L + l];
    Tensor out = Tensor::empty({k, N}, DType::f64);
    double* w = out.data<double>();
    const Tensor e = eps.to(options_.dtype).contiguous();
    const int64_t chunk = std::max<int64_t>(1, max_rows / std::max<int64_t>(N, 1));
    for (int64_t j0 = 0; j0 < k; j0 += chunk) {
        const int64_t c = std::min(chunk, k - j0);
        const Tensor ej = e.narrow(0, j0, c);  // (c, N, L)
        const Tensor z = (mu.unsqueeze(0) + sd.unsqueeze(0) * ej).reshape({c * N, L});
        const Tensor xr = xf.unsqueeze(0).expand({c, N, D}).reshape({c * N, D});
        const Tensor yr =
            y.defined()
                ? y.unsqueeze(0).expand({c, N, options_.classes}).reshape({c * N, options_.classes})
                : Tensor();
        const std::vector<double> lpx = log_likelihood(xr, decode(z, yr)).to_vector();  // (c·N)
        const std::vector<double> zv = z.to_vector(), ev = ej.to_vector();
        for (int64_t r = 0; r < c * N; ++r) {
            // log p(z) − log q(z|x) = −½ Σ z² + ½ Σ ε² + Σ log σ  (the log 2π terms cancel).
            double acc = 0;
            for (int64_t l = 0; l < L; ++l) {
                const double zz = zv[r * L + l], ee = ev[r * L + l];
                acc += 0.5 * (ee * ee - zz * zz);
            }
            w[j0 * N + r] = lpx[r] + acc + sum_log_sd[r % N];
        }
    }
    return out;
}

std::vector<double> Vae::iw_log_likelihood_given(const Tensor& x, const Tensor& y_in, int64_t k,
                                                 Generator& gen, int64_t max_rows) {
    check(k >= 1, "vae: the number of importance samples k must be >= 1, got ", k);
    const Tensor xf = flat(x);
    const int64_t N = xf.size(0);
    const Tensor y = labels_for(y_in, N);
    const int64_t block = std::max<int64_t>(1, max_rows / k);
    std::vector<double> result(N);
    for (int64_t n0 = 0; n0 < N; n0 += block) {
        const int64_t b = std::min(block, N - n0);
        const Tensor eps = randn({k, b, options_.latent}, gen, options_.dtype);
        const Tensor lw =
            log_weights_given(xf.narrow(0, n0, b), y.defined() ? y.narrow(0, n0, b) : Tensor(), eps,
                              max_rows);  // (k, b)
        const double* w = lw.data<double>();
        for (int64_t n = 0; n < b; ++n) {
            // NOTE: log-sum-exp about the largest weight, in float64.
            double m = -INFINITY;
            for (int64_t j = 0; j < k; ++j) m = std::max(m, w[j * b + n]);
            double s = 0;
            for (int64_t j = 0; j < k; ++j) s += std::exp(w[j * b + n] - m);
            result[n0 + n] = m + std::log(s) - std::log(static_cast<double>(k));
        }
    }
    return result;
}

Tensor Vae::sample_means(int64_t n, Generator& gen) {
    check(n >= 1, "vae: the number of samples must be >= 1, got ", n);
    NoGradGuard no_grad;
    check(!conditional(), "vae: the conditional VAE draws samples given labels");
    return decode_mean(randn({n, options_.latent}, gen, options_.dtype));
}

Tensor Vae::sample_means_given(const Tensor& y_in, Generator& gen) {
    check(y_in.defined() && y_in.dim() == 2 && y_in.size(0) >= 1,
          "vae: sample_means_given needs one-hot labels (n, K) with n >= 1");
    NoGradGuard no_grad;
    const int64_t n = y_in.size(0);
    return decode_mean(randn({n, options_.latent}, gen, options_.dtype), labels_for(y_in, n));
}

Tensor Vae::interpolate(const Tensor& a, const Tensor& b, int64_t steps, const Tensor& ya_in,
                        const Tensor& yb_in) {
    check(steps >= 2, "vae: interpolation needs at least 2 steps, got ", steps);
    check(a.shape() == b.shape(), "vae: interpolation ends of shapes ", a.shape(), " and ",
          b.shape());
    NoGradGuard no_grad;
    const Tensor ya = labels_for(ya_in, a.size(0)), yb = labels_for(yb_in, b.size(0));
    const Tensor ma = encode(a, ya).mu, mb = encode(b, yb).mu;  // (N, L)
    std::vector<double> t(steps);
    for (int64_t s = 0; s < steps; ++s) t[s] = static_cast<double>(s) / (steps - 1);
    const Tensor alpha = Tensor::from(t, {steps, 1}, options_.dtype);  // (steps, 1)
    std::vector<Tensor> rows, labels;
    for (int64_t i = 0; i < ma.size(0); ++i) {
        rows.push_back(ma.narrow(0, i, 1) * (1.0 - alpha) + mb.narrow(0, i, 1) * alpha);
        if (ya.defined())
            labels.push_back(ya.narrow(0, i, 1) * (1.0 - alpha) + yb.narrow(0, i, 1) * alpha);
    }
    return decode_mean(cat(rows, 0), ya.defined() ? cat(labels, 0) : Tensor());
}

}  // namespace gibbs::vae
