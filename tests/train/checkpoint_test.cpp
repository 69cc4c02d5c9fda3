// Tensor checkpoints: a round trip keeps every bit, dtype and shape; loading into a module checks
// names, shapes and dtypes and names the first mismatch with both shapes, changing nothing.
#include <gtest/gtest.h>

#include <cstring>

#include "common/temp_dir.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/train/model.hpp"

using namespace gibbs;
using gibbs::testing::TempDir;

namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "<no error>";
}

bool same_bits(const Tensor& a, const Tensor& b) {
    if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
    const Tensor ca = a.contiguous(), cb = b.contiguous();
    return std::memcmp(ca.raw_data(), cb.raw_data(), ca.numel() * itemsize(ca.dtype())) == 0;
}

train::Mlp mlp(int64_t in, std::vector<int64_t> hidden, int64_t out, uint64_t seed) {
    Generator gen(seed);
    return train::Mlp(in, hidden, out, "relu", gen);
}

}  // namespace

TEST(Checkpoint, RoundTripKeepsBitsDtypesShapesAndMetadata) {
    TempDir dir;
    Generator gen(1);
    const Tensor a = randn({3, 4}, gen);                     // F32
    const Tensor b = randn({5}, gen, DType::f64);            // F64
    const Tensor s = Tensor::scalar(-0.0, DType::f64);       // a scalar, sign bit kept
    const Tensor view = randn({4, 6}, gen).narrow(1, 1, 3);  // a strided view is saved contiguous
    const std::string path = dir.file("t.safetensors");
    io::save_checkpoint(path, {{"a", a}, {"b", b}, {"s", s}, {"view", view}},
                        {{"note", "hello"}, {"epoch", "3"}});
    const io::Checkpoint ck = io::load_checkpoint(path);
    ASSERT_EQ(ck.tensors.size(), 4u);
    EXPECT_EQ(ck.tensors[0].first, "a");
    EXPECT_TRUE(same_bits(*ck.find("a"), a));
    EXPECT_TRUE(same_bits(*ck.find("b"), b));
    EXPECT_TRUE(same_bits(*ck.find("s"), s));
    EXPECT_TRUE(same_bits(*ck.find("view"), view));
    EXPECT_EQ(ck.find("missing"), nullptr);
    EXPECT_EQ(ck.meta("note"), "hello");
    EXPECT_NE(error_of([&] { ck.meta("absent"); }).find("absent"), std::string::npos);
    // The file is plain safetensors: F32 and F64 entries.
    const io::SafetensorsFile raw = io::read_safetensors(path);
    EXPECT_EQ(raw.find("a")->dtype, "F32");
    EXPECT_EQ(raw.find("b")->dtype, "F64");
    EXPECT_EQ(raw.find("view")->shape, (std::vector<int64_t>{4, 3}));
}

TEST(Checkpoint, ModuleAndOptimizerRoundTrip) {
    // Save an MLP after some Adam steps with its optimizer state under "optimizer."; a fresh model
    // and optimizer loaded from the file take one more step exactly as the originals do.
    TempDir dir;
    train::Mlp net = mlp(4, {8}, 3, 1);
    optim::Adam opt(net.parameters(), {.lr = 1e-2});
    Generator gen(2);
    const Tensor x = randn({16, 4}, gen);
    const std::vector<int64_t> y = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
    auto step = [&](nn::Module& m, optim::Optimizer& o) {
        Tensor loss = nn::cross_entropy(m(x), y);
        o.zero_grad();
        loss.backward();
        o.step();
    };
    for (int i = 0; i < 3; ++i) step(net, opt);
    const std::string path = dir.file("ck.safetensors");
    io::NamedTensors all = io::prefixed(net.state(), "model.");
    for (auto& e : io::prefixed(opt.state(), "optimizer.")) all.push_back(e);
    io::save_checkpoint(path, all);

    train::Mlp other = mlp(4, {8}, 3, 99);  // different initial weights
    optim::Adam other_opt(other.parameters(), {.lr = 1e-2});
    const io::Checkpoint ck = io::load_checkpoint(path);
    io::load_module_state(other, ck.with_prefix("model."), path);
    other_opt.load_state(ck.with_prefix("optimizer."));
    EXPECT_EQ(net.state()[0].first, "layers.0.weight");
    EXPECT_NE(ck.find("model.layers.2.bias"), nullptr);
    step(net, opt);
    step(other, other_opt);
    const auto s1 = net.state(), s2 = other.state();
    for (size_t i = 0; i < s1.size(); ++i) EXPECT_TRUE(same_bits(s1[i].second, s2[i].second));
}

