// `gibbs train-rbm`, `eval-rbm`, `sample` and `train-dbn` end to end on Ising configurations from
// `gibbs ising --out` (L = 4, small and fast), and one clear error (exit 1) for bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/temp_dir.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/boltzmann/rbm.hpp"

namespace {

struct Output {
    int status;
    std::string text;
};

Output run(const std::string& args) {
    const char* cli = std::getenv("GIBBS_CLI");
    if (cli == nullptr) return {-1, "GIBBS_CLI is not set"};
    FILE* pipe = popen((std::string(cli) + " " + args + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return {-1, "popen failed"};
    Output out{0, ""};
    std::array<char, 4096> buf;
    while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) out.text += buf.data();
    const int status = pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

}  // namespace

TEST(RbmCli, TrainEvalSampleOnIsingConfigurations) {
    gibbs::testing::TempDir dir;
    const std::string data = dir.file("ising.safetensors"), runs = dir.file("run");
    ASSERT_EQ(run("ising --L 4 --T 2.5 --sweeps 2000 --seed 1 --out " + data).status, 0);
    const Output t = run("train-rbm --data " + data +
                         " --hidden 8 --pcd 1 --chains 32 --epochs 3 "
                         "--batch 32 --lr 0.05 --seed 2 --quiet --out " +
                         runs);
    ASSERT_EQ(t.status, 0) << t.text;
    for (const char* f : {"config.json", "metrics.jsonl", "model.safetensors", "samples.png"})
        EXPECT_TRUE(std::filesystem::exists(runs + "/" + f)) << f;
    const std::string model = runs + "/model.safetensors";
    const gibbs::boltzmann::Rbm rbm = gibbs::boltzmann::load_rbm(model);
    EXPECT_EQ(rbm.metadata.at("image_shape"), "4,4");

    const Output e = run("eval-rbm --model " + model + " --logz exact --data " + data + " --json");
    ASSERT_EQ(e.status, 0) << e.text;
    const auto j = nlohmann::json::parse(e.text);
    EXPECT_NEAR(j["logz"].get<double>(), gibbs::boltzmann::log_z_exact(rbm), 1e-9);
    EXPECT_LT(j["loglik"].get<double>(), 0.0);
    EXPECT_GT(j["loglik"].get<double>(), -16 * std::log(2.0));  // better than uniform

    const Output a = run("eval-rbm --model " + model +
                         " --logz ais --ais-distributions 1500 --ais-runs 50 --json");
    ASSERT_EQ(a.status, 0) << a.text;
    const auto ja = nlohmann::json::parse(a.text);
    EXPECT_LE(ja["logz_low"].get<double>(), ja["logz"].get<double>());
    EXPECT_GE(ja["logz_high"].get<double>(), ja["logz"].get<double>());
    EXPECT_NEAR(ja["logz"].get<double>(), j["logz"].get<double>(), 0.2);

    const Output s =
        run("sample --model " + model + " --n 16 --gibbs-steps 50 --out " + dir.file("s.png"));
    ASSERT_EQ(s.status, 0) << s.text;
    EXPECT_NE(s.text.find("(4 x 4)"), std::string::npos) << s.text;

    const Output d = run("train-dbn --data " + data +
                         " --layers 8,4 --epochs 2 --batch 32 --quiet"
                         " --out " +
                         dir.file("dbn"));
    ASSERT_EQ(d.status, 0) << d.text;
    EXPECT_EQ(run("sample --model " + dir.file("dbn") + "/model.safetensors --n 4 --out " +
                  dir.file("d.png"))
                  .status,
              0);
}

TEST(RbmCli, BadInputGivesOneError) {
    gibbs::testing::TempDir dir;
    Output o =
        run("train-rbm --data " + dir.file("missing.safetensors") + " --out " + dir.file("r"));
    EXPECT_EQ(o.status, 1);
    EXPECT_NE(o.text.find("gibbs: error:"), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("missing.safetensors"), std::string::npos) << o.text;
    o = run("train-rbm --cd 2 --pcd 1 --out " + dir.file("r"));
    EXPECT_EQ(o.status, 1);
    EXPECT_NE(o.text.find("at most one of --cd, --pcd and --pt"), std::string::npos) << o.text;
    o = run("eval-rbm --model " GIBBS_SOURCE_DIR
            "/tests/boltzmann/data/python_rbm.safetensors --logz maybe");
    EXPECT_EQ(o.status, 1);
    EXPECT_NE(o.text.find("--logz must be exact or ais"), std::string::npos) << o.text;
}
