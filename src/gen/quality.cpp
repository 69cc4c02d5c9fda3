// Sample-quality figures of a generative model (gibbs/gen/quality.hpp).
#include "gibbs/gen/quality.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/autograd/ops.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/frechet.hpp"
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
    // One energy distance of two n-samples varies by a factor of several between draws (the mode
    // counts fluctuate): "energy_distance" and its baseline are means over kDraws (20)
    // independent pairs of fresh data samples a_k, b_k: the model's samples against a_k, and b_k
    // against a_k. The MMD figures use the first pair, with its median bandwidth.
    constexpr int kDraws = 20;
    double ed = 0, ed_base = 0, ed_base_sq = 0, mmd = 0, mmd_base = 0, h = 0;
    for (int k = 0; k < kDraws; ++k) {
        const Tensor data_a = sample_toy(data, o.n, gen);
        const Tensor data_b = sample_toy(data, o.n, gen);
        if (k == 0) {
            h = median_distance(data_a, data_b);
            mmd = mmd2_rbf(samples, data_a, h);
            mmd_base = mmd2_rbf(data_b, data_a, h);
        }
        const double base = energy_distance(data_b, data_a);
        ed += energy_distance(samples, data_a) / kDraws;
        ed_base += base / kDraws;
        ed_base_sq += base * base / kDraws;
    }
    const double ed_base_sd =
        std::sqrt(std::max(0.0, ed_base_sq - ed_base * ed_base) * kDraws / (kDraws - 1));
    nlohmann::json j = {{"samples", o.n},
                        {"energy_distance", ed},
                        {"energy_distance_baseline", ed_base},
                        {"energy_distance_baseline_sd", ed_base_sd},
                        {"baseline_draws", kDraws},
                        {"mmd2", mmd},
                        {"mmd2_baseline", mmd_base},
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

// Fréchet distances in the reference classifier's features (gibbs/gen/frechet.hpp), against
// the whole test split (10,000 images: a large, fixed reference set, as is the custom for FID),
// and the baseline between its halves (5,000 vs 5,000). A class-conditional model draws
// ⌊n/C⌋ samples of each class c (SampleOptions::label = c); the same class-balanced samples
// give its Fréchet distance and the classifier's accuracy on them against c.
nlohmann::json image_quality(GenerativeModel& model, const ReferenceClassifier& reference,
                             Generator& gen, const QualityOptions& o) {
    const int64_t C = model.classes();
    Tensor samples;  // (m, 1, 28, 28)
    std::vector<int64_t> labels;
    if (C > 0) {
        const int64_t per_class = o.n / C;
        check(per_class >= 1, "eval: --n ", o.n, " gives no sample per class of ", model.describe(),
              " (", C, " classes); give --n ", C, " or more");
        std::vector<Tensor> parts;
        for (int64_t c = 0; c < C; ++c) {
            SampleOptions options = o.sample;
            options.label = c;
            parts.push_back(model.sample(per_class, gen, options).to(DType::f32));
            check(parts.back().dim() >= 1 && parts.back().size(0) == per_class, model.describe(),
                  ": sample() gave ", parts.back().shape(), " for ", per_class, " images");
            labels.insert(labels.end(), per_class, c);
        }
        samples = gibbs::cat(parts, 0);
    } else {
        samples = model.sample(o.n, gen, o.sample);
    }
    check(samples.dim() == 4 && samples.size(1) == 1 && samples.size(2) == 28 &&
              samples.size(3) == 28,
          model.describe(), ": sample() gave ", samples.shape(), ", expected (n, 1, 28, 28)");
    const data::TensorDataset test = generative_data(kFashionMnist, /*test=*/true, 0, gen);
    const int64_t half = test.size() / 2;
    const Tensor f = reference.features(test.x);  // (10000, F)
    nlohmann::json j = {
        {"samples", samples.size(0)},
        {"frechet_distance", frechet_distance(reference.moments(samples), gaussian_moments(f))},
        {"frechet_distance_baseline", frechet_distance(gaussian_moments(f.narrow(0, 0, half)),
                                                       gaussian_moments(f.narrow(0, half, half)))},
        {"frechet_reference_images", test.size()},
        {"reference_accuracy", reference.test_accuracy()}};
    if (C > 0) j["classifier_accuracy"] = reference.accuracy(samples, labels);
    return j;
}

}  // namespace

nlohmann::json sample_quality(GenerativeModel& model, const std::string& data, Generator& gen,
                              const QualityOptions& options) {
    check_data_name(data);
    check(options.n >= 2, "eval: --n must be at least 2, got ", options.n);
    // NOTE: the reference classifier trains on its first use, which needs gradients: it is
    // loaded or built before recording is turned off.
    std::optional<ReferenceClassifier> reference;
    if (!is_toy(data)) reference.emplace(load_or_build_reference());
    NoGradGuard no_grad;
    nlohmann::json j = is_toy(data) ? toy_quality(model, data, gen, options)
                                    : image_quality(model, *reference, gen, options);
    j["model"] = model.kind();
    j["data"] = data;
    if (options.model_figures) {
        const int64_t n = options.eval_n > 0 ? options.eval_n : (is_toy(data) ? 2000 : 0);
        const data::TensorDataset held_out = generative_data(data, /*test=*/true, n, gen);
        // NOTE: held in a variable: items() of a temporary would outlive it in the loop.
        const nlohmann::json figures =
            model.evaluate_labelled(held_out.x, held_out.labels, gen, options.sample);
        for (const auto& [key, value] : figures.items()) j[key] = value;
    }
    return j;
}

}  // namespace gibbs::gen
