// Variational autoencoders: Kingma & Welling, "Auto-encoding variational Bayes", ICLR 2014;
// the importance-weighted bound of Burda, Grosse & Salakhutdinov, "Importance weighted
// autoencoders", ICLR 2016; β-VAE: Higgins et al., ICLR 2017.
//
// Letters: N examples, D = dim x (784 for Fashion-MNIST, 2 for a toy), L = dim z, k samples.
//
//   prior      p(z) = N(0, I_L)
//   encoder    q(z|x) = N(μ(x), diag σ²(x)), the network giving μ and log σ² (N, 2L)
//   decoder    Bernoulli: p(x|z) = Π_d σ(ℓ_d)^{x_d} (1 − σ(ℓ_d))^{1−x_d}, ℓ = f(z) the logits;
//              log p(x|z) = Σ_d x_d ℓ_d − softplus(ℓ_d)  (minus the binary cross-entropy)
//              Gaussian:  p(x|z) = N(m(z), diag s²), s fixed or learned (one log s per dim);
//              log p(x|z) = −½ Σ_d [(x_d − m_d)²/s_d² + log s_d² + log 2π]
//   sampling   z = μ + σ ⊙ ε, ε ~ N(0, I) (the reparameterization)
//   ELBO       L(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)),
//              KL = −½ Σ_l (1 + log σ_l² − μ_l² − σ_l²)  in closed form
//   loss       (1/N) Σ_n [−log p(x_n|z_n) + β KL_n], one ε per example (β = 1: the −ELBO)
//   IWAE       log p(x) ≥ L_k(x) = E[log (1/k) Σ_j w_j],  w_j = p(x|z_j) p(z_j) / q(z_j|x),
//              z_j ~ q(z|x) i.i.d.; L_1 = ELBO ≤ L_k ≤ L_{k+1} → log p(x) as k → ∞.
//
// Class-conditional VAE (Kingma et al., "Semi-supervised learning with deep generative models",
// NeurIPS 2014, the M2 conditioning; Sohn, Lee & Yan, "Learning structured output
// representation using deep conditional generative models", NeurIPS 2015), with K = classes > 0
// and y the one-hot label (N, K):
//   encoder    q(z|x, y) = N(μ(x, y), diag σ²(x, y)): y joined to the input (the MLP reads
//              [x, y] ∈ R^{D+K}; the conv net reads K more input channels, channel k constant
//              y_k)
//   decoder    p(x|z, y): the decoder reads [z, y] ∈ R^{L+K}; the prior p(z) = N(0, I) as before
//   ELBO       L(x|y) = E_q[log p(x|z, y)] − KL(q(z|x, y) ‖ p(z)) ≤ log p(x|y), and L_k(x|y) the
//              importance-weighted bound on log p(x|y) with w_j = p(x|z_j, y) p(z_j) / q(z_j|x, y)
//   sampling   class k: z ~ N(0, I), x = E[x|z, y = e_k]
// Every method takes the labels as a one-hot tensor y (N, K) (see one_hot); an unconditional VAE
// takes none (an undefined Tensor).
//
// NOTE: with a Bernoulli decoder on grey pixels in [0, 1] (PyTorch's classic example),
// p(x|z) is not a normalized density of x; the figures are then "BCE nats". On binarized
// pixels (--binarize) they are proper log-likelihoods in nats.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gibbs/nn/layers.hpp"
#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::vae {

enum class Arch { mlp, conv };
enum class Likelihood { bernoulli, gaussian };

struct VaeOptions {
    // The shape of one example: {D} for vectors, {1, 28, 28} for images (conv needs images).
    Shape input = Shape{784};
    Arch arch = Arch::mlp;
    // MLP: the encoder's hidden widths D → h₁ → … → 2L; the decoder mirrors them L → … → h₁ → D.
    // Conv: the width of the dense layer between the convolutions and z (one entry).
    std::vector<int64_t> hidden = {400};
    // Conv: output channels of the two stride-2 4×4 convolutions (28 → 14 → 7); the decoder
    // mirrors them with stride-2 transposed convolutions (7 → 14 → 28).
    std::vector<int64_t> channels = {32, 64};
    int64_t latent = 20;
    Likelihood likelihood = Likelihood::bernoulli;
    // Gaussian decoder: s > 0 fixes every s_d = s; s = 0 learns one log s_d per dimension
    // (initialized to 0, s_d = 1).
    double sigma = 0;
    double beta = 1.0;    // the weight of the KL term in the training loss
    int64_t classes = 0;  // K > 0: class-conditional, y one-hot (N, K) joined to both nets
    DType dtype = DType::f32;
    Generator* generator = nullptr;  // for the initialization (nullptr: the default generator)
};

// The Bernoulli decoder's cost, fused: (1/N) Σ_{n,d} softplus(ℓ_nd) − x_nd ℓ_nd for logits and
// data (N, D) (the binary cross-entropy summed over d, averaged over n); backward (σ(ℓ) − x)/N.
Tensor bernoulli_nll(const Tensor& logits, const Tensor& x);
// Its rows Σ_d softplus(ℓ_nd) − x_nd ℓ_nd = −log p(x_n|z_n), (N) float64, no graph.
Tensor bernoulli_nll_rows(const Tensor& logits, const Tensor& x);

