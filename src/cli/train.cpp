// `gibbs train mlp|cnn`: trains a classifier on Fashion-MNIST or a regressor/classifier on a CSV
// table, saving a run folder (config.json, metrics.jsonl, model.safetensors, checkpoint) that
// `--resume` continues and `gibbs eval` reads. The work is in gibbs/train/trainer.hpp.
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/train/trainer.hpp"

namespace {

struct TrainCliOptions {
    gibbs::train::TrainConfig config;
    std::string hidden = "256,128";
    std::string channels = "32,64";
    std::string resume;
    std::string out;
    bool quiet = false;
};

// With --resume the run's config.json fixes everything but these.
constexpr const char* kResumeOptions[] = {"model", "--resume",  "--out",  "--epochs",
                                          "--lr",  "--threads", "--quiet"};

void run_train(const TrainCliOptions& o, const CLI::App& sub) {
    using namespace gibbs;
    train::TrainConfig c = o.config;
    train::TrainOptions opts{.out = o.out, .quiet = o.quiet};
    if (!o.resume.empty()) {
        for (const CLI::Option* opt : sub.get_options()) {
            if (opt->count() == 0 || opt->get_name() == "--help") continue;
            bool allowed = false;
            for (const char* name : kResumeOptions) allowed |= opt->check_name(name);
            check(allowed, "train: ", opt->get_name(), " cannot change when resuming; the run in ",
                  o.resume, " fixes it in config.json");
        }
        check(o.out.empty() || std::filesystem::weakly_canonical(o.out) ==
                                   std::filesystem::weakly_canonical(o.resume),
              "train: --resume ", o.resume,
              " continues in that folder; leave out --out or give the same folder");
        const std::string model = c.model;
        check(std::filesystem::exists(std::filesystem::path(o.resume) / "config.json"),
              "train: --resume ", o.resume, ": no run there (it has no config.json)");
        c = train::read_config((std::filesystem::path(o.resume) / "config.json").string());
        check(sub.get_option("model")->count() == 0 || model == c.model, "train ", model,
              ": the run in ", o.resume, " trains a ", c.model);
        if (sub.get_option("--epochs")->count()) c.epochs = o.config.epochs;
        if (sub.get_option("--threads")->count()) c.threads = o.config.threads;
        if (sub.get_option("--lr")->count()) {
            check(o.config.lr > 0, "--lr must be a positive number, got ", o.config.lr);
            opts.lr = o.config.lr;
        }
        opts.out = o.resume;
        opts.resume = true;
    } else {
        check(sub.get_option("model")->count() == 1,
              "train: name the model to train: gibbs train mlp ... or gibbs train cnn ...");
        check(!o.out.empty(), "train: give the run folder with --out DIR");
        const bool default_hidden = sub.get_option("--hidden")->count() == 0;
        c.hidden =
            train::parse_sizes(default_hidden && c.model == "cnn" ? "128" : o.hidden, "--hidden");
        c.channels = train::parse_sizes(o.channels, "--channels");
        if (sub.get_option("--task")->count() == 0)
            c.task = c.data == train::kFashionMnist ? "classification" : "regression";
    }
    const train::TrainResult r = train::train(c, opts);
    const char* folder = opts.out.c_str();
    if (r.test.examples > 0) {
        std::printf("test accuracy %.4f, loss %.4f (%lld examples) after %lld epochs, %.1f s\n",
                    r.test.accuracy, r.test.loss, static_cast<long long>(r.test.examples),
                    static_cast<long long>(r.epochs), r.seconds);
    } else if (r.validation.examples > 0) {
        if (c.is_classification())
            std::printf(
                "validation accuracy %.4f, loss %.4f (%lld examples) after %lld epochs, "
                "%.1f s\n",
                r.validation.accuracy, r.validation.loss,
                static_cast<long long>(r.validation.examples), static_cast<long long>(r.epochs),
                r.seconds);
        else
            std::printf(
                "validation rms %.6g (%s units), loss %.4f (%lld examples) after %lld "
                "epochs, %.1f s\n",
                r.validation.rms, c.target.c_str(), r.validation.loss,
                static_cast<long long>(r.validation.examples), static_cast<long long>(r.epochs),
                r.seconds);
    }
    if (!o.quiet) std::printf("saved %s/model.safetensors\n", folder);
}

}  // namespace

GIBBS_COMMAND(train) {
    auto o = std::make_shared<TrainCliOptions>();
    auto* sub = app.add_subcommand(
        "train", "Train a network on fashion-mnist or a CSV table and save a run folder");
    // An option given twice takes its last value, as in most command-line tools.
    sub->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto& c = o->config;
    sub->add_option("model", c.model, "mlp or cnn");
    sub->add_option("--data", c.data, "fashion-mnist, or a CSV file with a header row")
        ->capture_default_str();
    sub->add_option("--target", c.target, "CSV: the column to predict");
    sub->add_option("--task", c.task,
                    "classification or regression (default: classification for fashion-mnist, "
                    "regression for CSV)");
    sub->add_option("--hidden", o->hidden, "Hidden widths of the dense layers (cnn default: 128)")
        ->capture_default_str();
    sub->add_option("--channels", o->channels, "CNN: output channels of the 3x3 conv blocks")
        ->capture_default_str();
    sub->add_option("--activation", c.activation, "relu, tanh, sigmoid, gelu or silu")
        ->capture_default_str();
    sub->add_option("--epochs", c.epochs, "Passes over the training data")->capture_default_str();
    sub->add_option("--batch", c.batch, "Minibatch size")->capture_default_str();
    sub->add_option("--optimizer", c.optimizer, "adam, sgd, momentum, rmsprop or adagrad")
        ->capture_default_str();
    sub->add_option("--lr", c.lr,
                    "Learning rate (default: 1e-3 for adam and rmsprop, 1e-2 for the others)");
    sub->add_option("--schedule", c.schedule,
                    "Learning rate: constant, or cosine (annealed from --lr to 0 over the run)")
        ->capture_default_str();
    sub->add_option("--seed", c.seed, "Random seed (initialization, split, shuffling)")
        ->capture_default_str();
    sub->add_option("--threads", c.threads, "Threads (0: all); results repeat for a fixed count")
        ->capture_default_str();
    sub->add_option("--validation", c.validation, "Fraction of the training data held out")
        ->capture_default_str();
    sub->add_option("--limit", c.limit, "Use only the first N training examples (0: all)")
        ->capture_default_str();
    sub->add_flag("--quiet", o->quiet, "No progress bar or per-epoch lines");
    sub->add_option("--resume", o->resume, "Continue the run saved in this folder");
    sub->add_option("--out", o->out, "Run folder to create");
    sub->callback([o, sub] { run_train(*o, *sub); });
}
