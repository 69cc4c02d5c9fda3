// The configuration of a training run: what `gibbs train` was asked for, plus what it learned from
// the data (input shape, number of outputs, standardization). Saved as a run folder's config.json
// and in the "gibbs.config" metadata of model.safetensors, it is everything needed to rebuild the
// model and to prepare new data the way the training data was prepared.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "gibbs/data/loader.hpp"

namespace gibbs::train {

// The value of --data that selects the built-in data set.
inline constexpr const char* kFashionMnist = "fashion-mnist";

struct TrainConfig {
    // ---- the command line ----
    std::string model = "mlp";                 // mlp | cnn
    std::string data = kFashionMnist;          // fashion-mnist or a CSV file
    std::string target;                        // CSV: the column to predict
    std::string task = "classification";       // classification | regression
    std::vector<int64_t> hidden = {256, 128};  // hidden widths of the dense layers
    std::vector<int64_t> channels = {32, 64};  // CNN: output channels of the conv blocks
    std::string activation = "relu";           // relu | tanh | sigmoid | gelu | silu
    int64_t epochs = 10;
    int64_t batch = 128;
    std::string optimizer = "adam";     // adam | sgd | momentum | rmsprop | adagrad
    double lr = 0;                      // 0: the optimizer's default (see default_lr)
    std::string schedule = "constant";  // constant | cosine (annealed to 0 over the run)
    uint64_t seed = 0;
    int threads = 0;          // 0: OpenMP's default
    double validation = 0.1;  // fraction of the training data held out
    int64_t limit = 0;        // use only the first `limit` training examples (0: all)

    // ---- learned from the data ----
    std::vector<int64_t> input_shape;        // one example, e.g. {784} or {1, 28, 28}
    int64_t outputs = 0;                     // classes, or 1 for regression
    std::vector<std::string> feature_names;  // CSV columns used as inputs
    std::vector<std::string> class_names;    // classification labels, if known
    data::Standardizer x_scale;              // CSV inputs (empty for images)
    data::Standardizer y_scale;              // regression target

    bool is_classification() const { return task == "classification"; }
    bool is_fashion_mnist() const { return data == kFashionMnist; }
};

// The learning rate each optimizer uses when --lr is not given.
double default_lr(const std::string& optimizer);

// Checks the command-line fields; throws gibbs::Error naming the option and the bad value.
void validate(const TrainConfig& config);

nlohmann::json to_json(const TrainConfig& config);
// Reads a config written by to_json; `source` names the file in error messages.
TrainConfig config_from_json(const nlohmann::json& j, const std::string& source);
TrainConfig read_config(const std::string& path);

// "256,128" <-> {256, 128}; throws gibbs::Error naming `option` for anything else.
std::vector<int64_t> parse_sizes(const std::string& text, const std::string& option);
std::string format_sizes(const std::vector<int64_t>& sizes);

}  // namespace gibbs::train
