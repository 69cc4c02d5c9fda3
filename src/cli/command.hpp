// Each `gibbs` subcommand lives in its own file and registers itself here with
// GIBBS_COMMAND(name) { ... }, so adding a subcommand touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace gibbs::cli {

using CommandSetup = std::function<void(CLI::App& app)>;

inline std::vector<CommandSetup>& command_registry() {
    static std::vector<CommandSetup> registry;
    return registry;
}

struct CommandRegistrar {
    explicit CommandRegistrar(CommandSetup setup) {
        command_registry().push_back(std::move(setup));
    }
};

}  // namespace gibbs::cli

// Defines `void setup_NAME(CLI::App& app)` and registers it; inside, add a subcommand to `app`.
#define GIBBS_COMMAND(name)                                                      \
    static void setup_##name(CLI::App& app);                                     \
    static const ::gibbs::cli::CommandRegistrar registrar_##name{&setup_##name}; \
    static void setup_##name(CLI::App& app)
