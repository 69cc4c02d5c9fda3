// `gibbs train vae`: trains a variational autoencoder into a run folder (gibbs/vae/train.hpp);
// `gibbs sample` and `gibbs eval` load the result through the "vae" generative kind.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/generative.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/vae/train.hpp"

namespace {

using gibbs::check;

GIBBS_GENERATIVE("vae", [](const gibbs::io::Checkpoint& checkpoint) {
    return std::unique_ptr<gibbs::gen::GenerativeModel>(gibbs::vae::load_vae(checkpoint));
});

struct VaeCliOptions {
    gibbs::vae::VaeTrainConfig config;
    std::string hidden = "400";
    std::string channels = "32,64";
    std::string resume;
    std::string out;
    bool quiet = false;
};

// With --resume the run's config.json fixes everything but these.
constexpr const char* kResumeOptions[] = {"--resume", "--out",     "--epochs",
                                          "--lr",     "--threads", "--quiet"};

void run_train_vae(const VaeCliOptions& o, const CLI::App& sub) {
    using namespace gibbs;
    vae::VaeTrainOptions opts{.out = o.out, .quiet = o.quiet};
    vae::VaeTrainResult r;
    if (!o.resume.empty()) {
        cli::check_resume_options(sub, kResumeOptions, "train vae", o.resume, o.out);
        nlohmann::json changes = nlohmann::json::object();
        if (sub.get_option("--epochs")->count()) changes["epochs"] = o.config.epochs;
        if (sub.get_option("--threads")->count()) changes["threads"] = o.config.threads;
        if (sub.get_option("--lr")->count()) {
            check(o.config.lr > 0, "train vae: --lr must be a positive number, got ", o.config.lr);
            changes["lr"] = o.config.lr;
        }
        opts.out = o.resume;
        r = vae::resume_vae(o.resume, changes, opts);
    } else {
        check(!o.out.empty(), "train vae: give the run folder with --out DIR");
        vae::VaeTrainConfig c = o.config;
        c.hidden = cli::parse_layer_sizes(o.hidden, "--hidden");
        c.channels = cli::parse_layer_sizes(o.channels, "--channels");
        r = vae::train_vae(c, opts);
    }
    std::printf("test ELBO %.3f nats after %lld epochs, %.1f s\n", r.test_elbo,
                static_cast<long long>(r.epochs), r.seconds);
    if (!o.quiet) std::printf("saved %s/model.safetensors\n", opts.out.c_str());
}

}  // namespace

GIBBS_COMMAND(train_vae) {
    auto o = std::make_shared<VaeCliOptions>();
    auto* sub = app.add_subcommand(
        "train-vae", "gibbs train vae: train a variational autoencoder and save a run folder");
    sub->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto& c = o->config;
    sub->add_option("--data", c.data, "fashion-mnist, or a toy: eight-gaussians, moons, ...")
        ->capture_default_str();
    sub->add_option("--arch", c.arch, "mlp, or conv (stride-2 convolutions, images only)")
        ->capture_default_str();
    sub->add_option("--hidden", o->hidden, "Hidden widths of the MLP (conv: the dense width)")
        ->capture_default_str();
    sub->add_option("--channels", o->channels, "conv: channels of the two stride-2 convolutions")
        ->capture_default_str();
    sub->add_option("--latent", c.latent, "Dimension of z")->capture_default_str();
    sub->add_option("--decoder", c.decoder,
                    "bernoulli (default for images) or gaussian (default for toys)");
    sub->add_option("--sigma", c.sigma,
                    "Gaussian decoder: fixed standard deviation, or 0 to learn one per dimension")
        ->capture_default_str();
    sub->add_option("--beta", c.beta, "Weight of the KL term in the loss")->capture_default_str();
    sub->add_flag("--conditional", c.conditional,
                  "Class-conditional VAE: q(z|x, y) and p(x|z, y) with the data's labels y "
                  "(fashion-mnist)");
    sub->add_option("--binarize", c.binarize,
                    "none, dynamic (x ~ Bernoulli(pixels) every batch) or fixed (drawn once)")
        ->capture_default_str();
    sub->add_option("--epochs", c.epochs, "Passes over the training data")->capture_default_str();
    sub->add_option("--batch", c.batch, "Minibatch size")->capture_default_str();
    sub->add_option("--lr", c.lr, "Adam's learning rate")->capture_default_str();
    sub->add_option("--seed", c.seed, "Random seed")->capture_default_str();
    sub->add_option("--threads", c.threads, "Threads (0: all); results repeat for a fixed count")
        ->capture_default_str();
    sub->add_option("--limit", c.limit, "fashion-mnist: the first N training images (0: all)")
        ->capture_default_str();
    sub->add_option("--test-limit", c.test_limit, "fashion-mnist: the first N test images (0: all)")
        ->capture_default_str();
    sub->add_option("--train-size", c.train_size, "Toys: training points drawn")
        ->capture_default_str();
    sub->add_option("--iw-samples", c.iw_samples,
                    "After the last epoch: test log p(x) by importance weighting with k samples "
                    "(0: skip)")
        ->capture_default_str();
    sub->add_flag("--quiet", o->quiet, "No progress bar or per-epoch lines");
    sub->add_option("--resume", o->resume, "Continue the run saved in this folder");
    sub->add_option("--out", o->out, "Run folder to create");
    sub->callback([o, sub] { run_train_vae(*o, *sub); });
}
