// Sample-quality figures of a generative model (gibbs/gen/quality.hpp).
#include "gibbs/gen/quality.hpp"

#include <cmath>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/metrics.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

namespace {

nlohmann::json toy_quality(GenerativeModel& model, const std::string& data, Generator& gen,
                           const QualityOptions& o) {
    const Tensor samples = model.sample(o.n, gen, o.sample);
    check(samples.dim() == 2 && samples.size(0) == o.n && samples.size(1) == 2, model.describe(),
          ": sample() gave ", samples.shape(), ", expected (", o.n, ", 2)");
    const Tensor data_a = sample_toy(data, o.n, gen);
    const Tensor data_b = sample_toy(data, o.n, gen);
    const double h = median_distance(data_a, data_b);
    nlohmann::json j = {{"samples", o.n},
                        {"energy_distance", energy_distance(samples, data_a)},
                        {"energy_distance_baseline", energy_distance(data_b, data_a)},
                        {"mmd2", mmd2_rbf(samples, data_a, h)},
                        {"mmd2_baseline", mmd2_rbf(data_b, data_a, h)},
                        {"mmd_bandwidth", h}};
    if (data == "eight-gaussians") {
        const ModeCoverage c =
            mode_coverage(samples, eight_gaussians_centers(), 3 * kEightGaussiansSigma);
        j["modes_covered"] = c.covered;
        j["mode_counts"] = c.counts;
        j["off_mode_fraction"] = c.off_mode;
    }
    return j;
}

nlohmann::json image_quality(GenerativeModel& model, Generator&, const QualityOptions&) {
    fail(model.describe(),
         ": the Fréchet distance of image samples needs the reference classifier, which this "
         "build does not have yet");
}

}  // namespace

nlohmann::json sample_quality(GenerativeModel& model, const std::string& data, Generator& gen,
                              const QualityOptions& options) {
    check_data_name(data);
    check(options.n >= 2, "eval: --n must be at least 2, got ", options.n);
    NoGradGuard no_grad;
    nlohmann::json j =
        is_toy(data) ? toy_quality(model, data, gen, options) : image_quality(model, gen, options);
    j["model"] = model.kind();
    j["data"] = data;
    if (options.model_figures) {
        const int64_t n = options.eval_n > 0 ? options.eval_n : (is_toy(data) ? 2000 : 0);
        const data::TensorDataset held_out = generative_data(data, /*test=*/true, n, gen);
        // NOTE: held in a variable: items() of a temporary would outlive it in the loop.
        const nlohmann::json figures = model.evaluate(held_out.x, gen, options.sample);
        for (const auto& [key, value] : figures.items()) j[key] = value;
    }
    return j;
}

}  // namespace gibbs::gen
