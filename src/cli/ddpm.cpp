// `gibbs train ddpm`: trains a denoising diffusion model (gibbs/diffusion/ddpm.hpp) into a run
// folder; `gibbs sample` and `gibbs eval` read its model.safetensors through GIBBS_GENERATIVE.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/generative.hpp"
#include "gibbs/diffusion/ddpm.hpp"
#include "gibbs/tensor/error.hpp"

namespace {

struct DdpmCliOptions {
    std::string data, schedule = "linear", denoiser = "mlp", hidden = "128,128,128",
                      channels = "32,64", resume, out;
    int64_t T = 1000, embedding = 16, epochs = 10, batch = 256, train_size = 100000, limit = 0;
    double lr = 1e-3, ema = 0.999;
    uint64_t seed = 0;
    int threads = 0;
    bool quiet = false;
};

constexpr const char* kResumeOptions[] = {"--resume", "--out", "--epochs", "--threads", "--quiet"};

void run_train_ddpm(const DdpmCliOptions& o, const CLI::App& sub) {
    using namespace gibbs;
    std::optional<gen::GenerativeRun> run;
    if (!o.resume.empty()) {
        cli::check_resume_options(sub, kResumeOptions, "train ddpm", o.resume, o.out);
        run.emplace(gen::GenerativeRun::resume(o.resume));
        check(run->config().value("model", "") == "ddpm", "train ddpm: the run in ", o.resume,
              " trains a ", run->config().value("model", "?"), ", not a ddpm");
        nlohmann::json changes = nlohmann::json::object();
        if (sub.get_option("--epochs")->count()) {
            check(o.epochs >= 1, "train ddpm: --epochs must be positive, got ", o.epochs);
            changes["epochs"] = o.epochs;
        }
        if (sub.get_option("--threads")->count()) changes["threads"] = o.threads;
        run->update_config(changes);
    } else {
        check(!o.out.empty(), "train ddpm: give the run folder with --out DIR");
        check(!o.data.empty(), "train ddpm: give --data (a toy name or fashion-mnist)");
        check(o.threads >= 0, "train ddpm: --threads must not be negative, got ", o.threads);
        nlohmann::json c = {{"data", o.data},
                            {"schedule", o.schedule},
                            {"T", o.T},
                            {"denoiser", o.denoiser},
                            {"embedding", o.embedding},
                            {"hidden", cli::parse_layer_sizes(o.hidden, "--hidden")},
                            {"channels", cli::parse_layer_sizes(o.channels, "--channels")},
                            {"epochs", o.epochs},
                            {"batch", o.batch},
                            {"lr", o.lr},
                            {"ema", o.ema},
                            {"train_size", o.train_size},
                            {"limit", o.limit},
                            {"seed", o.seed},
                            {"threads", o.threads}};
        c = diffusion::complete_config(c);
        // Fails now, before a folder is created, for a denoiser this build lacks.
        Generator probe(0);
        (void)diffusion::make_denoiser(c, probe);
        run.emplace(gen::GenerativeRun::create(o.out, c));
    }
    if (run->epoch() >= run->config().at("epochs").get<int64_t>()) {
        std::printf("%s: already trained for %lld epochs; raise --epochs to continue\n",
                    run->dir().c_str(), static_cast<long long>(run->epoch()));
        return;
    }
    const diffusion::DdpmTrainResult r = diffusion::train_ddpm(*run, o.quiet);
    std::printf("trained %lld epochs, loss %.5f, %.1f s\n", static_cast<long long>(r.epochs),
                r.loss, r.seconds);
    if (!o.quiet) std::printf("saved %s\n", run->path("model.safetensors").c_str());
}

}  // namespace

GIBBS_GENERATIVE("ddpm",
                 [](const gibbs::io::Checkpoint& checkpoint)
                     -> std::unique_ptr<gibbs::gen::GenerativeModel> {
                     return gibbs::diffusion::DdpmModel::load(checkpoint);
                 });

GIBBS_COMMAND(train_ddpm) {
    auto o = std::make_shared<DdpmCliOptions>();
    auto* sub = app.add_subcommand(
        "train-ddpm", "gibbs train ddpm: a denoising diffusion model on a toy density or images");
    sub->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    sub->add_option("--data", o->data, "A toy density (moons, swiss-roll, ...) or fashion-mnist");
    sub->add_option("--schedule", o->schedule, "Noise schedule: linear or cosine")
        ->capture_default_str();
    sub->add_option("--steps", o->T, "Diffusion steps T")->capture_default_str();
    sub->add_option("--denoiser", o->denoiser, "mlp or unet")->capture_default_str();
    sub->add_option("--embedding", o->embedding, "Dimension of the sinusoidal time embedding")
        ->capture_default_str();
    sub->add_option("--hidden", o->hidden, "MLP denoiser: hidden widths")->capture_default_str();
    sub->add_option("--channels", o->channels, "U-Net denoiser: channels per level")
        ->capture_default_str();
    sub->add_option("--epochs", o->epochs, "Passes over the training set")->capture_default_str();
    sub->add_option("--batch", o->batch, "Minibatch size")->capture_default_str();
    sub->add_option("--lr", o->lr, "Adam's learning rate")->capture_default_str();
    sub->add_option("--ema", o->ema, "Decay of the weights' moving average (0.9999 for images)")
        ->capture_default_str();
    sub->add_option("--train-size", o->train_size, "Toys: number of training draws")
        ->capture_default_str();
    sub->add_option("--limit", o->limit, "Images: use the first N training images (0: all)")
        ->capture_default_str();
    sub->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    sub->add_option("--threads", o->threads, "Threads (0: all); results repeat for a fixed count")
        ->capture_default_str();
    sub->add_flag("--quiet", o->quiet, "No progress bar or per-epoch lines");
    sub->add_option("--resume", o->resume, "Continue the run saved in this folder");
    sub->add_option("--out", o->out, "Run folder to create");
    sub->callback([o, sub] { run_train_ddpm(*o, *sub); });
}
