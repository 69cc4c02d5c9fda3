// Evaluation of a trained model, loading a saved model, and describing it.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "gibbs/io/checkpoint.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/train/model.hpp"
#include "gibbs/train/trainer.hpp"

namespace gibbs::train {

EvalResult evaluate(nn::Module& model, const data::TensorDataset& d, const TrainConfig& c,
                    int64_t batch) {
    check(batch >= 1, "evaluate: batch must be at least 1");
    NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    EvalResult r;
    r.examples = d.size();
    r.classes = c.is_classification() ? c.outputs : 0;
    r.confusion.assign(r.classes * r.classes, 0);
    double loss_sum = 0, squared_sum = 0;
    int64_t correct = 0;
    const Tensor x = d.x.contiguous();
    for (int64_t start = 0; start < r.examples; start += batch) {
        const int64_t b = std::min(batch, r.examples - start);
        const Tensor out = model(x.narrow(0, start, b)).contiguous();  // (b, C) or (b, 1)
        const float* po = out.data<float>();
        if (c.is_classification()) {
            check(out.dim() == 2 && out.size(1) == r.classes, "evaluate: the model gives ",
                  out.shape(), " for ", r.classes, " classes");
            const std::vector<int64_t> labels(d.labels.begin() + start,
                                              d.labels.begin() + start + b);
            loss_sum += nn::cross_entropy(out, labels).item() * static_cast<double>(b);
            for (int64_t i = 0; i < b; ++i) {
                const float* row = po + i * r.classes;
                const int64_t guess = std::max_element(row, row + r.classes) - row;
                correct += guess == labels[i];
                ++r.confusion[labels[i] * r.classes + guess];
            }
        } else {
            const Tensor y = d.y.narrow(0, start, b).contiguous();
            const float* py = y.data<float>();
            for (int64_t i = 0; i < b; ++i) {
                const double e = static_cast<double>(po[i]) - py[i];
                squared_sum += e * e;
            }
        }
    }
    model.train(was_training);
    const double n = static_cast<double>(std::max<int64_t>(r.examples, 1));
    if (c.is_classification()) {
        r.loss = loss_sum / n;
        r.accuracy = static_cast<double>(correct) / n;
    } else {
        r.loss = squared_sum / n;
        r.rms = std::sqrt(r.loss) * c.y_scale.std.at(0);
    }
    return r;
}

LoadedModel load_model(const std::string& path) {
    const io::Checkpoint ck = io::load_checkpoint(path);
    const auto it = ck.metadata.find("gibbs.config");
    check(it != ck.metadata.end(), path,
          ": no \"gibbs.config\" metadata: not a model saved by gibbs train");
    const nlohmann::json j = nlohmann::json::parse(it->second, nullptr, false);
    check(!j.is_discarded(), path, ": the \"gibbs.config\" metadata is not valid JSON");
    LoadedModel m{config_from_json(j, path + " (gibbs.config)"), nullptr};
    Generator gen(m.config.seed);
    m.model = build_model(m.config, gen);
    // A training checkpoint holds the model under "model."; model.safetensors holds it alone.
    const bool is_checkpoint = ck.find("optimizer.step") != nullptr;
    io::load_module_state(*m.model, is_checkpoint ? ck.with_prefix("model.") : ck.tensors, path);
    return m;
}

std::string describe_model(const TrainConfig& c) {
    int64_t in = 1;
    for (int64_t d : c.input_shape) in *= d;
    std::string s = c.model + " " + std::to_string(in);
    if (c.model == "cnn") {
        s = "cnn " + format_sizes(c.input_shape);
        for (int64_t ch : c.channels) s.append("-c").append(std::to_string(ch));
    }
    for (int64_t h : c.hidden) s.append("-").append(std::to_string(h));
    s.append("-").append(std::to_string(c.outputs));
    return s.append(" (").append(c.activation).append(")");
}

}  // namespace gibbs::train
