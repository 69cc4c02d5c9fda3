// `gibbs train ebm`: the run configuration, the training loop over a gen::GenerativeRun folder,
// and the trained model behind `gibbs sample` and `gibbs eval` (gibbs/gen/model.hpp).
//
// Data: a toy density draws `train_size` fresh points per epoch from the run's generator;
// fashion-mnist uses its training split (pixels in [0, 1]), shuffled per epoch. Chains live in
// the noise box [lo, hi] (toys [−4, 4]², images [0, 1]) and are clamped to it.
// The checkpoint holds the network ("model."), Adam's state ("optimizer."), the replay buffer
// ("buffer.x") and the generator, so --resume continues bit for bit. With sample_init "buffer"
// model.safetensors holds the replay buffer too ("replay.x"), since sampling starts from it.
// The learning rate follows lr_decay over the `epochs` × steps-per-epoch training steps.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gibbs/ebm/ebm.hpp"
#include "gibbs/gen/model.hpp"
#include "gibbs/gen/run.hpp"
#include "gibbs/io/checkpoint.hpp"

namespace gibbs::ebm {

struct EbmConfig {
    std::string data = "moons";
    int64_t epochs = 10;
    int64_t batch = 128;
    double lr = 1e-2;
    std::vector<int64_t> hidden = {128, 128};
    std::vector<int64_t> channels = {32, 64, 64};
    int64_t langevin_steps = 40;
    double step_size = 0.003;  // ε
    double noise = 1.0;        // σ
    double grad_clip = 0.0;    // c (0: none)
    int64_t buffer = 2000;
    double reinit = 0.05;                // ρ
    double alpha = 0.01;                 // energy regularizer weight
    int64_t train_size = 50000;          // toys: fresh points per epoch; images: first N (0: all)
    int64_t sample_steps = 40;           // Langevin steps of sample()
    std::string sampler = "ula";         // training negatives: "ula" or "mala"
    std::string lr_decay = "cosine";     // "none" or "cosine" (to lr_min over `epochs`)
    double lr_min = 0.0;                 // the cosine schedule's final learning rate
    std::string sample_sampler = "ula";  // sample(): "ula" or "mala"
    double sample_step_size = 0.0;       // sample(): ε (0: the training ε)
    std::string sample_init = "buffer";  // sample(): chains start from "noise" or the "buffer"
    uint64_t seed = 0;
    int threads = 0;  // 0: all

    // Defaults per data kind (see docs/ebm.md for how they were chosen).
    static EbmConfig defaults(const std::string& data);
    bool image() const;
    double lo() const { return image() ? 0.0 : -4.0; }
    double hi() const { return image() ? 1.0 : 4.0; }
    SgldOptions sgld() const;
    // The learning rate at training step t of T (cosine: lr_min + ½(lr − lr_min)(1 + cos πt/T)).
    double lr_at(int64_t t, int64_t T) const;
    EnergyNetOptions net() const;
    // Throws gibbs::Error naming the option for a bad value.
    void validate() const;
    nlohmann::json to_json() const;
    static EbmConfig from_json(const nlohmann::json& j, const std::string& source);
};

struct EbmTrainResult {
    int64_t epochs = 0;
    double seconds = 0;
    StepStats last;  // means over the last epoch
};

// Trains the run's configuration from run.epoch() to config "epochs", saving after each epoch.
// A fresh run (run.resumed() false) starts from the seed.
EbmTrainResult train_ebm(gen::GenerativeRun& run, bool quiet);

// A trained EBM: sample() runs Langevin chains for `steps` steps (SampleOptions.steps, default
// the config's sample_steps) with the training sampler's σ and clip, ε = sample_step_size (0: the
// training ε) and the sampler sample_sampler (SampleOptions.sampler "ula"/"langevin" or "mala"
// overrides it). The chains start from the saved replay buffer's rows in a random order (each once
// while n ≤ capacity) when sample_init is "buffer" and the model has one, else from uniform noise
// on the box. evaluate() reports the mean energy of held-out data and of uniform noise on the box
// ("energy_data", "energy_noise").
class EbmModel : public gen::GenerativeModel {
  public:
    // A network initialized from gen.
    EbmModel(const EbmConfig& config, Generator& gen);
    static std::unique_ptr<EbmModel> load(const io::Checkpoint& checkpoint);
    std::string kind() const override { return "ebm"; }
    std::string data() const override { return config_.data; }
    std::string describe() const override;
    Tensor sample(int64_t n, Generator& gen, const gen::SampleOptions& options) override;
    nlohmann::json evaluate(const Tensor& x, Generator& gen,
                            const gen::SampleOptions& options) override;
    EnergyNet& net() { return *net_; }
    // The replay buffer saved with the model ("replay.x", (capacity, ...)); undefined if none.
    const Tensor& chains() const { return chains_; }
    void set_chains(const Tensor& x) { chains_ = x; }
    const EbmConfig& config() const { return config_; }

  private:
    EbmConfig config_;
    std::shared_ptr<EnergyNet> net_;
    Tensor chains_;
};

}  // namespace gibbs::ebm
