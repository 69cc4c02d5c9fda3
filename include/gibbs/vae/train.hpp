// Training a VAE in a run folder (`gibbs train vae`), the trained model behind `gibbs sample` and
// `gibbs eval`, and the figures of a run: samples, latent interpolations, the 2-D latent space.
//
// Each epoch: a random order of the training set (from the run's generator), minibatches of B
// examples, one ε per example, Adam on the loss (1/B) Σ_n [−log p(x_n|z_n) + β KL_n]; then the
// test ELBO (β = 1, one ε per test example from a generator fixed per epoch, so that it does not
// depend on the training noise) in nats per example, and the run folder's files
// (gibbs/gen/run.hpp). Everything random in training comes from the one generator saved in the
// checkpoint, so --resume continues bit for bit.
//
// Binarization (for log-likelihoods of binary images, as in Burda et al. 2016): "dynamic" draws
// x ~ Bernoulli(pixels) afresh for every minibatch, "fixed" draws the training set once; the test
// set is drawn once from a generator with a fixed seed (kTestBinarizationSeed), the same in
// training and in `gibbs eval`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gibbs/gen/model.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/vae/vae.hpp"

namespace gibbs::vae {

inline constexpr uint64_t kTestBinarizationSeed = 20160101;
// The importance samples of `gibbs eval` when --steps is not given.
inline constexpr int64_t kDefaultIwSamples = 100;
// The classes of a conditional VAE on Fashion-MNIST (--conditional).
inline constexpr int64_t kImageClasses = 10;

struct VaeTrainConfig {
    std::string data = "fashion-mnist";   // fashion-mnist or a toy density (gibbs/gen/toy.hpp)
    std::string arch = "mlp";             // mlp or conv
    std::vector<int64_t> hidden = {400};  // MLP widths (conv: the one dense width)
    std::vector<int64_t> channels = {32, 64};
    int64_t latent = 20;
    std::string decoder = "";  // bernoulli or gaussian; "": bernoulli for images, else gaussian
    double sigma = 0;          // Gaussian decoder: fixed s > 0, or 0 to learn log s per dimension
    double beta = 1.0;
    bool conditional = false;       // class-conditional: q(z|x, y), p(x|z, y) (images only)
    std::string binarize = "none";  // none, dynamic or fixed
    int64_t epochs = 10;
    int64_t batch = 128;
    double lr = 1e-3;
    uint64_t seed = 0;
    int threads = 0;             // 0: all
    int64_t limit = 0;           // fashion-mnist: first N training examples (0: all)
    int64_t test_limit = 0;      // fashion-mnist: first N test examples (0: all)
    int64_t train_size = 20000;  // toys: training draws
    int64_t iw_samples = 0;      // after the last epoch, log p(x) by IWAE with k samples (0: skip)
};

nlohmann::json to_json(const VaeTrainConfig& c);
// Reads a config written by to_json; gibbs::Error names `source` and the field otherwise.
VaeTrainConfig vae_config_from_json(const nlohmann::json& j, const std::string& source);
// Fills the defaults that depend on the data and checks every field (an error names the option).
void validate(VaeTrainConfig& c);
// The model options of a validated config.
VaeOptions vae_options(const VaeTrainConfig& c);

struct VaeTrainOptions {
    std::string out;  // the run folder
    bool resume = false;
    bool quiet = false;
    std::FILE* log = stdout;  // the per-epoch lines (nullptr: none)
};

struct VaeTrainResult {
    int64_t epochs = 0;
    double test_elbo = 0;          // nats per example, after the last epoch
    double log_likelihood_iw = 0;  // with iw_samples > 0
    double seconds = 0;
};

// A fresh run (resume = false) with config `c`, or the run saved in options.out, continued to
// c.epochs (then only epochs, threads and lr of `c` are used; the rest comes from config.json).
VaeTrainResult train_vae(const VaeTrainConfig& c, const VaeTrainOptions& options);
// The run in `dir` with a changed epochs/threads/lr: fields of `changes` (JSON) override.
VaeTrainResult resume_vae(const std::string& dir, const nlohmann::json& changes,
                          const VaeTrainOptions& options);

// x ~ Bernoulli(pixels) with the fixed test seed: the binarized test set.
Tensor binarize_test(const Tensor& pixels);

// A trained VAE as a generative model: sample() gives decoder means (images in [0, 1] for a
// Bernoulli decoder), evaluate() {"elbo", "log_likelihood_iw", "iw_samples", "binarized",
// "conditional"}. A conditional VAE has classes() = 10; sample() draws class options.label, or
// with label −1 blocks in class order (sample i of n has class ⌊10 i / n⌋); its figures need the
// labels (evaluate_labelled): the ELBO and L_k bound log p(x|y).
class VaeModel : public gen::GenerativeModel {
  public:
    VaeModel(const VaeTrainConfig& config, std::shared_ptr<Vae> vae);
    std::string kind() const override { return "vae"; }
    std::string data() const override { return config_.data; }
    std::string describe() const override { return vae_->describe(); }
    Tensor sample(int64_t n, Generator& gen, const gen::SampleOptions& options) override;
    // The ELBO with one ε per example and L_k with k = options.steps (default
    // kDefaultIwSamples), both averaged over the examples of x, in nats.
    nlohmann::json evaluate(const Tensor& x, Generator& gen,
                            const gen::SampleOptions& options) override;
    nlohmann::json evaluate_labelled(const Tensor& x, const std::vector<int64_t>& labels,
                                     Generator& gen, const gen::SampleOptions& options) override;
    int64_t classes() const override { return vae_->classes(); }
    Vae& vae() { return *vae_; }
    const VaeTrainConfig& config() const { return config_; }

  private:
    VaeTrainConfig config_;
    std::shared_ptr<Vae> vae_;
};

// The model in a model.safetensors written by train_vae.
std::unique_ptr<VaeModel> load_vae(const io::Checkpoint& checkpoint);

// The figures of a run, into `dir`: samples.png (64 samples: an image grid, or a scatter picture
// of 2000 points for a toy), for images interpolation.png (8 rows of `steps` decoder means along
// the line between the posterior means of two test images), and for a 2-D latent space
// latent.csv (z1,z2,label: the posterior means of the test set) and latent.png (one panel per
// class, the points of that class dark on white, [−4, 4]²).
void write_vae_figures(VaeModel& model, const std::string& dir, uint64_t seed, int64_t steps = 10);

}  // namespace gibbs::vae
