// Generative models behind `gibbs sample` and `gibbs eval`: each kind ("ebm", "vae", "gan",
// "ddpm") registers a loader from its model.safetensors with GIBBS_GENERATIVE(kind, loader) in
// its own src/cli file, so adding a kind touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gibbs/gen/model.hpp"
#include "gibbs/io/checkpoint.hpp"

namespace gibbs::cli {

using GenerativeLoader =
    std::function<std::unique_ptr<gen::GenerativeModel>(const io::Checkpoint& checkpoint)>;

std::map<std::string, GenerativeLoader>& generative_registry();

struct GenerativeRegistrar {
    GenerativeRegistrar(const std::string& kind, GenerativeLoader loader) {
        generative_registry()[kind] = std::move(loader);
    }
};

// The generative model saved in `path`, or nullptr when the file's "gibbs.model" metadata names
// no registered kind (an RBM, an MLP, ...). Errors in reading the file propagate.
std::unique_ptr<gen::GenerativeModel> load_generative(const std::string& path);

struct GenerativeSampleOptions {
    std::string model;
    int64_t n = 64;
    int64_t cols = 8;
    uint64_t seed = 0;
    std::string out;  // .png: image grid or 2-D scatter picture; .csv / .safetensors: the values
    gen::SampleOptions sample = {};
};
void run_generative_sample(gen::GenerativeModel& model, const GenerativeSampleOptions& options);

struct GenerativeEvalOptions {
    std::string model;
    std::string data;  // default: the model's training data
    int64_t n = 2000;
    int64_t eval_n = 0;
    uint64_t seed = 0;
    bool json = false;
    gen::SampleOptions sample = {};
};
void run_generative_eval(gen::GenerativeModel& model, const GenerativeEvalOptions& options);

// `gibbs train KIND --resume DIR`: every option given on the command line must be one of
// `allowed` (the run's config.json fixes the rest), and --out, if given, must name DIR.
// `command` ("train vae") starts the error messages.
void check_resume_options(const CLI::App& sub, std::span<const char* const> allowed,
                          const std::string& command, const std::string& resume,
                          const std::string& out);

// "400,200" -> {400, 200}: at least one positive integer (gibbs::train::parse_sizes, which
// accepts an empty list, plus that check).
std::vector<int64_t> parse_layer_sizes(const std::string& text, const char* option);

}  // namespace gibbs::cli

#define GIBBS_GENERATIVE_CONCAT2(a, b) a##b
#define GIBBS_GENERATIVE_CONCAT(a, b) GIBBS_GENERATIVE_CONCAT2(a, b)
// Registers `loader` (a callable io::Checkpoint -> std::unique_ptr<gen::GenerativeModel>) for
// models whose "gibbs.model" metadata is `kind`.
#define GIBBS_GENERATIVE(kind, loader)                                                            \
    static const ::gibbs::cli::GenerativeRegistrar GIBBS_GENERATIVE_CONCAT(generative_registrar_, \
                                                                           __LINE__) {            \
        kind, loader                                                                              \
    }
