// `gibbs reference [--out FILE] [--rebuild]`: builds (when missing) or verifies the reference
// classifier whose features give the Fréchet distances of `gibbs eval` on Fashion-MNIST
// (gibbs/gen/frechet.hpp), and prints its accuracy, checksum and path.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/train/config.hpp"

namespace {

struct ReferenceCliOptions {
    std::string out;
    gibbs::gen::ReferenceSettings settings;
    std::string channels = "16,32";
    bool rebuild = false;
    bool json = false;
};

void run_reference(const ReferenceCliOptions& o) {
    using namespace gibbs;
    const std::string path = o.out.empty() ? gen::reference_path() : o.out;
    gen::ReferenceSettings settings = o.settings;
    settings.channels = train::parse_sizes(o.channels, "--channels");
    check(!o.out.empty() || settings == gen::ReferenceSettings{},
          "reference: a classifier with other settings than the reference's needs its own --out "
          "FILE (the cached ",
          gen::kReferenceVersion, " has fixed settings)");
    if (o.rebuild && std::filesystem::exists(path)) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        check(!ec, "reference --rebuild: cannot remove ", path, ": ", ec.message());
    }
    const gen::ReferenceClassifier r = gen::load_or_build_reference(settings, path, stderr);
    if (o.json) {
        const nlohmann::json j = {{"path", path},
                                  {"version", gen::kReferenceVersion},
                                  {"settings", gen::describe(r.settings())},
                                  {"test_accuracy", r.test_accuracy()},
                                  {"build_seconds", r.build_seconds()},
                                  {"checksum", r.checksum()}};
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("%s\n", r.describe().c_str());
    std::printf("  built in %.1f s (one thread), checksum %s verified\n", r.build_seconds(),
                r.checksum().c_str());
    std::printf("  %s\n", path.c_str());
}

}  // namespace

GIBBS_COMMAND(reference) {
    auto o = std::make_shared<ReferenceCliOptions>();
    auto* sub = app.add_subcommand(
        "reference", "Build or verify the Fashion-MNIST reference classifier of Frechet distances");
    sub->add_option("--out", o->out,
                    "The file to build or verify (default: $GIBBS_CACHE_DIR, $XDG_CACHE_HOME/gibbs "
                    "or ~/.cache/gibbs, then reference-fmnist-v1.safetensors)");
    sub->add_flag("--rebuild", o->rebuild, "Delete the file first and build it again");
    sub->add_flag("--json", o->json, "Print one JSON object");
    // Other settings, for experiments (with --out): the defaults are the reference's.
    auto& s = o->settings;
    sub->add_option("--channels", o->channels, "Experiments: output channels of the conv blocks")
        ->capture_default_str();
    sub->add_option("--features", s.features, "Experiments: width of the feature layer")
        ->capture_default_str();
    sub->add_option("--epochs", s.epochs, "Experiments: passes over the training data")
        ->capture_default_str();
    sub->add_option("--batch", s.batch, "Experiments: minibatch size")->capture_default_str();
    sub->add_option("--lr", s.lr, "Experiments: Adam's peak learning rate (cosine schedule)")
        ->capture_default_str();
    sub->add_option("--seed", s.seed, "Experiments: random seed")->capture_default_str();
    sub->add_option("--limit", s.train_examples,
                    "Experiments: use the first N training images (0: all)")
        ->capture_default_str();
    sub->callback([o] { run_reference(*o); });
}
