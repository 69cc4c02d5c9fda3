// `gibbs train gan ...` (the subcommand train-gan) and the "gan" kind of `gibbs sample` and
// `gibbs eval`. The work is in gibbs/gan/train.hpp.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/generative.hpp"
#include "gibbs/gan/train.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/train/config.hpp"

namespace {

struct GanCliOptions {
    gibbs::gan::GanConfig config;
    std::string hidden;    // empty: the data's default
    std::string channels;  // empty: 32,64
    std::string resume;
    std::string out;
    bool quiet = false;
};

// With --resume the run's config.json fixes everything but these.
constexpr const char* kResumeOptions[] = {"--resume", "--out", "--epochs", "--threads", "--quiet"};

void run_train_gan(const GanCliOptions& o, const CLI::App& sub) {
    using namespace gibbs;
    gan::TrainOptions opts{.out = o.out, .quiet = o.quiet};
    gan::GanConfig c = o.config;
    if (!o.resume.empty()) {
        cli::check_resume_options(sub, kResumeOptions, "train gan", o.resume, o.out);
        opts.out = o.resume;
        opts.resume = true;
        if (sub.get_option("--epochs")->count()) opts.epochs = c.epochs;
        if (sub.get_option("--threads")->count()) opts.threads = c.threads;
    } else {
        check(!o.out.empty(), "train gan: give the run folder with --out DIR");
        if (!o.hidden.empty()) c.hidden = train::parse_sizes(o.hidden, "--hidden");
        if (!o.channels.empty()) c.channels = train::parse_sizes(o.channels, "--channels");
    }
    const gan::TrainResult r = gan::train(c, opts);
    if (!o.quiet)
        std::printf("trained %lld epochs in %.1f s; saved %s/model.safetensors\n",
                    static_cast<long long>(r.epochs), r.seconds, opts.out.c_str());
}

}  // namespace

GIBBS_GENERATIVE("gan",
                 [](const gibbs::io::Checkpoint& checkpoint)
                     -> std::unique_ptr<gibbs::gen::GenerativeModel> {
                     return gibbs::gan::GanModel::load(checkpoint);
                 });

GIBBS_COMMAND(train_gan) {
    auto o = std::make_shared<GanCliOptions>();
    auto* sub = app.add_subcommand(
        "train-gan",
        "gibbs train gan: a generative adversarial network on a 2-D toy or fashion-mnist");
    sub->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto& c = o->config;
    sub->add_option("--data", c.data,
                    "eight-gaussians, moons, swiss-roll, checkerboard or fashion-mnist")
        ->capture_default_str();
    sub->add_option("--arch", c.arch, "mlp, or dcgan (convolutional, fashion-mnist)")
        ->capture_default_str();
    sub->add_option("--latent", c.latent, "Dimension of z (default: 8 for toys, 64 for images)");
    sub->add_option(
        "--hidden", o->hidden,
        "mlp: hidden widths of G and D (default: 128,128 for toys, 256,512 for images)");
    sub->add_option("--channels", o->channels, "dcgan: channels c1,c2 (default: 32,64)");
    sub->add_option("--epochs", c.epochs, "Passes over the training data")->capture_default_str();
    sub->add_option("--batch", c.batch, "Minibatch size")->capture_default_str();
    sub->add_option("--lr", c.lr, "Adam learning rate of G and D")->capture_default_str();
    sub->add_option("--schedule", c.schedule,
                    "Learning rate: constant, or cosine (annealed per step from --lr to 0)")
        ->capture_default_str();
    sub->add_option("--beta1", c.beta1, "Adam beta1")->capture_default_str();
    sub->add_option("--beta2", c.beta2, "Adam beta2")->capture_default_str();
    sub->add_option("--label-smoothing", c.label_smoothing,
                    "One-sided: the real target of D is 1 minus this")
        ->capture_default_str();
    sub->add_option("--d-steps", c.d_steps, "Discriminator updates per generator update")
        ->capture_default_str();
    sub->add_option("--train-size", c.train_size, "Toys: fresh data points drawn per epoch")
        ->capture_default_str();
    sub->add_option("--limit", c.limit, "fashion-mnist: first N training images (0: all)")
        ->capture_default_str();
    sub->add_option("--seed", c.seed, "Random seed (initialization, data, z)")
        ->capture_default_str();
    sub->add_option("--threads", c.threads, "Threads (0: all); results repeat for a fixed count")
        ->capture_default_str();
    sub->add_flag("--quiet", o->quiet, "No progress bar or per-epoch lines");
    sub->add_option("--resume", o->resume, "Continue the run saved in this folder");
    sub->add_option("--out", o->out, "Run folder to create");
    sub->callback([o, sub] { run_train_gan(*o, *sub); });
}
