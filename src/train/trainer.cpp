// The training loop of `gibbs train` and its run folder: config, metrics, model and checkpoint.
#include "gibbs/train/trainer.hpp"

#include <omp.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/file.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/io/progress.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/train/data.hpp"
#include "gibbs/train/model.hpp"

namespace gibbs::train {

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The seeds of a run, all derived from config.seed: model initialization, validation split,
// shuffling.
struct Seeds {
    Generator init;
    uint64_t split;
    uint64_t shuffle;
};
Seeds derive_seeds(uint64_t seed) {
    Generator master(seed);
    Generator init = master.split();
    const uint64_t split = master.split().next();
    const uint64_t shuffle = master.split().next();
    return {init, split, shuffle};
}

// Every parameter is finite (checked before a checkpoint is written).
bool all_finite(const nn::Module& model) {
    for (const auto& [name, t] : model.state()) {
        bool ok = true;
        dispatch(t.dtype(), [&]<typename T>() {
            const Tensor c = t.contiguous();
            const T* p = c.data<T>();
            for (int64_t i = 0; i < c.numel(); ++i) ok &= std::isfinite(p[i]);
        });
        if (!ok) return false;
    }
    return true;
}

struct RunFiles {
    std::string config, metrics, model, checkpoint;
    explicit RunFiles(const std::string& out)
        : config((fs::path(out) / "config.json").string()),
          metrics((fs::path(out) / "metrics.jsonl").string()),
          model((fs::path(out) / "model.safetensors").string()),
          checkpoint((fs::path(out) / "checkpoint.safetensors").string()) {}
};

void save_epoch(const RunFiles& files, const TrainConfig& c, const std::string& config_text,
                const nn::Module& model, const optim::Optimizer& opt,
                const data::DataLoader& loader, int64_t epoch) {
    const std::map<std::string, std::string> model_meta = {{"gibbs.config", config_text},
                                                           {"gibbs.epoch", std::to_string(epoch)}};
    io::save_checkpoint(files.model, model.state(), model_meta);
    io::NamedTensors all = io::prefixed(model.state(), "model.");
    for (auto& entry : io::prefixed(opt.state(), "optimizer.")) all.push_back(std::move(entry));
    std::map<std::string, std::string> meta = model_meta;
    meta["gibbs.optimizer"] = opt.name();
    meta["gibbs.loader_generator"] = generator_state_to_text(loader.state());
    meta["gibbs.seed"] = std::to_string(c.seed);
    io::save_checkpoint(files.checkpoint, all, meta);
}

std::string epoch_line(int64_t epoch, int64_t epochs, double train_loss, const EvalResult& val,
                       const EvalResult& test, bool classification, double seconds) {
    char buf[256];
    int n = std::snprintf(buf, sizeof buf, "epoch %" PRId64 "/%" PRId64 ": train loss %.4f", epoch,
                          epochs, train_loss);
    if (val.examples > 0) {
        if (classification)
            n += std::snprintf(buf + n, sizeof buf - n, ", validation loss %.4f, accuracy %.4f",
                               val.loss, val.accuracy);
        else
            n += std::snprintf(buf + n, sizeof buf - n, ", validation loss %.4f, rms %.6g",
                               val.loss, val.rms);
    }
    if (test.examples > 0 && classification)
        n += std::snprintf(buf + n, sizeof buf - n, ", test accuracy %.4f", test.accuracy);
    std::snprintf(buf + n, sizeof buf - n, ", %.1f s", seconds);
    return buf;
}
}  // namespace

