// The run folder of a generative training run (`gibbs train ebm|vae|gan|ddpm`), with the layout
// and guarantees of `gibbs train mlp` (gibbs/train/trainer.hpp):
//   config.json             the run's configuration (a JSON object; "model" names the kind)
//   metrics.jsonl           one JSON line per epoch
//   model.safetensors       the model's tensors; metadata "gibbs.model" (kind), "gibbs.config"
//                           (config.json's text) and "gibbs.epoch"
//   checkpoint.safetensors  groups of tensors under prefixes ("model.", "optimizer.", "ema.",
//                           ...), the epoch and the run's generator state, for --resume
// Both .safetensors files are rewritten atomically after every epoch, so an interrupted run
// keeps its last finished epoch, and a resumed run continues bit for bit (same thread count)
// when everything random is drawn from the generator saved here.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/nn/module.hpp"
#include "gibbs/optim/optimizer.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::gen {

class GenerativeRun {
  public:
    // A fresh run in `dir` (created if needed): fails with gibbs::Error when `dir` already holds
    // a config.json. Writes config.json and starts an empty metrics.jsonl.
    static GenerativeRun create(const std::string& dir, const nlohmann::json& config);
    // The run saved in `dir`: reads config.json and checkpoint.safetensors (an error names the
    // folder when either is missing: a run saves its checkpoint after its first epoch). The
    // records of metrics.jsonl after the checkpoint's epoch are dropped.
    static GenerativeRun resume(const std::string& dir);

    const nlohmann::json& config() const { return config_; }
    // Lets a resumed run raise "epochs" (or change "threads", "lr"); rewrites config.json.
    void update_config(const nlohmann::json& changes);
    const std::string& dir() const { return dir_; }
    std::string path(const std::string& file) const;  // dir/file
    // Last finished epoch: 0 for a fresh run.
    int64_t epoch() const { return epoch_; }
    bool resumed() const { return checkpoint_.has_value(); }

    // ---- resuming (only after resume()) ----
    // The checkpoint's tensors under `prefix` (prefix removed).
    io::NamedTensors tensors(const std::string& prefix) const;
    void restore(nn::Module& module, const std::string& prefix = "model.") const;
    void restore(optim::Optimizer& optimizer, const std::string& prefix = "optimizer.") const;
    Generator::State generator_state() const;
    // A metadata entry saved with save(..., extra_meta); "" when absent.
    std::string meta(const std::string& key) const;

    // Appends one record (a JSON object) to metrics.jsonl.
    void log(const nlohmann::json& record);

    // After `epoch` finished: writes model.safetensors (`model` tensors with kind, config and
    // epoch metadata plus `model_meta`) and checkpoint.safetensors (each group under its prefix,
    // the generator state, the epoch and `extra_meta`), each atomically.
    void save(int64_t epoch, const std::string& kind, const io::NamedTensors& model,
              const std::vector<std::pair<std::string, io::NamedTensors>>& groups,
              const Generator& gen, const std::map<std::string, std::string>& model_meta = {},
              const std::map<std::string, std::string>& extra_meta = {});

  private:
    std::string dir_;
    nlohmann::json config_;
    int64_t epoch_ = 0;
    std::optional<io::Checkpoint> checkpoint_;
    std::optional<io::MetricsLog> metrics_;
};

// The "gibbs.config" metadata of a model.safetensors saved by GenerativeRun, parsed; `kind` must
// match "gibbs.model" (an error names the file and both kinds otherwise).
nlohmann::json generative_config(const io::Checkpoint& checkpoint, const std::string& kind);

}  // namespace gibbs::gen
