// `gibbs train` and `gibbs eval` end to end on a small synthetic Fashion-MNIST (separable classes,
// written as IDX files and found through GIBBS_FASHION_MNIST_DIR) and on CSV tables: the run
// folder, evaluation, bit-for-bit resume, the NaN stop, and one clear error for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/io/safetensors.hpp"
#include "train/cli_util.hpp"

using namespace gibbs;
using namespace gibbs::testing;
namespace fs = std::filesystem;

namespace {

class TrainCli : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        data_dir_ = new TempDir();
        write_synthetic_fashion_mnist(data_dir_->path().string(), 400, 100);
    }
    static void TearDownTestSuite() {
        delete data_dir_;
        data_dir_ = nullptr;
    }
    static std::string env() { return "GIBBS_FASHION_MNIST_DIR=" + data_dir_->path().string(); }
    static CliOutput gibbs(const std::string& args) { return run_cli(args, env()); }

    static inline TempDir* data_dir_ = nullptr;
    TempDir runs_;
};

// A small, fast MLP run on the synthetic data.
const std::string kSmall =
    "train mlp --hidden 32 --batch 32 --limit 300 --seed 3 --threads 1 --lr 3e-3";

// The tensors of a safetensors file, name -> raw bytes.
std::map<std::string, std::vector<std::byte>> tensor_bytes(const std::string& path) {
    std::map<std::string, std::vector<std::byte>> out;
    for (auto& [name, t] : io::read_safetensors(path).tensors) out[name] = t.data;
    return out;
}

nlohmann::json parse_json(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << text;
    return j;
}

}  // namespace

TEST_F(TrainCli, WritesTheRunFolder) {
    const std::string out = runs_.file("run");
    const CliOutput r = gibbs(kSmall + " --epochs 2 --out " + out);
    ASSERT_EQ(r.status, 0) << r.text;
    // Not a terminal: one line per epoch, then the test result.
    EXPECT_NE(r.text.find("epoch 1/2: train loss"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("epoch 2/2: train loss"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("test accuracy"), std::string::npos) << r.text;
    EXPECT_EQ(r.text.find('\r'), std::string::npos) << "no progress bar off a terminal";

    const nlohmann::json config = parse_json(read_text(out + "/config.json"));
    EXPECT_EQ(config["model"], "mlp");
    EXPECT_EQ(config["hidden"], (std::vector<int64_t>{32}));
    EXPECT_EQ(config["input_shape"], (std::vector<int64_t>{784}));
    EXPECT_EQ(config["outputs"], 10);
    EXPECT_EQ(config["optimizer"], "adam");
    EXPECT_EQ(config["lr"], 3e-3);
    EXPECT_EQ(config["seed"], 3);

    const auto metrics = io::read_metrics(out + "/metrics.jsonl");
    ASSERT_EQ(metrics.size(), 2u);
    for (int e = 0; e < 2; ++e) {
        EXPECT_EQ(metrics[e]["epoch"], e + 1);
        for (const char* key : {"train_loss", "val_loss", "val_accuracy", "seconds"})
            EXPECT_TRUE(metrics[e].contains(key)) << key;
    }
    // Cross-entropy falls from about log 10 = 2.30 as the separable classes are learned.
    EXPECT_LT(metrics[1]["train_loss"].get<double>(), metrics[0]["train_loss"].get<double>());

    const io::SafetensorsFile model = io::read_safetensors(out + "/model.safetensors");
    ASSERT_NE(model.find("layers.0.weight"), nullptr);
    EXPECT_EQ(model.find("layers.0.weight")->shape, (std::vector<int64_t>{32, 784}));
    EXPECT_EQ(model.find("layers.2.weight")->shape, (std::vector<int64_t>{10, 32}));
    EXPECT_EQ(model.find("layers.2.bias")->dtype, "F32");
    EXPECT_EQ(model.metadata.at("gibbs.epoch"), "2");
    const io::Checkpoint ck = io::load_checkpoint(out + "/checkpoint.safetensors");
    EXPECT_NE(ck.find("optimizer.params.0.exp_avg"), nullptr);
    EXPECT_NE(ck.find("model.layers.0.weight"), nullptr);
}

TEST_F(TrainCli, EvalReportsAccuracyLossAndConfusionMatrix) {
    const std::string out = runs_.file("run");
    const CliOutput r = gibbs(kSmall + " --epochs 4 --quiet --out " + out);
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(count_lines(r.text), 1) << "--quiet prints the result only: " << r.text;

    const CliOutput e = gibbs("eval --model " + out + "/model.safetensors --json");
    ASSERT_EQ(e.status, 0) << e.text;
    const nlohmann::json j = parse_json(e.text);
    EXPECT_EQ(j["examples"], 100);
    // The confusion matrix's rows count the true classes: labels (7i + ⌊i/10⌋) mod 10 for
    // i < 100 give each class exactly 10 examples; its trace over N is the accuracy.
    int64_t trace = 0, total = 0;
    for (int i = 0; i < 10; ++i) {
        int64_t row = 0;
        for (int k = 0; k < 10; ++k) row += j["confusion"][i][k].get<int64_t>();
        EXPECT_EQ(row, 10) << "class " << i;
        trace += j["confusion"][i][i].get<int64_t>();
        total += row;
    }
    EXPECT_EQ(total, 100);
    EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), trace / 100.0);
    // The classes differ by which three rows are bright: a linear readout separates them.
    EXPECT_GE(j["accuracy"].get<double>(), 0.95);
    EXPECT_GT(j["loss"].get<double>(), 0.0);
    // train printed the same test accuracy.
    char expected[64];
    std::snprintf(expected, sizeof expected, "test accuracy %.4f", j["accuracy"].get<double>());
    EXPECT_NE(r.text.find(expected), std::string::npos) << r.text;

    const CliOutput text = gibbs("eval --model " + out + "/model.safetensors");
    ASSERT_EQ(text.status, 0) << text.text;
    EXPECT_NE(text.text.find("confusion matrix"), std::string::npos) << text.text;
    EXPECT_NE(text.text.find("Ankle boot"), std::string::npos) << text.text;
    EXPECT_GE(count_lines(text.text), 13);
}