// The one-hot rows e_{y_n} (N, K) of labels y_n ∈ {0, …, K−1}; an error names a label out of range.
Tensor one_hot(const std::vector<int64_t>& labels, int64_t classes, DType dtype = DType::f32);

// Throws gibbs::Error naming the option when `options` describe no valid VAE.
void validate(const VaeOptions& options);

// The ELBO's pieces as autograd scalars, each averaged over the N examples of a batch.
struct ElboTerms {
    Tensor reconstruction;  // (1/N) Σ_n −log p(x_n|z_n)
    Tensor kl;              // (1/N) Σ_n KL(q(z|x_n) ‖ p(z))
    Tensor loss;            // reconstruction + β kl
    double elbo() const;    // −(reconstruction + kl), whatever β
};

class Vae : public nn::Module {
  public:
    explicit Vae(VaeOptions options = {});
    const VaeOptions& options() const { return options_; }
    int64_t input_dim() const { return options_.input.numel(); }
    int64_t latent() const { return options_.latent; }
    // "VAE mlp 784-400-20, Bernoulli decoder"
    std::string describe() const;

    int64_t classes() const { return options_.classes; }
    bool conditional() const { return options_.classes > 0; }

    struct Posterior {
        Tensor mu;      // (N, L)
        Tensor logvar;  // (N, L)  log σ²
    };
    // x: (N, D) or (N, shape...) — flattened or reshaped as the architecture needs; y: the
    // one-hot labels (N, K) of a conditional VAE, undefined otherwise (the same below).
    Posterior encode(const Tensor& x, const Tensor& y = Tensor());
    // z (N, L) → the decoder's output (N, D): Bernoulli logits ℓ or Gaussian means m.
    Tensor decode(const Tensor& z, const Tensor& y = Tensor());
    // The decoder's mean E[x|z] (N, D): σ(ℓ) or m.
    Tensor decode_mean(const Tensor& z, const Tensor& y = Tensor());
    // log p(x|z) per example (N), for x (N, D) and the decoder output (N, D).
    Tensor log_likelihood(const Tensor& x, const Tensor& out) const;

    // The ELBO pieces for x (and labels y) with the given noise ε (N, L), or ε drawn from `gen`.
    ElboTerms elbo(const Tensor& x, const Tensor& eps) { return elbo_given(x, Tensor(), eps); }
    ElboTerms elbo(const Tensor& x, Generator& gen) { return elbo_given(x, Tensor(), gen); }
    ElboTerms elbo_given(const Tensor& x, const Tensor& y, const Tensor& eps);
    ElboTerms elbo_given(const Tensor& x, const Tensor& y, Generator& gen);

    // log w_j(x_n) = log p(x_n|z_j) + log p(z_j) − log q(z_j|x_n), z_j = μ + σ ε_j, for
    // ε (k, N, L): returns (k, N) float64. No graph is recorded. The decoder runs on at most
    // max(N, max_rows) rows at a time. Conditional: log_weights_given with y (N, K).
    Tensor log_weights(const Tensor& x, const Tensor& eps, int64_t max_rows = 8192) {
        return log_weights_given(x, Tensor(), eps, max_rows);
    }
    Tensor log_weights_given(const Tensor& x, const Tensor& y, const Tensor& eps,
                             int64_t max_rows = 8192);
    // L_k(x_n) = logsumexp_j log w_j − log k per example (N) in float64, ε drawn from `gen`.
    // The k decoder passes are made in chunks of at most `max_rows` rows.
    std::vector<double> iw_log_likelihood(const Tensor& x, int64_t k, Generator& gen,
                                          int64_t max_rows = 8192) {
        return iw_log_likelihood_given(x, Tensor(), k, gen, max_rows);
    }
    std::vector<double> iw_log_likelihood_given(const Tensor& x, const Tensor& y, int64_t k,
                                                Generator& gen, int64_t max_rows = 8192);

    // n draws of the decoder mean at z ~ N(0, I): (n, D), no graph.
    Tensor sample_means(int64_t n, Generator& gen);
    // Conditional: one draw per row of y (N, K), the decoder mean at z ~ N(0, I) and y_n.
    Tensor sample_means_given(const Tensor& y, Generator& gen);
    // Decoder means along straight lines in z between the posterior means of a[i] and b[i]:
    // rows i·steps + t at z = (1 − t/(steps−1)) μ(a_i) + t/(steps−1) μ(b_i), shape (N·steps, D).
    // Conditional: a and b are encoded with their labels ya and yb, and the decoder's label
    // moves along the same line, (1 − t/(steps−1)) ya_i + t/(steps−1) yb_i.
    Tensor interpolate(const Tensor& a, const Tensor& b, int64_t steps, const Tensor& ya = Tensor(),
                       const Tensor& yb = Tensor());
    // log s_d (D), for a learned Gaussian decoder (undefined otherwise).
    Tensor log_sigma;

  private:
    Tensor flat(const Tensor& x) const;  // (N, D)
    // Checks that y fits a batch of N (one-hot (N, K) when conditional, undefined otherwise) and
    // returns it in the model's dtype.
    Tensor labels_for(const Tensor& y, int64_t N) const;
    VaeOptions options_;
    std::shared_ptr<nn::Sequential> encoder_, decoder_;
};

// One row per layer size, as "784-400-20".
std::string layer_sizes(const VaeOptions& options);

}  // namespace gibbs::vae
