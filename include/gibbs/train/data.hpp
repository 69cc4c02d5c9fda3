// The data of a training run: the built-in Fashion-MNIST or a numeric CSV file, prepared as the
// run's configuration says (pixels scaled to [0, 1]; CSV columns standardized on the training
// split), and split into training, validation and test sets.
#pragma once

#include <string>

#include "gibbs/data/loader.hpp"
#include "gibbs/train/config.hpp"

namespace gibbs::train {

struct RunData {
    data::TensorDataset train;
    data::TensorDataset validation;  // empty when config.validation is 0
    data::TensorDataset test;        // Fashion-MNIST's test split; empty for CSV data
};

// Loads config.data (the first config.limit training examples when limit > 0), splits off the
// validation fraction with a seed derived from config.seed, and fills in what the data tells:
// config.input_shape, outputs, feature_names, class_names, and for CSV data the standardization
// x_scale and y_scale fitted on the training split. Throws gibbs::Error naming the file or column.
RunData prepare_data(TrainConfig& config, uint64_t split_seed);

// Data to evaluate a trained model on, prepared like its training data: "fashion-mnist" gives the
// test split; a CSV file gives all of its rows, standardized with the saved scales (its columns
// must include the training features and target). `limit` > 0 keeps only the first examples.
data::TensorDataset load_eval_data(const TrainConfig& config, const std::string& data,
                                   int64_t limit = 0);

}  // namespace gibbs::train
