// `gibbs eval --model RUN/model.safetensors`: evaluates a model saved by `gibbs train` on the
// Fashion-MNIST test split (accuracy, loss, the confusion matrix) or on a CSV table (RMS in target
// units); --json prints one object.
#include <omp.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.hpp"
#include "cli/generative.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/train/data.hpp"
#include "gibbs/train/trainer.hpp"

namespace {

struct EvalCliOptions {
    std::string model;
    std::string data;
    bool json = false;
    int64_t limit = 0;
    int64_t batch = 1000;
    int threads = 0;
    // generative models
    int64_t n = 2000;
    int64_t eval_n = 0;
    uint64_t seed = 0;
    gibbs::gen::SampleOptions sample;
};

void print_confusion(const gibbs::train::EvalResult& r, const gibbs::train::TrainConfig& c) {
    std::printf("confusion matrix (rows: true class, columns: predicted class)\n%16s", "");
    for (int64_t j = 0; j < r.classes; ++j) std::printf(" %6lld", static_cast<long long>(j));
    std::printf("\n");
    for (int64_t i = 0; i < r.classes; ++i) {
        const std::string name =
            i < static_cast<int64_t>(c.class_names.size()) ? c.class_names[i] : "";
        std::printf("%3lld %-12s", static_cast<long long>(i), name.c_str());
        for (int64_t j = 0; j < r.classes; ++j)
            std::printf(" %6lld", static_cast<long long>(r.confusion[i * r.classes + j]));
        std::printf("\n");
    }
}

void run_eval(const EvalCliOptions& o) {
    using namespace gibbs;
    check(o.limit >= 0, "eval: --limit must not be negative, got ", o.limit);
    check(o.batch >= 1, "eval: --batch must be at least 1, got ", o.batch);
    check(o.threads >= 0, "eval: --threads must not be negative, got ", o.threads);
    if (o.threads > 0) omp_set_num_threads(o.threads);
    if (const auto generative = cli::load_generative(o.model)) {
        cli::run_generative_eval(*generative, {.model = o.model,
                                               .data = o.data,
                                               .n = o.n,
                                               .eval_n = o.eval_n,
                                               .seed = o.seed,
                                               .json = o.json,
                                               .sample = o.sample});
        return;
    }
    const train::LoadedModel m = train::load_model(o.model);
    const train::TrainConfig& c = m.config;
    const std::string data = o.data.empty() ? c.data : o.data;
    const data::TensorDataset d = train::load_eval_data(c, data, o.limit);
    const train::EvalResult r = train::evaluate(*m.model, d, c, o.batch);
    const std::string split = data == train::kFashionMnist ? "fashion-mnist test split" : data;
    if (o.json) {
        nlohmann::json j = {
            {"model", o.model}, {"data", split}, {"examples", r.examples}, {"loss", r.loss}};
        if (c.is_classification()) {
            j["accuracy"] = r.accuracy;
            nlohmann::json rows = nlohmann::json::array();
            for (int64_t i = 0; i < r.classes; ++i)
                rows.push_back(std::vector<int64_t>(r.confusion.begin() + i * r.classes,
                                                    r.confusion.begin() + (i + 1) * r.classes));
            j["confusion"] = rows;
            j["classes"] = c.class_names;
        } else {
            j["rms"] = r.rms;
            j["target"] = c.target;
        }
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("%s on %s (%lld examples)\n", train::describe_model(c).c_str(), split.c_str(),
                static_cast<long long>(r.examples));
    if (c.is_classification()) {
        std::printf("accuracy %.4f\nloss %.4f\n", r.accuracy, r.loss);
        print_confusion(r, c);
    } else {
        std::printf("rms %.6g (%s units)\nloss %.4f (standardized mean squared error)\n", r.rms,
                    c.target.c_str(), r.loss);
    }
}

}  // namespace

GIBBS_COMMAND(eval) {
    auto o = std::make_shared<EvalCliOptions>();
    auto* sub = app.add_subcommand(
        "eval", "Evaluate a model saved by gibbs train (classifier, regressor or generative)");
    sub->add_option("--model", o->model, "A run's model.safetensors")->required();
    sub->add_option("--data", o->data,
                    "fashion-mnist (its test split) or a CSV file (default: the training data)");
    sub->add_flag("--json", o->json, "Print one JSON object");
    sub->add_option("--limit", o->limit, "Use only the first N examples (0: all)")
        ->capture_default_str();
    sub->add_option("--batch", o->batch, "Examples per forward pass")->capture_default_str();
    sub->add_option("--threads", o->threads, "Threads (0: all)")->capture_default_str();
    sub->add_option("--n", o->n, "Generative models: samples compared with the data")
        ->capture_default_str();
    sub->add_option("--eval-n", o->eval_n,
                    "Generative models: held-out examples for the model's own figures (0: its "
                    "default)")
        ->capture_default_str();
    sub->add_option("--seed", o->seed, "Generative models: random seed")->capture_default_str();
    sub->add_option("--sampler", o->sample.sampler, "Generative models: the sampler");
    sub->add_option("--steps", o->sample.steps, "Generative models: sampler steps (0: default)")
        ->capture_default_str();
    sub->add_option("--eta", o->sample.eta, "DDIM: eta")->capture_default_str();
    sub->callback([o] { run_eval(*o); });
}
