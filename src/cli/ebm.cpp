// `gibbs train ebm`: trains an energy-based model (gibbs/ebm/train.hpp) into a run folder, and
// registers the "ebm" kind for `gibbs sample` and `gibbs eval`.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/generative.hpp"
#include "gibbs/ebm/train.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/train/config.hpp"

namespace {

using gibbs::ebm::EbmConfig;

struct EbmCliOptions {
    EbmConfig given;  // the values of the options given; the rest come from EbmConfig::defaults
    std::string hidden, channels, resume, out;
    bool quiet = false;
};

// With --resume the run's config.json fixes everything but these.
constexpr const char* kResumeOptions[] = {"--resume", "--out",     "--epochs",
                                          "--lr",     "--threads", "--quiet"};

bool given(const CLI::App& sub, const char* name) { return sub.get_option(name)->count() > 0; }

void run_train_ebm(const EbmCliOptions& o, const CLI::App& sub) {
    using namespace gibbs;
    const EbmConfig& g = o.given;
    std::optional<gen::GenerativeRun> run;
    if (!o.resume.empty()) {
        cli::check_resume_options(sub, kResumeOptions, "train ebm", o.resume, o.out);
        run.emplace(gen::GenerativeRun::resume(o.resume));
        check(run->config().value("model", std::string()) == "ebm", "train ebm: the run in ",
              o.resume, " is not an EBM run");
        nlohmann::json changes = nlohmann::json::object();
        if (given(sub, "--epochs")) changes["epochs"] = g.epochs;
        if (given(sub, "--lr")) changes["lr"] = g.lr;
        if (given(sub, "--threads")) changes["threads"] = g.threads;
        if (!changes.empty()) {
            nlohmann::json merged = run->config();
            merged.update(changes);
            EbmConfig::from_json(merged, "train ebm").validate();
            run->update_config(changes);
        }
    } else {
        check(given(sub, "--data"), "train ebm: name the data with --data (fashion-mnist or ",
              "a toy density: eight-gaussians, moons, swiss-roll, checkerboard)");
        check(!o.out.empty(), "train ebm: give the run folder with --out DIR");
        gen::check_data_name(g.data);
        EbmConfig c = EbmConfig::defaults(g.data);
        // clang-format off
        if (given(sub, "--epochs")) c.epochs = g.epochs;
        if (given(sub, "--batch")) c.batch = g.batch;
        if (given(sub, "--lr")) c.lr = g.lr;
        if (given(sub, "--hidden")) c.hidden = train::parse_sizes(o.hidden, "--hidden");
        if (given(sub, "--channels")) c.channels = train::parse_sizes(o.channels, "--channels");
        if (given(sub, "--langevin-steps")) c.langevin_steps = g.langevin_steps;
        if (given(sub, "--step-size")) c.step_size = g.step_size;
        if (given(sub, "--noise")) c.noise = g.noise;
        if (given(sub, "--grad-clip")) c.grad_clip = g.grad_clip;
        if (given(sub, "--buffer")) c.buffer = g.buffer;
        if (given(sub, "--reinit")) c.reinit = g.reinit;
        if (given(sub, "--alpha")) c.alpha = g.alpha;
        if (given(sub, "--train-size")) c.train_size = g.train_size;
        if (given(sub, "--sample-steps")) c.sample_steps = g.sample_steps;
        if (given(sub, "--sampler")) c.sampler = g.sampler;
        if (given(sub, "--lr-decay")) c.lr_decay = g.lr_decay;
        if (given(sub, "--lr-min")) c.lr_min = g.lr_min;
        if (given(sub, "--sample-sampler")) c.sample_sampler = g.sample_sampler;
        if (given(sub, "--sample-step-size")) c.sample_step_size = g.sample_step_size;
        if (given(sub, "--sample-init")) c.sample_init = g.sample_init;
        if (given(sub, "--seed")) c.seed = g.seed;
        if (given(sub, "--threads")) c.threads = g.threads;
        // clang-format on
        c.validate();
        run.emplace(gen::GenerativeRun::create(o.out, c.to_json()));
    }
    const ebm::EbmTrainResult r = ebm::train_ebm(*run, o.quiet);
    std::printf("trained %lld epochs in %.1f s: loss %.4f, E(x+) %.4f, E(x-) %.4f\n",
                static_cast<long long>(r.epochs), r.seconds, r.last.loss, r.last.e_pos,
                r.last.e_neg);
    if (!o.quiet) std::printf("saved %s\n", run->path("model.safetensors").c_str());
}

}  // namespace