TEST(Checkpoint, DifferentArchitectureNamesTheTensorAndBothShapes) {
    TempDir dir;
    const std::string path = dir.file("m.safetensors");
    train::Mlp saved = mlp(784, {128}, 10, 1);
    io::save_checkpoint(path, saved.state());
    const io::Checkpoint ck = io::load_checkpoint(path);

    train::Mlp wider = mlp(784, {256}, 10, 2);
    const std::vector<double> before =
        wider.layers->children()[0].second->state()[0].second.to_vector();
    const std::string e = error_of([&] { io::load_module_state(wider, ck.tensors, path); });
    EXPECT_NE(e.find(path), std::string::npos) << e;
    EXPECT_NE(e.find("'layers.0.weight' has shape (128, 784)"), std::string::npos) << e;
    EXPECT_NE(e.find("model's has shape (256, 784)"), std::string::npos) << e;
    // Nothing was loaded.
    EXPECT_EQ(wider.state()[0].second.to_vector(), before);

    train::Mlp deeper = mlp(784, {128, 64}, 10, 3);  // layers.2 is (64, 128) here, (10, 128) there
    const std::string e2 = error_of([&] { io::load_module_state(deeper, ck.tensors, path); });
    EXPECT_NE(e2.find("'layers.2.weight' has shape (10, 128)"), std::string::npos) << e2;

    train::Mlp no_hidden = mlp(784, {}, 10, 4);  // the file has more tensors than the model
    const std::string e3 = error_of([&] { io::load_module_state(no_hidden, ck.tensors, path); });
    EXPECT_NE(e3.find("layers.0.weight"), std::string::npos) << e3;

    io::NamedTensors partial(ck.tensors.begin(), ck.tensors.end() - 1);  // drop layers.2.bias
    train::Mlp same = mlp(784, {128}, 10, 5);
    const std::string e4 = error_of([&] { io::load_module_state(same, partial, "p"); });
    EXPECT_NE(e4.find("p: no tensor 'layers.2.bias' of shape (10)"), std::string::npos) << e4;

    io::NamedTensors extra = ck.tensors;
    extra.emplace_back("layers.9.weight", Tensor::zeros({2, 2}));
    const std::string e5 = error_of([&] { io::load_module_state(same, extra, "q"); });
    EXPECT_NE(e5.find("'layers.9.weight' of shape (2, 2) has no place in the model"),
              std::string::npos)
        << e5;

    io::NamedTensors wrong_dtype = ck.tensors;
    wrong_dtype[1].second = wrong_dtype[1].second.to(DType::f64);
    const std::string e6 = error_of([&] { io::load_module_state(same, wrong_dtype, "r"); });
    EXPECT_NE(e6.find("'layers.0.bias' is float64 but the model's is float32"), std::string::npos)
        << e6;
}

TEST(Checkpoint, RefusesOtherDtypesAndDuplicateNames) {
    TempDir dir;
    io::SafetensorsFile f;
    const std::vector<int64_t> v = {1, 2};
    f.tensors.emplace_back("ints", io::make_raw_tensor<int64_t>({2}, v));
    const std::string path = dir.file("ints.safetensors");
    io::write_safetensors(path, f);
    const std::string e = error_of([&] { io::load_checkpoint(path); });
    EXPECT_NE(e.find("tensor 'ints' has dtype I64"), std::string::npos) << e;

    const Tensor t = Tensor::zeros({2});
    EXPECT_THROW(io::save_checkpoint(dir.file("dup.safetensors"), {{"a", t}, {"a", t}}), Error);
    EXPECT_THROW(io::save_checkpoint(dir.file("empty.safetensors"), {{"", t}}), Error);
    EXPECT_NE(error_of([&] {
                  io::load_checkpoint(dir.file("absent.safetensors"));
              }).find("absent.safetensors"),
              std::string::npos);
}
