// A denoising diffusion probabilistic model (Ho, Jain & Abbeel 2020): a noise schedule
// (gibbs/diffusion/schedule.hpp), an ε-predictor (gibbs/diffusion/denoiser.hpp), training on
//   L_simple = E_{x_0, t ~ U{1..T}, ε ~ N(0, I)} ‖ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)‖²
// (as a mean over the batch and the D dimensions) with Adam, and an exponential moving average
// of the weights, θ_ema ← d θ_ema + (1 − d) θ after every step, which sampling and the bound use.
// Images are trained on x scaled to [−1, 1]; samples are mapped back to [0, 1].
//
// The run's configuration (config.json and the "gibbs.config" metadata of model.safetensors):
//   "model": "ddpm", "data", "shape" (of one example, e.g. [2] or [1, 28, 28]),
//   "schedule": "linear" | "cosine", "T", "denoiser": "mlp" | "unet", "embedding", "hidden"
//   (MLP widths), "channels" (U-Net), "epochs", "batch", "lr", "ema", "train_size" (toys),
//   "limit" (images), "seed", "threads".
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gibbs/diffusion/bound.hpp"
#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/diffusion/sampler.hpp"
#include "gibbs/diffusion/schedule.hpp"
#include "gibbs/gen/model.hpp"
#include "gibbs/gen/run.hpp"
#include "gibbs/io/checkpoint.hpp"

namespace gibbs::diffusion {

// The denoiser a configuration names, freshly initialized from gen: "mlp" (MlpDenoiser with
// "embedding" and "hidden"). Other kinds are an error that names them.
std::shared_ptr<Denoiser> make_denoiser(const nlohmann::json& config, Generator& gen);

// The default configuration of `gibbs train ddpm` with the given --data, completed: fills
// "shape" and checks every field (an error names the option).
nlohmann::json complete_config(nlohmann::json config);

class DdpmModel : public gen::GenerativeModel {
  public:
    DdpmModel(nlohmann::json config, std::shared_ptr<Denoiser> net);
    // The model of a model.safetensors written by train_ddpm (EMA weights).
    static std::unique_ptr<DdpmModel> load(const io::Checkpoint& checkpoint);

    std::string kind() const override { return "ddpm"; }
    std::string data() const override { return config_.at("data"); }
    std::string describe() const override;
    // options.sampler "ddpm" (default), "ddpm-tilde" or "ddim"; options.steps, options.eta.
    Tensor sample(int64_t n, Generator& gen, const gen::SampleOptions& options) override;
    // The variational bound on held-out x (data layout): "bound_nats" and its "bound_nats_se",
    // "prior_nats" (L_T), "decoder_nats" (L_0), "bound_method", "bound_variance"; images add
    // "bits_per_dim" (8-bit discretized decoder), toys "nll_bound_nats" (a density's bound).
    nlohmann::json evaluate(const Tensor& x, Generator& gen,
                            const gen::SampleOptions& options) override;

    Denoiser& net() { return *net_; }
    const NoiseSchedule& schedule() const { return schedule_; }
    const nlohmann::json& config() const { return config_; }
    bool images() const;

  private:
    nlohmann::json config_;
    std::shared_ptr<Denoiser> net_;
    NoiseSchedule schedule_;
};

struct DdpmTrainResult {
    int64_t epochs = 0;
    double loss = 0;     // mean L_simple of the last epoch
    double seconds = 0;  // this invocation's training time
};

// Trains the run's model from its epoch() to config "epochs", saving model.safetensors
// ("gibbs.model" = "ddpm", the EMA weights) and checkpoint.safetensors (groups "model.",
// "ema.", "optimizer.", and the generator) after every epoch; a resumed run continues bit for
// bit. A non-finite loss stops with a gibbs::Error naming the epoch and step.
DdpmTrainResult train_ddpm(gen::GenerativeRun& run, bool quiet);

}  // namespace gibbs::diffusion