TrainResult train(TrainConfig c, const TrainOptions& opts) {
    const auto start = Clock::now();
    validate(c);
    check(!opts.out.empty(), "train: give the run folder with --out");
    if (c.threads > 0) omp_set_num_threads(c.threads);
    const RunFiles files(opts.out);
    if (opts.resume) {
        check(fs::exists(files.checkpoint), "--resume ", opts.out,
              ": no checkpoint.safetensors "
              "there (a run saves one after its first epoch)");
    } else {
        check(!fs::exists(files.config) && !fs::exists(files.checkpoint), "--out ", opts.out,
              " already holds a run; continue it with --resume ", opts.out,
              " or choose another folder");
    }

    Seeds seeds = derive_seeds(c.seed);
    RunData d = prepare_data(c, seeds.split);  // before the folder is made: bad data leaves none
    if (!opts.resume) {
        std::error_code ec;
        fs::create_directories(opts.out, ec);
        check(!ec && fs::is_directory(opts.out), "--out ", opts.out,
              ": cannot create the folder: ", ec.message());
    }
    if (c.lr <= 0) c.lr = default_lr(c.optimizer);
    if (opts.lr) c.lr = *opts.lr;
    std::shared_ptr<nn::Module> model = build_model(c, seeds.init);
    std::unique_ptr<optim::Optimizer> opt = build_optimizer(c, model->parameters());
    data::DataLoader loader(d.train,
                            {.batch_size = c.batch, .shuffle = true, .seed = seeds.shuffle});
    // Cosine annealing per step: η(t) = η₀ (1 + cos(π t / T)) / 2 over T = epochs · batches.
    std::unique_ptr<optim::LrScheduler> schedule;
    if (c.schedule == "cosine")
        schedule = std::make_unique<optim::CosineAnnealingLr>(
            *opt, optim::CosineAnnealingLrOptions{.t_max = c.epochs * loader.batches_per_epoch()});
    const std::string config_text = to_json(c).dump(2);

    int64_t first_epoch = 1;
    if (opts.resume) {
        const io::Checkpoint ck = io::load_checkpoint(files.checkpoint);
        const int64_t done = std::stoll(ck.meta("gibbs.epoch"));
        check(done >= 1, files.checkpoint, ": epoch ", done, " is not a finished epoch");
        io::load_module_state(*model, ck.with_prefix("model."), files.checkpoint);
        opt->load_state(ck.with_prefix("optimizer."));
        if (opts.lr) opt->set_lr(*opts.lr);
        if (schedule) schedule->seek(done * loader.batches_per_epoch());
        loader.set_state(
            generator_state_from_text(ck.meta("gibbs.loader_generator"), files.checkpoint));
        first_epoch = done + 1;
        // Keep the metrics of the epochs the checkpoint holds; later lines belong to an epoch
        // that was interrupted before its checkpoint.
        std::string kept;
        if (fs::exists(files.metrics))
            for (const nlohmann::json& r : io::read_metrics(files.metrics))
                if (r.value("epoch", int64_t{0}) <= done) kept += r.dump() + "\n";
        io::write_file_atomic(files.metrics, kept);
    } else {
        io::MetricsLog(files.metrics, {.truncate = true});
    }
    io::write_file_atomic(files.config, config_text + "\n");
    io::MetricsLog metrics(files.metrics);

    std::FILE* log = opts.log;
    if (!opts.quiet && log) {
        std::fprintf(log,
                     "%s %s, %" PRId64 " parameters, on %s: %" PRId64 " train, %" PRId64
                     " validation, %" PRId64 " test; %s lr %g, batch %" PRId64 ", %" PRId64
                     " epochs, %d threads\n",
                     first_epoch > 1 ? "resuming" : "training", describe_model(c).c_str(),
                     model->parameter_count(), c.data.c_str(), d.train.size(), d.validation.size(),
                     d.test.size(), c.optimizer.c_str(), c.lr, c.batch, c.epochs,
                     omp_get_max_threads());
        if (first_epoch > 1)
            std::fprintf(log, "continuing after epoch %" PRId64 "\n", first_epoch - 1);
        std::fflush(log);
    }

    TrainResult result;
    result.epochs = first_epoch - 1;
    const bool classification = c.is_classification();
    model->train();
    for (int64_t epoch = first_epoch; epoch <= c.epochs; ++epoch) {
        const auto epoch_start = Clock::now();
        io::ProgressBar bar(
            loader.examples_per_epoch(),
            {.label = "epoch " + std::to_string(epoch) + "/" + std::to_string(c.epochs),
             .quiet = opts.quiet,
             .draw = opts.progress});
        double loss_sum = 0;
        int64_t seen = 0, step = 0;
        char postfix[48];
        for (const data::Batch& b : loader.epoch()) {
            ++step;
            const Tensor out = (*model)(b.x);
            const Tensor loss =
                classification ? nn::cross_entropy(out, b.labels) : nn::mse_loss(out, b.y);
            const double value = loss.item();
            if (!std::isfinite(value)) {
                bar.finish();
                fail("train: the loss is ", value, " at epoch ", epoch, ", step ", step, " of ",
                     loader.batches_per_epoch(), "; training stopped. ",
                     epoch > 1 ? "The last good checkpoint (epoch " + std::to_string(epoch - 1) +
                                     ") stays in " + files.checkpoint
                               : std::string("No epoch finished, so no checkpoint was saved"),
                     ". A smaller --lr may help.");
            }
            opt->zero_grad();
            loss.backward();
            opt->step();
            if (schedule) schedule->step();
            loss_sum += value * static_cast<double>(b.size());
            seen += b.size();
            if (bar.enabled()) {
                std::snprintf(postfix, sizeof postfix, "loss %.4f", loss_sum / seen);
                bar.set_postfix(postfix);
                bar.advance(b.size());
            }
        }
        bar.finish();
        const double train_seconds = seconds_since(epoch_start);
        const double train_loss = loss_sum / static_cast<double>(std::max<int64_t>(seen, 1));
        result.validation = evaluate(*model, d.validation, c);
        check(all_finite(*model) &&
                  (d.validation.size() == 0 || std::isfinite(result.validation.loss)),
              "train: the parameters are no longer finite after epoch ", epoch, ", step ", step,
              "; training stopped. ",
              epoch > 1 ? "The last good checkpoint (epoch " + std::to_string(epoch - 1) +
                              ") stays in " + files.checkpoint
                        : std::string("No epoch finished, so no checkpoint was saved"),
              ".");
        // The test set is only reported, never used to choose anything.
        if (d.test.size() > 0) result.test = evaluate(*model, d.test, c);
        save_epoch(files, c, config_text, *model, *opt, loader, epoch);
        const double seconds = seconds_since(epoch_start);
        nlohmann::json record = {{"epoch", epoch},
                                 {"train_loss", train_loss},
                                 {"seconds", seconds},
                                 {"train_seconds", train_seconds},
                                 {"samples_per_s", static_cast<double>(seen) / train_seconds},
                                 {"lr", opt->lr()}};
        if (d.test.size() > 0) {
            record["test_loss"] = result.test.loss;
            if (classification) record["test_accuracy"] = result.test.accuracy;
        }
        if (d.validation.size() > 0) {
            record["val_loss"] = result.validation.loss;
            if (classification)
                record["val_accuracy"] = result.validation.accuracy;
            else
                record["val_rms"] = result.validation.rms;
        }
        metrics.write(record);
        result.epochs = epoch;
        if (!opts.quiet && log) {
            std::fprintf(log, "%s\n",
                         epoch_line(epoch, c.epochs, train_loss, result.validation, result.test,
                                    classification, seconds)
                             .c_str());
            std::fflush(log);
        }
    }
    if (first_epoch > c.epochs) {  // resumed a finished run: evaluate what was saved
        if (d.validation.size() > 0) result.validation = evaluate(*model, d.validation, c);
        if (d.test.size() > 0) result.test = evaluate(*model, d.test, c);
    }
    result.seconds = seconds_since(start);
    return result;
}

}  // namespace gibbs::train
