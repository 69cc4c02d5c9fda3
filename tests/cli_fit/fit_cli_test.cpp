// `gibbs fit` end to end through the executable ($GIBBS_CLI): the JSON output for an exactly
// linear table, and one message with exit status 1 for each kind of bad input.
#include <gtest/gtest.h>

#include "common/run_cli.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct CliResult {
    int status;
    std::string out;  // stdout and stderr together
};

CliResult run(const std::string& args) {
    const auto r = gibbs::test::run_cli(args);
    return {r.status, r.text};
}

std::string write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("gibbs_fit_" + name);
    std::ofstream(path) << text;
    return path.string();
}

// y = 1 + 2a − 3b exactly, on a 4×4 grid.
std::string linear_table() {
    std::string t = "a,b,y\n";
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            t += std::to_string(i) + "," + std::to_string(j * j) + "," +
                 std::to_string(1 + 2 * i - 3 * j * j) + "\n";
    return write("linear.csv", t);
}

TEST(FitCli, OlsJsonRecoversExactCoefficients) {
    const CliResult r = run("fit ols --data " + linear_table() + " --target y --json");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["model"], "ols");
    EXPECT_NEAR(j["intercept"].get<double>(), 1.0, 1e-10);
    EXPECT_NEAR(j["coef"]["a"].get<double>(), 2.0, 1e-10);
    EXPECT_NEAR(j["coef"]["b"].get<double>(), -3.0, 1e-10);
    EXPECT_NEAR(j["scores"]["train_r2"].get<double>(), 1.0, 1e-12);
}

TEST(FitCli, CrossValidatedStandardizedRidgeAndText) {
    const CliResult r = run("fit ridge --data " + linear_table() +
                            " --target y --lambda 0.001 --standardize --cv 4 --json");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["scores"]["cv_folds"], 4);
    EXPECT_TRUE(j["scores"].contains("cv_mse"));
    const CliResult t = run("fit lasso --data " + linear_table() + " --target y --degree 2");
    ASSERT_EQ(t.status, 0) << t.out;
    EXPECT_NE(t.out.find("a^2"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("train_r2"), std::string::npos);
}

TEST(FitCli, LogisticOnTwoClasses) {
    std::string t = "x,label\n";
    // label = 1 for x ≥ 10, except two flipped rows so that the classes are not separable.
    for (int i = 0; i < 20; ++i)
        t += std::to_string(i) + ((i >= 10) != (i == 8 || i == 12) ? ",1\n" : ",0\n");
    const CliResult r =
        run("fit logistic --data " + write("cls.csv", t) + " --target label --lambda 0.01 --json");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GT(j["coef"]["x"].get<double>(), 0.0);
    EXPECT_GT(j["scores"]["train_accuracy"].get<double>(), 0.6);
}

TEST(FitCli, BadInputIsOneMessageAndExitOne) {
    const std::string ok = linear_table();
    const std::array<std::pair<std::string, std::string>, 7> cases{{
        {"fit ols --data /nonexistent/t.csv --target y", "no such file"},
        {"fit ols --data " + ok + " --target z", "no column named 'z'"},
        {"fit ols --data " + write("text.csv", "a,y\n1,2\n2,x\n") + " --target y",
         ":3:2 (column 'y'): non-numeric cell 'x'"},
        {"fit ols --data " + write("nan.csv", "a,y\n1,2\nNaN,3\n") + " --target y",
         ":3:1 (column 'a'): non-finite value"},
        {"fit ridge --data " + write("few.csv", "a,y\n1,2\n") + " --target y", "too few"},
        {"fit ridge --data " + ok + " --target y --lambda -0.5", "--lambda must be >= 0"},
        {"fit elasticnet --data " + ok + " --target y --l1-ratio 2",
         "--l1-ratio must be in [0, 1]"},
    }};
    for (const auto& [args, message] : cases) {
        const CliResult r = run(args);
        EXPECT_EQ(r.status, 1) << args;
        EXPECT_NE(r.out.find("gibbs: error: "), std::string::npos) << r.out;
        EXPECT_NE(r.out.find(message), std::string::npos) << args << "\n" << r.out;
        EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    }
}

}  // namespace
