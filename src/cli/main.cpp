// The `gibbs` command: parses the command line with CLI11 and runs one subcommand.
// Every gibbs::Error becomes one line on stderr and exit status 1; nothing is half-written.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "gibbs/tensor/error.hpp"

namespace {
// `gibbs train rbm|dbn|ebm|vae|gan|ddpm ...` and `gibbs eval --logz ...` take options of their
// own, so they are the subcommands train-rbm, ..., eval-rbm under the names the user types.
bool has_own_train_command(const std::string& model) {
    for (const char* m : {"rbm", "dbn", "ebm", "vae", "gan", "ddpm"})
        if (model == m) return true;
    return false;
}

std::vector<std::string> route(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() >= 2 && args[0] == "train" && has_own_train_command(args[1])) {
        args[0] = "train-" + args[1];
        args.erase(args.begin() + 1);
    } else if (!args.empty() && args[0] == "eval") {
        for (const std::string& a : args)
            if (a == "--logz" || a.rfind("--logz=", 0) == 0) args[0] = "eval-rbm";
    }
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments in reverse order
    return args;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "gibbs: discriminative and generative deep learning you can check against exact results"};
    app.set_version_flag("--version", std::string("gibbs ") + GIBBS_VERSION);
    app.require_subcommand(0, 1);
    for (const auto& setup : gibbs::cli::command_registry()) setup(app);
    try {
        // Subcommands do their work in their CLI11 callbacks, which run inside parse().
        std::vector<std::string> args = route(argc, argv);
        app.parse(args);
        if (app.get_subcommands().empty()) std::fputs(app.help().c_str(), stdout);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; a bad command line exits 1 like every other error.
        return app.exit(e) == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gibbs: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
