// `gibbs train mlp --data FILE.csv`: regression of a smooth noise-free function (reported RMS in
// target units), classification of a linearly separable rule, eval on a CSV, and one error
// naming file, line and column for a bad table.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "gibbs/io/metrics.hpp"
#include "gibbs/tensor/error.hpp"
#include "train/cli_util.hpp"

using namespace gibbs;
using namespace gibbs::testing;

namespace {

// Rows (x1, x2, x3, y) with x ~ U(−1, 1)³ and y = 3 + 2 x1 − x2² + 0.5 x1 x3, or the class
// label [x1 + x2 > 0] when `classes`. Returns the population standard deviation of the target.
double write_table(const std::string& path, int n, bool classes, uint64_t seed = 2) {
    Generator gen(seed);
    std::string text = classes ? "x1,x2,x3,label\n" : "x1,x2,x3,y\n";
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double x1 = gen.uniform(-1, 1), x2 = gen.uniform(-1, 1), x3 = gen.uniform(-1, 1);
        const double y = classes ? (x1 + x2 > 0 ? 1 : 0) : 3 + 2 * x1 - x2 * x2 + 0.5 * x1 * x3;
        char line[128];
        std::snprintf(line, sizeof line, "%.6f,%.6f,%.6f,%.6f\n", x1, x2, x3, y);
        text += line;
        sum += y;
        sum2 += y * y;
    }
    write_text(path, text);
    const double mean = sum / n;
    return std::sqrt(sum2 / n - mean * mean);
}

}  // namespace

TEST(CsvTrain, RegressionReportsRmsInTargetUnits) {
    // A noise-free smooth target: a 3-32-32-1 tanh MLP should explain all but 1% of its variance,
    // RMS < 0.1 sd(y) on held-out rows (sd(y) ≈ 1.25); a model that learned nothing has RMS = sd.
    TempDir dir;
    const std::string csv = dir.file("f.csv"), out = dir.file("run");
    const double sd = write_table(csv, 600, false);
    const CliOutput r = run_cli("train mlp --data " + csv +
                                " --target y --hidden 32,32 "
                                "--activation tanh --epochs 40 --batch 32 --lr 3e-3 --seed 1 "
                                "--threads 1 --quiet --out " +
                                out);
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_NE(r.text.find("validation rms"), std::string::npos) << r.text;
    const auto metrics = io::read_metrics(out + "/metrics.jsonl");
    ASSERT_EQ(metrics.size(), 40u);
    const double val_rms = metrics.back()["val_rms"].get<double>();
    EXPECT_LT(val_rms, 0.1 * sd) << "sd(y) = " << sd;
    // RMS in target units is s_y √(standardized MSE).
    const nlohmann::json config = nlohmann::json::parse(read_text(out + "/config.json"));
    const double s_y = config["y_scale"]["std"][0].get<double>();
    EXPECT_NEAR(val_rms, s_y * std::sqrt(metrics.back()["val_loss"].get<double>()), 1e-9 * sd);
    EXPECT_EQ(config["feature_names"], (std::vector<std::string>{"x1", "x2", "x3"}));
    EXPECT_EQ(config["task"], "regression");

    // eval on fresh rows of the same function, prepared with the saved standardization.
    const std::string fresh = dir.file("fresh.csv");
    write_table(fresh, 300, false, 9);
    const CliOutput e =
        run_cli("eval --model " + out + "/model.safetensors --data " + fresh + " --json");
    ASSERT_EQ(e.status, 0) << e.text;
    const nlohmann::json j = nlohmann::json::parse(e.text);
    EXPECT_EQ(j["examples"], 300);
    EXPECT_LT(j["rms"].get<double>(), 0.1 * sd);
}

TEST(CsvTrain, ClassificationOfALinearRule) {
    // label = [x1 + x2 > 0] is separable by one hyperplane: validation accuracy ≥ 0.95.
    TempDir dir;
    const std::string csv = dir.file("c.csv"), out = dir.file("run");
    write_table(csv, 600, true);
    const CliOutput r = run_cli("train mlp --data " + csv +
                                " --target label --task "
                                "classification --hidden 16 --epochs 20 --batch 32 --lr 1e-2 "
                                "--threads 1 --quiet --out " +
                                out);
    ASSERT_EQ(r.status, 0) << r.text;
    const auto metrics = io::read_metrics(out + "/metrics.jsonl");
    EXPECT_GE(metrics.back()["val_accuracy"].get<double>(), 0.95);
    const nlohmann::json config = nlohmann::json::parse(read_text(out + "/config.json"));
    EXPECT_EQ(config["outputs"], 2);
}

TEST(CsvTrain, BadTablesNameFileLineAndColumn) {
    TempDir dir;
    const std::string out = dir.file("run");
    auto error_for = [&](const std::string& text, const std::string& extra = "--target y") {
        const std::string csv = dir.file("t.csv");
        write_text(csv, text);
        const CliOutput r = run_cli("train mlp --data " + csv + " " + extra + " --out " + out);
        EXPECT_EQ(r.status, 1) << r.text;
        EXPECT_EQ(count_lines(r.text), 1) << r.text;
        return r.text;
    };
    const std::string csv = dir.file("t.csv");
    EXPECT_NE(
        error_for("a,y\n1,2\n3,abc\n").find(csv + ":3:2 (column 'y'): non-numeric cell 'abc'"),
        std::string::npos);
    EXPECT_NE(error_for("a,y\n1,2\n3\n").find(csv + ":3: expected 2 cells, found 1"),
              std::string::npos);
    EXPECT_NE(error_for("a,b\n1,2\n").find("no column named 'y' (columns: a, b)"),
              std::string::npos);
    EXPECT_NE(error_for("").find("no data (empty file)"), std::string::npos);
    EXPECT_NE(error_for("a,y\n").find("no data rows"), std::string::npos);
    EXPECT_NE(error_for("a,y\n1,nan\n").find("non-finite value 'nan'"), std::string::npos);
    EXPECT_NE(error_for("a,y\n1,0.5\n2,1\n", "--target y --task classification")
                  .find("is not a class index"),
              std::string::npos);
    EXPECT_NE(error_for("a,y\n1,2\n", "").find("give the column to predict with --target"),
              std::string::npos);
}
