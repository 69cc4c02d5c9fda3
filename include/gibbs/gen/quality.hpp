// The sample-quality figures `gibbs eval` prints for a generative model, as one JSON object:
//   toy densities:  "energy_distance" (n model samples vs n fresh data samples),
//                   "energy_distance_baseline" (two fresh data samples of the same sizes),
//                   each the mean over "baseline_draws" (20) independent pairs of fresh data
//                   samples, with "energy_distance_baseline_sd" the standard deviation of one
//                   baseline draw; "mmd2" and "mmd2_baseline" (Gaussian kernel, median
//                   bandwidth of the data; the first pair of data samples),
//                   and for eight-gaussians "modes_covered" (of 8) and "off_mode_fraction";
//   fashion-mnist:  "frechet_distance" in the features of the reference classifier
//                   (gibbs/gen/frechet.hpp) between n samples and the test split, and
//                   "frechet_distance_baseline" between the first and second halves of the test
//                   split; for a class-conditional model the reference classifier's accuracy on
//                   samples drawn class by class ("classifier_accuracy"); the reference
//                   classifier's own test accuracy ("reference_accuracy").
// plus the model's own figures (GenerativeModel::evaluate) on held-out data.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "gibbs/gen/model.hpp"

namespace gibbs::gen {

struct QualityOptions {
    int64_t n = 2000;           // model samples (and data samples for the toys)
    int64_t eval_n = 0;         // held-out examples for GenerativeModel::evaluate (0: its default,
                                // 2000 toy draws or the whole test split)
    SampleOptions sample = {};  // passed to sample() and evaluate()
    bool model_figures = true;  // include GenerativeModel::evaluate
};

nlohmann::json sample_quality(GenerativeModel& model, const std::string& data, Generator& gen,
                              const QualityOptions& options = {});

}  // namespace gibbs::gen