GIBBS_COMMAND(train_ebm) {
    auto o = std::make_shared<EbmCliOptions>();
    auto* sub = app.add_subcommand(
        "train-ebm", "Train an energy-based model with Langevin negatives (gibbs train ebm ...)");
    sub->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    EbmConfig& g = o->given;
    sub->add_option("--data", g.data,
                    "fashion-mnist, eight-gaussians, moons, swiss-roll or checkerboard");
    sub->add_option("--epochs", g.epochs, "Epochs (toys: 10, images: 1)");
    sub->add_option("--batch", g.batch, "Minibatch and number of negative chains (128 / 32)");
    sub->add_option("--lr", g.lr, "Adam learning rate (1e-2 / 5e-4)");
    sub->add_option("--hidden", o->hidden, "MLP widths for 2-D data (128,128)");
    sub->add_option("--channels", o->channels, "CNN channels c1,c2,c3 for images (16,32,32)");
    sub->add_option("--langevin-steps", g.langevin_steps,
                    "Langevin steps per training step (40 / 10)");
    sub->add_option("--step-size", g.step_size, "Langevin step size eps (0.003 / 20)");
    sub->add_option("--noise", g.noise, "Langevin noise scale sigma (1 / 0.001)");
    sub->add_option("--grad-clip", g.grad_clip, "Clip dE/dx elementwise to [-c, c] (0 / 0.01)");
    sub->add_option("--buffer", g.buffer, "Replay buffer size (2000 / 10000)");
    sub->add_option("--reinit", g.reinit, "Fraction of chains restarted from noise (0.05)");
    sub->add_option("--alpha", g.alpha, "Weight of the energy regularizer (0.01 / 1)");
    sub->add_option("--train-size", g.train_size,
                    "Toys: fresh points per epoch (50000); images: first N (0: all)");
    sub->add_option("--sample-steps", g.sample_steps,
                    "Langevin steps of `gibbs sample`/`eval` (40 / 200)");
    sub->add_option("--sampler", g.sampler, "Training negatives: ula or mala (ula)");
    sub->add_option("--lr-decay", g.lr_decay,
                    "Learning-rate schedule: cosine or none (cosine / none)");
    sub->add_option("--lr-min", g.lr_min, "Final learning rate of the cosine schedule (0)");
    sub->add_option("--sample-sampler", g.sample_sampler,
                    "Sampler of `gibbs sample`/`eval`: ula or mala (ula)");
    sub->add_option("--sample-step-size", g.sample_step_size,
                    "Step size of `gibbs sample`/`eval` (0: --step-size)");
    sub->add_option(
        "--sample-init", g.sample_init,
        "Chains of `gibbs sample`/`eval` start from the replay buffer or noise (buffer / noise)");
    sub->add_option("--seed", g.seed, "Random seed (0)");
    sub->add_option("--threads", g.threads, "Threads (0: all); results repeat for a fixed count");
    sub->add_flag("--quiet", o->quiet, "No progress bar or per-epoch lines");
    sub->add_option("--resume", o->resume, "Continue the run saved in this folder");
    sub->add_option("--out", o->out, "Run folder to create");
    sub->callback([o, sub] { run_train_ebm(*o, *sub); });
}

GIBBS_GENERATIVE("ebm",
                 [](const gibbs::io::Checkpoint& checkpoint)
                     -> std::unique_ptr<gibbs::gen::GenerativeModel> {
                     return gibbs::ebm::EbmModel::load(checkpoint);
                 });