TEST_F(TrainCli, ResumedRunMatchesUninterruptedRunBitForBit) {
    // Run A trains 3 epochs straight. Run B stops after epoch 1, leaves a stray metrics line of
    // an interrupted epoch 2, and is resumed to 3 epochs. Same seed and threads: the same
    // minibatches and updates, so identical weights, optimizer state and training losses.
    const std::string a = runs_.file("a"), b = runs_.file("b");
    ASSERT_EQ(gibbs(kSmall + " --epochs 3 --out " + a).status, 0);
    ASSERT_EQ(gibbs(kSmall + " --epochs 1 --out " + b).status, 0);
    {
        std::ofstream stray(b + "/metrics.jsonl", std::ios::app);
        stray << "{\"epoch\": 2, \"train_loss\": 123}\n";
    }
    const CliOutput r = gibbs("train --resume " + b + " --epochs 3");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_NE(r.text.find("continuing after epoch 1"), std::string::npos) << r.text;

    EXPECT_EQ(tensor_bytes(a + "/model.safetensors"), tensor_bytes(b + "/model.safetensors"));
    EXPECT_EQ(tensor_bytes(a + "/checkpoint.safetensors"),
              tensor_bytes(b + "/checkpoint.safetensors"));
    const auto ma = io::read_metrics(a + "/metrics.jsonl"),
               mb = io::read_metrics(b + "/metrics.jsonl");
    ASSERT_EQ(ma.size(), 3u);
    ASSERT_EQ(mb.size(), 3u);
    for (int e = 0; e < 3; ++e) {
        EXPECT_EQ(mb[e]["epoch"], e + 1);
        EXPECT_EQ(ma[e]["train_loss"].get<double>(), mb[e]["train_loss"].get<double>());
        EXPECT_EQ(ma[e]["val_loss"].get<double>(), mb[e]["val_loss"].get<double>());
    }
    // A different seed gives different weights (the comparison above can fail).
    const std::string c = runs_.file("c");
    ASSERT_EQ(gibbs(kSmall + " --epochs 1 --seed 4 --out " + c).status, 0);
    EXPECT_NE(tensor_bytes(c + "/model.safetensors"), tensor_bytes(b + "/model.safetensors"));
}

