// What every trained generative model offers the command line and the metrics: drawing samples,
// and its own figures on held-out data. `gibbs sample` and `gibbs eval` load a model.safetensors
// whose "gibbs.model" metadata names the kind ("ebm", "vae", "gan", "ddpm") and work through this
// interface; the kinds register their loaders in src/cli (see src/cli/generative.hpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::gen {

// How to sample; each field's default (empty or 0) means the model's own default.
struct SampleOptions {
    std::string sampler;  // e.g. "ddpm" or "ddim" for diffusion, "langevin" or "mala" for an EBM
    int64_t steps = 0;    // sampler steps (Langevin steps, DDIM steps, ...)
    double eta = 0;       // DDIM's η (0: deterministic)
    int64_t label = -1;   // class-conditional models: the class to draw; −1: classes in turn
};

class GenerativeModel {
  public:
    virtual ~GenerativeModel() = default;
    // "ebm", "vae", "gan", "ddpm": the value of the "gibbs.model" metadata.
    virtual std::string kind() const = 0;
    // The --data the model was trained on: a toy name (gibbs/gen/toy.hpp) or "fashion-mnist".
    virtual std::string data() const = 0;
    // A one-line description for messages, e.g. "VAE 784-400-20, Bernoulli decoder".
    virtual std::string describe() const = 0;
    // n samples shaped like the data, float32: (n, 2) points for a toy density, (n, 1, 28, 28)
    // images with pixels in [0, 1] for Fashion-MNIST. Computed without an autograd graph.
    virtual Tensor sample(int64_t n, Generator& gen, const SampleOptions& options) = 0;
    // Number of classes of a class-conditional model (0: unconditional).
    virtual int64_t classes() const { return 0; }
    // The model's own figures on held-out data x (same layout as sample()'s), as JSON fields,
    // e.g. {"elbo": −250.1, "log_likelihood_iw": −243.7} for a VAE or {"bits_per_dim": 3.9} for a
    // diffusion model. The default has none.
    virtual nlohmann::json evaluate(const Tensor& x, Generator& gen, const SampleOptions& options) {
        (void)x, (void)gen, (void)options;
        return nlohmann::json::object();
    }
    // The same given the class labels of x (one per example; empty for a toy), as a
    // class-conditional model needs them (e.g. a conditional VAE's bound on log p(x|y)). The
    // default ignores them.
    virtual nlohmann::json evaluate_labelled(const Tensor& x, const std::vector<int64_t>& labels,
                                             Generator& gen, const SampleOptions& options) {
        (void)labels;
        return evaluate(x, gen, options);
    }
};

}  // namespace gibbs::gen
