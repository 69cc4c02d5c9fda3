// The `gibbs` command: parses the command line with CLI11 and runs one subcommand.
// Every gibbs::Error becomes one line on stderr and exit status 1; nothing is half-written.
#include <cstdio>
#include <exception>

#include "cli/command.hpp"
#include "gibbs/tensor/error.hpp"

int main(int argc, char** argv) {
    CLI::App app{"gibbs: discriminative and generative deep learning you can check against exact results"};
    app.set_version_flag("--version", std::string("gibbs ") + GIBBS_VERSION);
    app.require_subcommand(0, 1);
    for (const auto& setup : gibbs::cli::command_registry()) setup(app);
    try {
        // Subcommands do their work in their CLI11 callbacks, which run inside parse().
        app.parse(argc, argv);
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
