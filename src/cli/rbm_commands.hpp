// The Boltzmann-machine commands as plain functions, so that shared subcommands (`gibbs train
// rbm`, `gibbs eval --model rbm.safetensors`) can call them. Each takes its options struct and
// prints to stdout; errors are gibbs::Error.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace gibbs::cli {

struct TrainRbmOptions {
    std::string data = "fashion-mnist";
    std::string tensor = {};  // tensor name in a safetensors data file ("" = automatic)
    std::string valid = {};   // validation data for the free-energy gap ("" = fashion-mnist test)
    int64_t hidden = 500;
    std::vector<int64_t> layers = {};  // DBN: hidden sizes
    std::string visible = "binary";
    int64_t cd = 0, pcd = 0, pt = 0;  // at most one; none: CD-1
    int64_t chains = 0;
    int64_t temperatures = 10;
    double beta_min = 0.5;
    int64_t epochs = 10;
    int64_t batch = 64;
    double lr = 0.01;
    double momentum = 0.0;
    double weight_decay = 0.0;
    std::string schedule = "constant";
    double gamma = 0.95;
    double sigma = 1.0;
    bool learn_sigma = false;  // Gaussian: learn σ (through log σ²)
    double sigma_lr = 0.0;     // its learning rate (0: --lr)
    double sigma_min = 1e-2;   // its floor
    double weight_std = 0.01;
    uint64_t seed = 0;
    int threads = 0;
    std::string out = {};
    bool quiet = false;
};
void run_train_rbm(const TrainRbmOptions& o);
void run_train_dbn(const TrainRbmOptions& o);
// Adds the options above to a (sub)command; dbn: --layers instead of --hidden.
void add_train_rbm_options(CLI::App* sub, TrainRbmOptions& o, bool dbn);

struct EvalRbmOptions {
    std::string model = {};
    std::string logz = "exact";  // exact or ais
    std::string data = {};       // "" or fashion-mnist or FILE: log-likelihood of its test rows
    int64_t ais_distributions = 15000;
    int64_t ais_runs = 100;
    uint64_t seed = 0;
    bool json = false;
};
void run_eval_rbm(const EvalRbmOptions& o);
void add_eval_rbm_options(CLI::App* sub, EvalRbmOptions& o);

struct SampleOptions {
    std::string model = {};
    int64_t n = 64;
    int64_t gibbs_steps = 1000;
    int64_t cols = 8;
    uint64_t seed = 0;
    std::string out = {};
    std::string sampler = {};  // generative models: see gen::SampleOptions
    int64_t steps = 0;
    double eta = 0;
    int64_t label = -1;
};
void run_sample(const SampleOptions& o);

}  // namespace gibbs::cli
