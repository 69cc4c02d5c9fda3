// Supervised training runs: the epoch loop behind `gibbs train`, evaluation behind `gibbs eval`,
// and the run folder they share.
//
// A run folder holds
//   config.json             the TrainConfig (everything needed to rebuild the model)
//   metrics.jsonl           one JSON line per epoch: epoch, train_loss, val_loss, val_accuracy
//                           (classification) or val_rms (regression, target units), seconds, ...
//   model.safetensors       the model's tensors, with the config in the "gibbs.config" metadata
//   checkpoint.safetensors  "model.*" and "optimizer.*" tensors, the epoch and the loader's
//                           generator state, for --resume
// Both .safetensors files are rewritten atomically after every epoch, so an interrupted run keeps
// its last finished epoch. A run resumed from epoch k draws the same minibatches and makes the
// same updates as one that never stopped: its final weights agree bit for bit (same thread count).
//
// Losses: softmax cross-entropy  C = −(1/B) Σᵢ log softmax(f(xᵢ))_{yᵢ}  for classification;
// mean squared error  C = (1/B) Σᵢ (f(xᵢ) − zᵢ)²  on the standardized target z = (y − ȳ)/s_y for
// regression, whose root is reported in target units as RMS = s_y √C.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "gibbs/data/loader.hpp"
#include "gibbs/nn/module.hpp"
#include "gibbs/train/config.hpp"

namespace gibbs::train {

struct EvalResult {
    int64_t examples = 0;
    double loss = 0;      // mean cross-entropy, or mean squared error of the standardized target
    double accuracy = 0;  // classification: fraction of argmax predictions equal to the label
    double rms = 0;       // regression: root mean squared error in target units
    int64_t classes = 0;
    std::vector<int64_t> confusion;  // (C, C) row-major: rows the true class, columns predicted
};

// Evaluates `model` on `data` (prepared like its training data) in batches, without a graph.
EvalResult evaluate(nn::Module& model, const data::TensorDataset& data, const TrainConfig& config,
                    int64_t batch = 1000);

struct TrainOptions {
    std::string out;                    // the run folder
    bool resume = false;                // continue the run saved in `out`
    bool quiet = false;                 // print only the final result
    std::FILE* log = stdout;            // where the per-epoch lines go
    std::optional<bool> progress = {};  // draw the progress bar; default: when stderr is a terminal
    std::optional<double> lr = {};      // with resume: a new learning rate
};

struct TrainResult {
    int64_t epochs = 0;  // epochs finished in total
    EvalResult validation;
    EvalResult test;  // examples = 0 when the data has no test set
    double seconds = 0;
};

// Trains the model `config` describes and saves the run folder. Without `resume`, `out` must not
// hold a run yet; with it, `config` is the run's saved configuration (with epochs, threads
// possibly raised) and training continues after the last finished epoch.
// A loss that is not finite stops the run with a gibbs::Error naming the epoch and step; the last
// good checkpoint stays.
TrainResult train(TrainConfig config, const TrainOptions& options);

// The model saved in a model.safetensors (or checkpoint.safetensors) file, with its config.
struct LoadedModel {
    TrainConfig config;
    std::shared_ptr<nn::Module> model;
};
LoadedModel load_model(const std::string& path);

// "784-256-128-10"-style description of the network.
std::string describe_model(const TrainConfig& config);

}  // namespace gibbs::train
