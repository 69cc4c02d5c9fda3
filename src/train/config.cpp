// TrainConfig: validation of the command-line fields and the JSON form of config.json.
#include "gibbs/train/config.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gibbs/tensor/error.hpp"

namespace gibbs::train {

namespace {
using Json = nlohmann::json;

bool one_of(const std::string& v, std::initializer_list<const char*> options) {
    for (const char* o : options)
        if (v == o) return true;
    return false;
}

// j[key] as T, or one gibbs::Error naming the file and the key.
template <typename T>
T field(const Json& j, const char* key, const std::string& source) {
    check(j.contains(key), source, ": missing \"", key, "\"");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        fail(source, ": \"", key, "\" has the wrong type (", j.at(key).type_name(), ")");
    }
}

Json scale_json(const data::Standardizer& s) { return {{"mean", s.mean}, {"std", s.std}}; }

data::Standardizer scale_from(const Json& j, const char* key, const std::string& source) {
    if (!j.contains(key) || j.at(key).is_null()) return {};
    const Json& s = j.at(key);
    data::Standardizer out{field<std::vector<double>>(s, "mean", source + ": " + key),
                           field<std::vector<double>>(s, "std", source + ": " + key)};
    check(out.mean.size() == out.std.size(), source, ": ", key, " has ", out.mean.size(),
          " means and ", out.std.size(), " standard deviations");
    for (double v : out.std)
        check(std::isfinite(v) && v > 0, source, ": ", key, " has a standard deviation ", v);
    return out;
}
}  // namespace

double default_lr(const std::string& optimizer) {
    if (optimizer == "adam" || optimizer == "rmsprop") return 1e-3;
    if (optimizer == "sgd" || optimizer == "momentum" || optimizer == "adagrad") return 1e-2;
    fail("--optimizer must be adam, sgd, momentum, rmsprop or adagrad, got '", optimizer, "'");
}

void validate(const TrainConfig& c) {
    check(one_of(c.model, {"mlp", "cnn"}), "train: the model must be mlp or cnn, got '", c.model,
          "'");
    check(one_of(c.task, {"classification", "regression"}),
          "--task must be classification or regression, got '", c.task, "'");
    check(one_of(c.activation, {"relu", "tanh", "sigmoid", "gelu", "silu"}),
          "--activation must be relu, tanh, sigmoid, gelu or silu, got '", c.activation, "'");
    default_lr(c.optimizer);  // checks the name
    check(one_of(c.schedule, {"constant", "cosine"}),
          "--schedule must be constant or cosine, got '", c.schedule, "'");
    check(c.epochs >= 1, "--epochs must be at least 1, got ", c.epochs);
    check(c.batch >= 1, "--batch must be at least 1, got ", c.batch);
    check(std::isfinite(c.lr) && c.lr >= 0, "--lr must be a positive number, got ", c.lr);
    check(c.threads >= 0 && c.threads <= 1024, "--threads must be between 0 and 1024, got ",
          c.threads);
    check(c.validation >= 0 && c.validation < 1, "--validation must be in [0, 1), got ",
          c.validation);
    check(c.limit >= 0, "--limit must not be negative, got ", c.limit);
    for (int64_t h : c.hidden)
        check(h >= 1 && h <= (int64_t{1} << 24), "--hidden sizes must be positive, got ", h);
    if (c.model == "cnn") {
        check(!c.channels.empty() && c.channels.size() <= 4,
              "--channels must give 1 to 4 conv blocks, got ", c.channels.size());
        for (int64_t ch : c.channels)
            check(ch >= 1 && ch <= 4096, "--channels must be between 1 and 4096, got ", ch);
    }
    if (c.is_fashion_mnist()) {
        check(c.target.empty(), "--target is for CSV data, not fashion-mnist");
        check(c.is_classification(), "fashion-mnist is a classification task, not ", c.task);
    } else {
        check(!c.target.empty(), "--data ", c.data, ": give the column to predict with --target");
        check(c.model == "mlp", "train ", c.model, ": CSV data needs the mlp model");
    }
}

