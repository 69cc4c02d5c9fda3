// RBM checkpoints: round trip, a file written by Python's struct+json, and bad files.
#include <gtest/gtest.h>

#include "common/temp_dir.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/boltzmann/rbm.hpp"
#include "gibbs/io/safetensors.hpp"

using namespace gibbs;
using namespace gibbs::boltzmann;

TEST(RbmIo, RoundTripKeepsParametersAndDtype) {
    gibbs::testing::TempDir dir;
    Generator gen(3);
    for (DType dt : {DType::f32, DType::f64})
        for (Visible vis : {Visible::kBinary, Visible::kGaussian}) {
            Rbm rbm(7, 4, vis, gen, {.weight_std = 0.5, .sigma = 0.7, .dtype = dt});
            rbm.metadata["image_shape"] = "1,7";
            save_rbm(dir.file("m.safetensors"), rbm);
            const Rbm back = load_rbm(dir.file("m.safetensors"));
            EXPECT_EQ(back.visible(), vis);
            EXPECT_EQ(back.dtype(), dt);
            EXPECT_EQ(back.W.to_vector(), rbm.W.to_vector());
            EXPECT_EQ(back.a.to_vector(), rbm.a.to_vector());
            EXPECT_EQ(back.metadata.at("image_shape"), "1,7");
            if (vis == Visible::kGaussian) {
                EXPECT_EQ(back.sigma.to_vector(), rbm.sigma.to_vector());
            }
        }
}

// tests/boltzmann/make_python_rbm.py wrote this file (W F64, a and b F32, header order differs).
TEST(RbmIo, ReadsFileWrittenByPython) {
    const Rbm rbm = load_rbm(GIBBS_SOURCE_DIR "/tests/boltzmann/data/python_rbm.safetensors");
    ASSERT_EQ(rbm.M(), 5);
    ASSERT_EQ(rbm.N(), 3);
    EXPECT_EQ(rbm.visible(), Visible::kBinary);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 3; ++j)
            EXPECT_DOUBLE_EQ(rbm.W.at({i, j}), 0.1 * (i + 1) * ((i + j) % 2 ? -1 : 1) + 0.05 * j);
    EXPECT_FLOAT_EQ(rbm.a.at({4}), 0.5f);
    EXPECT_FLOAT_EQ(rbm.b.at({1}), -0.7f);
    EXPECT_NEAR(log_z_exact(rbm), log_z_brute_force(rbm), 1e-10);
}

namespace {

// Writes W, a, b with the given shapes (F32) and metadata, then expects load_rbm to fail with a
// message containing `needle`.
void expect_load_error(const std::vector<int64_t>& w, int64_t na, int64_t nb,
                       std::map<std::string, std::string> meta, const std::string& needle,
                       float poison = 0.0f) {
    gibbs::testing::TempDir dir;
    io::SafetensorsFile f;
    std::vector<float> W(static_cast<size_t>(w[0] * w[1]), 0.1f), a(na, 0.0f),
        b(nb > 0 ? nb : 0, 0.0f);
    if (poison != 0.0f) W[3] = poison;
    f.tensors.emplace_back("W", io::make_raw_tensor<float>(w, W));
    f.tensors.emplace_back("a", io::make_raw_tensor<float>({na}, a));
    if (nb >= 0) f.tensors.emplace_back("b", io::make_raw_tensor<float>({nb}, b));
    f.metadata = std::move(meta);
    const std::string path = dir.file("bad.safetensors");
    io::write_safetensors(path, f);
    try {
        load_rbm(path);
        FAIL() << "expected an error containing " << needle;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bad.safetensors"), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(RbmIo, BadFilesGiveOneClearError) {
    const std::map<std::string, std::string> ok = {{"model", "rbm"}, {"visible", "binary"}};
    expect_load_error({4, 3}, 5, 3, ok, "tensor 'a' has 5 elements");
    expect_load_error({4, 3}, 4, 2, ok, "tensor 'b' has 2 elements");
    expect_load_error({4, 3}, 4, -1, ok, "no tensor 'b'");
    expect_load_error({4, 3}, 4, 3, {{"model", "vae"}}, "\"model\" is 'vae'");
    expect_load_error({4, 3}, 4, 3, {{"visible", "ternary"}}, "'ternary'");
    expect_load_error({4, 3}, 4, 3, {{"visible", "gaussian"}}, "no tensor 'sigma'");
    expect_load_error({4, 3}, 4, 3, ok, "non-finite", std::nanf(""));
    EXPECT_THROW(load_rbm("/nonexistent/rbm.safetensors"), Error);
}
