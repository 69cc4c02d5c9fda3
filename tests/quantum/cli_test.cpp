// `gibbs exact` and `gibbs vmc` end to end: JSON energies against the exact references, the
// files of --out, and one clear error (exit 1) for bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/physics/spin_exact.hpp"

namespace {

using Output = gibbs::test::CliOutput;
using gibbs::test::run_cli;

nlohmann::json run_json(const std::string& args) {
    const Output out = run_cli(args);
    EXPECT_EQ(out.status, 0) << out.text;
    return nlohmann::json::parse(out.text);
}

}  // namespace

TEST(QuantumCli, ExactTfimClosedFormAndHeisenbergLanczos) {
    // E₀(tfim, L = 20, h = 1) = −25.490989686; Heisenberg L = 10 equals the library's Lanczos.
    EXPECT_NEAR(run_json("exact --system tfim --L 20 --h 1 --json")["energy"].get<double>(),
                -25.490989686, 1e-8);
    const double heis = gibbs::physics::spin_exact_energy(
        {.model = gibbs::physics::SpinModel::kHeisenberg, .L = 10});
    EXPECT_NEAR(run_json("exact --system heisenberg --L 10 --json")["energy"].get<double>(), heis,
                1e-9);
    // The closed form and Lanczos agree through the command line too (L = 10, h = 0.5).
    EXPECT_NEAR(run_json("exact --L 10 --h 0.5 --json")["energy"].get<double>(),
                run_json("exact --L 10 --h 0.5 --lanczos --json")["energy"].get<double>(), 1e-9);
}

TEST(QuantumCli, VmcTfimReachesExactEnergy) {
    // L = 6, h = 1, α = 1, 150 SR steps: within 2e-3 relative of E₀, with all required keys.
    const auto j = run_json(
        "vmc --system tfim --L 6 --h 1 --alpha 1 --iterations 150 "
        "--samples 400 --seed 3 --json");
    for (const char* key : {"energy", "energy_err", "variance", "exact"})
        EXPECT_TRUE(j.contains(key)) << key;
    const double exact = gibbs::physics::tfim_chain_energy(6, 1.0);
    EXPECT_NEAR(j["exact"].get<double>(), exact, 1e-12);
    EXPECT_NEAR(j["energy"].get<double>(), exact, 2e-3 * std::abs(exact));
}

TEST(QuantumCli, VmcTrapNonInteractingIsExact) {
    // Without interaction the optimum is ψ ∝ exp(−ω Σx²/2): E = N d ω/2 = 3 for N = 2, d = 3,
    // ω = 1, and the variance goes to zero.
    const auto j = run_json(
        "vmc --system trap --particles 2 --dim 3 --omega 1 --alpha 0.5 "
        "--sampler importance --iterations 100 --samples 500 --lr 0.1 --json");
    EXPECT_NEAR(j["exact"].get<double>(), 3.0, 1e-12);
    EXPECT_NEAR(j["energy"].get<double>(), 3.0, 2e-3);
    EXPECT_LT(j["variance"].get<double>(), 1e-2);
}

TEST(QuantumCli, VmcInitFromContinuesAnEarlierRun) {
    // Non-interacting, ω = 1, σ = 0.8 fixed: the optimum moves the softplus terms to supply the
    // missing curvature, far from the start (a, b, W ~ N(0, 0.01²)). Evaluating the trained
    // parameters with --init-from and no iterations must give the trained variance again, and a
    // far lower one than the untrained start's.
    gibbs::testing::TempDir dir;
    const std::string out = (dir.path() / "run").string();
    const std::string base =
        "vmc --system trap --particles 1 --dim 2 --hidden 8 --sigma 0.8 "
        "--sampler importance --samples 500 --json ";
    const auto trained = run_json(base + "--iterations 60 --lr 0.1 --out " + out);
    const auto start = run_json(base + "--iterations 0");
    const auto resumed =
        run_json(base + "--iterations 0 --init-from " + out + "/parameters.safetensors");
    EXPECT_LT(trained["variance"].get<double>(), 0.5 * start["variance"].get<double>());
    EXPECT_LT(resumed["variance"].get<double>(), 0.5 * start["variance"].get<double>());
    EXPECT_NEAR(resumed["energy"].get<double>(), trained["energy"].get<double>(),
                4 * (resumed["energy_err"].get<double>() + trained["energy_err"].get<double>()));
    const Output bad = run_cli("vmc --system trap --hidden 9 --iterations 0 --init-from " + out +
                               "/parameters.safetensors");
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.text.find("--init-from"), std::string::npos) << bad.text;
}

TEST(QuantumCli, VmcOutWritesConfigMetricsAndParameters) {
    gibbs::testing::TempDir dir;
    const std::string out = (dir.path() / "run").string();
    const Output o =
        run_cli("vmc --system heisenberg --L 4 --iterations 7 --samples 100 --out " + out);
    ASSERT_EQ(o.status, 0) << o.text;
    EXPECT_NE(o.text.find("exact"), std::string::npos);
    std::ifstream metrics(out + "/metrics.jsonl");
    int lines = 0;
    for (std::string line; std::getline(metrics, line); ++lines)
        EXPECT_TRUE(nlohmann::json::parse(line).contains("energy"));
    EXPECT_EQ(lines, 7);
    const auto params = gibbs::io::read_safetensors(out + "/parameters.safetensors");
    const auto* p = params.find("parameters");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->numel(), 4 + 4 + 16);  // a (N), b (M = αN), W (N×M)
    std::ifstream result(out + "/result.json");
    EXPECT_TRUE(nlohmann::json::parse(result).contains("energy_err"));
}

TEST(QuantumCli, BadInputGivesOneClearError) {
    for (const char* args :
         {"vmc --system ising", "vmc --system heisenberg --L 5",
          "vmc --system trap --sampler gibbs", "vmc --system tfim --samples 2",
          "vmc --system trap --dim 1 --interacting", "vmc --system tfim --optimizer lbfgs",
          "exact --system xy", "exact --system heisenberg --L 40",
          "vmc --system trap --interacting --init orthogonal",
          "vmc --system trap --interacting --init pairs --sigma 1",
          "vmc --system trap --train-sigma --sigma 0.7 --sigma-max 0.6",
          "vmc --system trap --shift-decay 1.5", "vmc --system tfim --max-step -1"}) {
        const Output o = run_cli(args);
        EXPECT_EQ(o.status, 1) << args;
        EXPECT_EQ(o.text.rfind("gibbs: error: ", 0), 0u) << args << ": " << o.text;
    }
}