std::vector<int64_t> parse_sizes(const std::string& text, const std::string& option) {
    std::vector<int64_t> sizes;
    if (text.empty()) return sizes;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        check(used == part.size() && !part.empty() && v >= 1, option,
              " must be positive integers separated by commas (e.g. 256,128), got '", text, "'");
        sizes.push_back(v);
    }
    check(text.back() != ',', option, " must not end with a comma, got '", text, "'");
    return sizes;
}

std::string format_sizes(const std::vector<int64_t>& sizes) {
    std::string s;
    for (size_t i = 0; i < sizes.size(); ++i) {
        if (i) s.push_back(',');
        s.append(std::to_string(sizes[i]));
    }
    return s;
}

Json to_json(const TrainConfig& c) {
    Json j = {{"format", "gibbs.train/1"},
              {"model", c.model},
              {"data", c.data},
              {"target", c.target},
              {"task", c.task},
              {"hidden", c.hidden},
              {"channels", c.channels},
              {"activation", c.activation},
              {"epochs", c.epochs},
              {"batch", c.batch},
              {"optimizer", c.optimizer},
              {"lr", c.lr},
              {"schedule", c.schedule},
              {"seed", c.seed},
              {"threads", c.threads},
              {"validation", c.validation},
              {"limit", c.limit},
              {"input_shape", c.input_shape},
              {"outputs", c.outputs},
              {"feature_names", c.feature_names},
              {"class_names", c.class_names}};
    j["x_scale"] = c.x_scale.mean.empty() ? Json(nullptr) : scale_json(c.x_scale);
    j["y_scale"] = c.y_scale.mean.empty() ? Json(nullptr) : scale_json(c.y_scale);
    return j;
}

TrainConfig config_from_json(const Json& j, const std::string& source) {
    check(j.is_object(), source, ": the configuration must be a JSON object");
    check(j.value("format", std::string()) == "gibbs.train/1", source,
          ": not a gibbs training configuration (\"format\" is not \"gibbs.train/1\")");
    TrainConfig c;
    c.model = field<std::string>(j, "model", source);
    c.data = field<std::string>(j, "data", source);
    c.target = field<std::string>(j, "target", source);
    c.task = field<std::string>(j, "task", source);
    c.hidden = field<std::vector<int64_t>>(j, "hidden", source);
    if (j.contains("channels")) c.channels = field<std::vector<int64_t>>(j, "channels", source);
    c.activation = field<std::string>(j, "activation", source);
    c.epochs = field<int64_t>(j, "epochs", source);
    c.batch = field<int64_t>(j, "batch", source);
    c.optimizer = field<std::string>(j, "optimizer", source);
    c.lr = field<double>(j, "lr", source);
    c.schedule = j.contains("schedule") ? field<std::string>(j, "schedule", source) : "constant";
    c.seed = field<uint64_t>(j, "seed", source);
    c.threads = field<int>(j, "threads", source);
    c.validation = field<double>(j, "validation", source);
    c.limit = field<int64_t>(j, "limit", source);
    c.input_shape = field<std::vector<int64_t>>(j, "input_shape", source);
    c.outputs = field<int64_t>(j, "outputs", source);
    c.feature_names = field<std::vector<std::string>>(j, "feature_names", source);
    c.class_names = field<std::vector<std::string>>(j, "class_names", source);
    c.x_scale = scale_from(j, "x_scale", source);
    c.y_scale = scale_from(j, "y_scale", source);
    try {
        validate(c);
    } catch (const Error& e) {
        fail(source, ": ", e.what());
    }
    check(!c.input_shape.empty() && c.outputs >= 1, source,
          ": input_shape and outputs must describe the model");
    for (int64_t d : c.input_shape) check(d >= 1, source, ": input_shape has an extent ", d);
    return c;
}

TrainConfig read_config(const std::string& path) {
    std::ifstream in(path);
    check(in.good(), path, ": cannot open the run configuration");
    const Json j = Json::parse(in, nullptr, false);
    check(!j.is_discarded(), path, ": not valid JSON");
    return config_from_json(j, path);
}

}  // namespace gibbs::train
