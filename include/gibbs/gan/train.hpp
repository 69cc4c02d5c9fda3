// Training runs of GANs (`gibbs train gan`) and the trained generator as a generative model
// (`gibbs sample`, `gibbs eval`). The run folder is a gen::GenerativeRun (gibbs/gen/run.hpp):
//   metrics.jsonl      per epoch: epoch, steps, d_loss, g_loss, d_real = mean σ(D(x)),
//                      d_fake = mean σ(D(G(z))) (averages over the epoch's steps), seconds, and
//                      for a toy "energy_distance" of 1000 samples against 1000 fresh data points
//   model.safetensors  "generator.*" and "discriminator.*", "gibbs.model" = "gan"
//   checkpoint         "generator.", "discriminator.", "optimizer_g.", "optimizer_d." and the
//                      run generator, from which every z, every toy draw and every minibatch
//                      order is drawn, so --resume continues bit for bit (same thread count)
//   samples.png        64 samples (a grid, or a scatter picture of 2000 points for a toy) of a
//                      fixed z, rewritten after every epoch
// Toy data: each epoch draws `train_size` fresh points from the toy's exact sampler.
// Fashion-MNIST: the training split (first `limit` images), in a new random order each epoch.
// Each epoch takes ⌊N / batch⌋ steps (the last partial minibatch is dropped).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gibbs/gan/gan.hpp"
#include "gibbs/gen/model.hpp"
#include "gibbs/io/checkpoint.hpp"

namespace gibbs::gan {

struct GanConfig {
    std::string data = "eight-gaussians";  // a toy name or "fashion-mnist"
    std::string arch = "mlp";              // "mlp" or "dcgan"
    int64_t latent = 0;                    // 0: 8 for toys, 64 for images
    std::vector<int64_t> hidden = {};      // empty: 128,128 for toys, 256,512 for images
    std::vector<int64_t> channels = {};    // empty: 32,64 (dcgan)
    int64_t epochs = 10;
    int64_t batch = 128;
    double lr = 2e-4;
    // "constant", or "cosine": η annealed per step from lr to 0 over the run's epochs·steps
    // (optim::CosineAnnealingLr on both optimizers), which damps the game's late oscillations.
    std::string schedule = "constant";
    double beta1 = 0.5;
    double beta2 = 0.999;
    double label_smoothing = 0;  // real target 1 − label_smoothing
    int64_t d_steps = 1;
    int64_t train_size = 10000;  // toys: fresh draws per epoch
    int64_t limit = 0;           // fashion-mnist: first N training images (0: all 60000)
    uint64_t seed = 0;
    int threads = 0;  // 0: OpenMP's default

    // Fills the defaults that depend on the data (latent, hidden, channels).
    void resolve();
    // Throws gibbs::Error naming the first bad option.
    void validate() const;
    NetSpec spec() const;
    nlohmann::json to_json() const;
    // `source` names the file in errors.
    static GanConfig from_json(const nlohmann::json& j, const std::string& source);
};

struct TrainOptions {
    std::string out;          // the run folder
    bool resume = false;      // continue the run in `out` (its config.json fixes the rest)
    bool quiet = false;       // no progress bar, no per-epoch lines
    std::FILE* log = stdout;  // per-epoch lines
    int64_t epochs = 0;       // with resume: > 0 raises the total number of epochs
    int threads = -1;         // with resume: >= 0 changes the thread count
};

struct TrainResult {
    int64_t epochs = 0;        // epochs finished in total
    double seconds = 0;        // this invocation's training time
    nlohmann::json last = {};  // the last epoch's metrics record
};

TrainResult train(GanConfig config, const TrainOptions& options);

// The trained generator: sample() is G(z), z ~ N(0, I), with batch norm in evaluation mode.
class GanModel : public gen::GenerativeModel {
  public:
    GanModel(GanConfig config, std::shared_ptr<nn::Sequential> generator);
    // The model in a model.safetensors written by train() (the discriminator is not needed to
    // sample); an error names the file.
    static std::unique_ptr<GanModel> load(const io::Checkpoint& checkpoint);

    std::string kind() const override { return "gan"; }
    std::string data() const override { return config_.data; }
    std::string describe() const override;
    Tensor sample(int64_t n, Generator& gen, const gen::SampleOptions& options) override;

    const GanConfig& config() const { return config_; }
    nn::Sequential& generator() { return *G_; }

  private:
    GanConfig config_;
    std::shared_ptr<nn::Sequential> G_;
};

}  // namespace gibbs::gan