TEST_F(TrainCli, DivergenceStopsNamingEpochAndStep) {
    // SGD with η = 1e30: after the first step the weights are ~1e30·g, the next logits overflow
    // and the loss is infinite or NaN at step 2 of epoch 1; nothing is saved.
    const std::string out = runs_.file("nan");
    const CliOutput r = gibbs(kSmall + " --optimizer sgd --lr 1e30 --epochs 2 --out " + out);
    EXPECT_EQ(r.status, 1) << r.text;
    EXPECT_NE(r.text.find("gibbs: error: train: the loss is"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("at epoch 1, step "), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("no checkpoint was saved"), std::string::npos) << r.text;
    EXPECT_FALSE(fs::exists(out + "/model.safetensors"));
}

TEST_F(TrainCli, DivergenceKeepsTheLastGoodCheckpoint) {
    // One good epoch, then resumed with a learning rate that diverges in epoch 2: the error names
    // epoch 2 and the checkpoint of epoch 1 stays, byte for byte.
    const std::string out = runs_.file("keep");
    ASSERT_EQ(gibbs(kSmall + " --epochs 1 --out " + out).status, 0);
    const std::string model_before = read_text(out + "/model.safetensors");
    const std::string ck_before = read_text(out + "/checkpoint.safetensors");
    const CliOutput r = gibbs("train --resume " + out + " --epochs 3 --lr 1e30");
    EXPECT_EQ(r.status, 1) << r.text;
    EXPECT_NE(r.text.find("at epoch 2, step "), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("last good checkpoint (epoch 1)"), std::string::npos) << r.text;
    EXPECT_EQ(read_text(out + "/model.safetensors"), model_before);
    EXPECT_EQ(read_text(out + "/checkpoint.safetensors"), ck_before);
}

TEST_F(TrainCli, BadInputGivesOneErrorAndExitOne) {
    const std::string out = runs_.file("bad");
    const std::string existing = runs_.file("existing");
    ASSERT_EQ(gibbs(kSmall + " --epochs 1 --quiet --out " + existing).status, 0);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"train mlp --epochs 0 --out " + out, "--epochs must be at least 1"},
        {"train mlp --batch 0 --out " + out, "--batch must be at least 1"},
        {"train mlp --hidden 32,x --out " + out, "--hidden must be positive integers"},
        {"train mlp --optimizer lbfgs --out " + out, "--optimizer must be adam, sgd"},
        {"train mlp --validation 1.5 --out " + out, "--validation must be in [0, 1)"},
        {"train mlp --lr -1 --out " + out, "--lr must be a positive number"},
        {"train mlp --activation swish --out " + out, "--activation must be"},
        {"train rnn --out " + out, "the model must be mlp or cnn"},
        {"train cnn --channels 16,0 --out " + out, "--channels must be positive integers"},
        {"train mlp --epochs 1", "give the run folder with --out"},
        {"train mlp --data nowhere.csv --target y --out " + out, "nowhere.csv: no such file"},
        {"train mlp --target y --out " + out, "--target is for CSV data"},
        {kSmall + " --out " + existing, "already holds a run"},
        {"train --resume " + runs_.file("none"), "no run there"},
        {"train --resume " + existing + " --hidden 64", "--hidden cannot change when resuming"},
        {"eval --model " + runs_.file("none.safetensors"), "none.safetensors"},
        {"eval --model " + existing + "/model.safetensors --data x.csv",
         "trained on fashion-mnist"},
    };
    for (const auto& [args, message] : cases) {
        const CliOutput r = gibbs(args);
        EXPECT_EQ(r.status, 1) << args << ": " << r.text;
        EXPECT_EQ(count_lines(r.text), 1) << args << ": " << r.text;
        EXPECT_EQ(r.text.rfind("gibbs: error: ", 0), 0u) << args << ": " << r.text;
        EXPECT_NE(r.text.find(message), std::string::npos) << args << ": " << r.text;
    }
    EXPECT_FALSE(fs::exists(out)) << "a failed start leaves no run folder";
    // A missing dataset names the Debian package.
    const CliOutput missing =
        run_cli("train mlp --out " + out, "GIBBS_FASHION_MNIST_DIR=" + runs_.file("empty"));
    EXPECT_EQ(missing.status, 1) << missing.text;
    EXPECT_NE(missing.text.find("dataset-fashion-mnist"), std::string::npos) << missing.text;
    // A value CLI11 cannot convert also exits 1.
    EXPECT_EQ(gibbs("train mlp --epochs three --out " + out).status, 1);
}

TEST_F(TrainCli, CnnTrainsEvaluatesAndResumesBitForBit) {
    // conv 3×3 (1→4) · ReLU · pool → conv (4→8) · ReLU · pool → 8·7·7 = 392 → 16 → 10: the saved
    // tensors have these shapes, the separable classes are learned in 10 epochs (60 steps), and a
    // run resumed after epoch 1 ends with the uninterrupted run's weights and optimizer state.
    const std::string cnn =
        "train cnn --channels 4,8 --hidden 16 --batch 32 --limit 200 --seed 5 --threads 1 "
        "--lr 3e-3 --quiet";
    const std::string a = runs_.file("cnn_a"), b = runs_.file("cnn_b");
    const CliOutput r = gibbs(cnn + " --epochs 10 --out " + a);
    ASSERT_EQ(r.status, 0) << r.text;
    const io::SafetensorsFile model = io::read_safetensors(a + "/model.safetensors");
    EXPECT_EQ(model.find("layers.0.weight")->shape, (std::vector<int64_t>{4, 1, 3, 3}));
    EXPECT_EQ(model.find("layers.3.weight")->shape, (std::vector<int64_t>{8, 4, 3, 3}));
    EXPECT_EQ(model.find("layers.7.weight")->shape, (std::vector<int64_t>{16, 392}));
    EXPECT_EQ(model.find("layers.9.weight")->shape, (std::vector<int64_t>{10, 16}));
    const nlohmann::json config = parse_json(read_text(a + "/config.json"));
    EXPECT_EQ(config["input_shape"], (std::vector<int64_t>{1, 28, 28}));

    const CliOutput e = gibbs("eval --model " + a + "/model.safetensors --json");
    ASSERT_EQ(e.status, 0) << e.text;
    EXPECT_GE(parse_json(e.text)["accuracy"].get<double>(), 0.9) << e.text;

    ASSERT_EQ(gibbs(cnn + " --epochs 1 --out " + b).status, 0);
    ASSERT_EQ(gibbs("train --resume " + b + " --epochs 10 --quiet").status, 0);
    EXPECT_EQ(tensor_bytes(a + "/checkpoint.safetensors"),
              tensor_bytes(b + "/checkpoint.safetensors"));
}
