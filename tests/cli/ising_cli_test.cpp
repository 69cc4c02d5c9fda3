// `gibbs ising` end to end: the JSON output against the exact finite-lattice values, the
// safetensors file of configurations, and one clear error (exit 1) for bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "common/run_cli.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/physics/ising_exact.hpp"

namespace {

using Output = gibbs::test::CliOutput;
using gibbs::test::run_cli;

int count_lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

TEST(IsingCli, JsonMatchesExactWithinThreeErrors) {
    // L = 4 at T_c: <e> and C against Kaufman, <|m|> and χ against enumeration.
    const double T = gibbs::physics::kIsingCriticalTemperature;
    const Output out = run_cli("ising --L 4 --T 2.269185314213022 --sweeps 20000 --seed 3 --json");
    ASSERT_EQ(out.status, 0) << out.text;
    const nlohmann::json j = nlohmann::json::parse(out.text);
    const auto exact = gibbs::physics::ising_exact(4, T);
    const auto en = gibbs::physics::ising_enumerate(4, T);
    EXPECT_NEAR(j.at("exact_energy_per_spin").get<double>(), exact.energy_per_spin, 1e-12);
    EXPECT_NEAR(j.at("energy_per_spin").get<double>(), exact.energy_per_spin,
                3 * j.at("energy_err").get<double>());
    EXPECT_NEAR(j.at("abs_magnetization").get<double>(), en.abs_magnetization,
                3 * j.at("abs_magnetization_err").get<double>());
    EXPECT_NEAR(j.at("specific_heat").get<double>(), exact.specific_heat,
                3 * j.at("specific_heat_err").get<double>());
    EXPECT_NEAR(j.at("susceptibility").get<double>(), en.susceptibility,
                3 * j.at("susceptibility_err").get<double>());
    EXPECT_GT(j.at("energy_err").get<double>(), 0.0);
}

TEST(IsingCli, OutWritesConfigurationsAsSafetensors) {
    const std::string path = std::string(GIBBS_BINARY_DIR) + "/ising_cli_test.safetensors";
    std::remove(path.c_str());
    const Output out = run_cli(
        "ising --L 5 --T 3 --sampler metropolis --sweeps 40 --save-every 4 "
        "--seed 1 --json --out " +
        path);
    ASSERT_EQ(out.status, 0) << out.text;
    const gibbs::io::SafetensorsFile f = gibbs::io::read_safetensors(path);
    EXPECT_EQ(f.metadata.at("model"), "ising");
    EXPECT_EQ(f.metadata.at("L"), "5");
    EXPECT_EQ(std::stod(f.metadata.at("T")), 3.0);
    const gibbs::io::RawTensor* c = f.find("configurations");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->dtype, "U8");
    EXPECT_EQ(c->shape, (std::vector<int64_t>{10, 25}));
    const std::vector<uint8_t> v = gibbs::io::raw_tensor_values<uint8_t>(*c);
    const std::vector<double> m =
        gibbs::io::raw_tensor_values<double>(*f.find("abs_magnetization"));
    ASSERT_EQ(m.size(), 10u);
    for (std::size_t k = 0; k < 10; ++k) {
        int sum = 0;
        for (std::size_t i = 0; i < 25; ++i) {
            ASSERT_LE(v[k * 25 + i], 1);
            sum += 2 * v[k * 25 + i] - 1;
        }
        EXPECT_DOUBLE_EQ(std::abs(sum) / 25.0, m[k]);  // each row is the measured configuration
    }
    std::remove(path.c_str());
}

TEST(IsingCli, BadInputGivesOneErrorAndExitOne) {
    for (const std::string& args :
         {std::string("ising --L 1 --T 2"), std::string("ising --L 8 --T 0"),
          std::string("ising --L 8 --T -1.5"), std::string("ising --L 8 --T 2 --sampler gibbs")}) {
        const Output out = run_cli(args);
        EXPECT_EQ(out.status, 1) << args << ": " << out.text;
        EXPECT_EQ(count_lines(out.text), 1) << args << ": " << out.text;
        EXPECT_EQ(out.text.rfind("gibbs: error: ising: --", 0), 0u) << args << ": " << out.text;
    }
}
