// Normalization and dropout against their definitions:
//   batch norm (training) normalizes each channel to mean 0 and variance σ²/(σ² + ε), updates
//   running_mean ← 0.9·running_mean + 0.1·μ and running_var ← 0.9·running_var + 0.1·σ²·M/(M−1)
//   (PyTorch's rule), and in evaluation computes γ(x − running_mean)/√(running_var + ε) + β;
//   the fused kernels equal the composition of primitive ops, values and gradients;
//   group norm with one group is layer norm over (C, H, W), with C groups instance norm;
//   dropout keeps the expectation (three standard errors) and is the identity in evaluation.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "gibbs/nn/layers.hpp"
#include "gibbs/nn/norm.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

namespace {

void expect_close(const Tensor& a, const Tensor& b, double tol, const char* what) {
    ASSERT_EQ(a.shape(), b.shape()) << what;
    const auto x = a.to_vector(), y = b.to_vector();
    for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], y[i], tol) << what << " element " << i;
}

// f on fresh leaves copied from `inputs`: the output and the gradients of Σ f ⊙ w.
std::pair<Tensor, std::vector<Tensor>> value_and_grads(const Fn& f,
                                                       const std::vector<Tensor>& inputs) {
    std::vector<Tensor> leaves;
    for (const Tensor& t : inputs) leaves.push_back(t.clone().requires_grad_());
    Tensor out = f(leaves);
    Generator gen(99);
    sum(out * uniform(out.shape(), 0.5, 1.5, gen, out.dtype())).backward();
    std::vector<Tensor> grads;
    for (const Tensor& t : leaves) grads.push_back(t.grad());
    return {out.detach(), grads};
}

void expect_same_function(const Fn& fused, const Fn& composed, const std::vector<Tensor>& inputs,
                          const char* what) {
    const auto [y1, g1] = value_and_grads(fused, inputs);
    const auto [y2, g2] = value_and_grads(composed, inputs);
    expect_close(y1, y2, 1e-12, what);
    for (size_t i = 0; i < g1.size(); ++i) expect_close(g1[i], g2[i], 1e-12, what);
}

// (x − mean)/√(var + ε) with mean and biased variance over `axes`, from primitive ops.
Tensor normalize(const Tensor& x, const std::vector<int>& axes, double eps) {
    double count = 1;
    for (int a : axes) count *= static_cast<double>(x.size(a));
    const Tensor mu = sum(x, axes, true) / count;
    const Tensor var = sum(square(x - mu), axes, true) / count;
    return (x - mu) / sqrt(var + eps);
}

constexpr double kEps = 1e-5;

TEST(BatchNorm, TrainingNormalizesEachChannel) {
    Generator gen(1);
    const Tensor x = randn({8, 3, 5, 4}, gen, DType::f64) * 2.0 + 3.0;
    const Tensor y = nn::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor());
    for (int64_t c = 0; c < 3; ++c) {
        const Tensor xc = x.narrow(1, c, 1), yc = y.narrow(1, c, 1);
        const double M = static_cast<double>(xc.numel());
        const double mu = sum(xc).item() / M;
        const double var = sum(square(xc - mu)).item() / M;
        EXPECT_NEAR(sum(yc).item() / M, 0.0, 1e-12);
        EXPECT_NEAR(sum(square(yc)).item() / M, var / (var + kEps), 1e-12);
    }
}

TEST(BatchNorm, RunningStatisticsFollowPyTorchsRule) {
    Generator gen(2);
    const Tensor x = randn({6, 2, 3, 3}, gen, DType::f64) + 1.5;
    Tensor rm = Tensor::from({0.5, -0.5}, {2}), rv = Tensor::from({2.0, 0.5}, {2});
    nn::batch_norm(x, rm, rv, Tensor(), Tensor(), {.momentum = 0.1});
    for (int64_t c = 0; c < 2; ++c) {
        const Tensor xc = x.narrow(1, c, 1);
        const double M = static_cast<double>(xc.numel());
        const double mu = sum(xc).item() / M;
        const double unbiased = sum(square(xc - mu)).item() / (M - 1);
        EXPECT_NEAR(rm.at({c}), 0.9 * (c == 0 ? 0.5 : -0.5) + 0.1 * mu, 1e-12);
        EXPECT_NEAR(rv.at({c}), 0.9 * (c == 0 ? 2.0 : 0.5) + 0.1 * unbiased, 1e-12);
    }
}

TEST(BatchNorm, EvaluationUsesRunningStatistics) {
    Generator gen(3);
    const Tensor x = randn({4, 2, 3}, gen, DType::f64);
    const Tensor rm = Tensor::from({0.3, -1.0}, {2}), rv = Tensor::from({0.7, 2.5}, {2});
    const Tensor g = Tensor::from({1.5, 0.5}, {2}), b = Tensor::from({-0.2, 0.4}, {2});
    const Tensor y = nn::batch_norm(x, rm, rv, g, b, {.training = false});
    const auto r = [](const Tensor& v) { return reshape(v, {1, 2, 1}); };
    expect_close(y, (x - r(rm)) / sqrt(r(rv) + kEps) * r(g) + r(b), 1e-12, "eval");
    // the running statistics are left as they were
    EXPECT_EQ(rm.to_vector(), (std::vector<double>{0.3, -1.0}));
}

TEST(BatchNorm, FusedEqualsComposition) {
    Generator gen(4);
    const std::vector<Tensor> in = {randn({5, 3, 2, 4}, gen, DType::f64),
                                    uniform({3}, 0.5, 1.5, gen, DType::f64),
                                    randn({3}, gen, DType::f64)};
    const auto r = [](const Tensor& v) { return reshape(v, {1, 3, 1, 1}); };
    expect_same_function(
        [](const std::vector<Tensor>& t) {
            return nn::batch_norm(t[0], Tensor(), Tensor(), t[1], t[2]);
        },
        [&](const std::vector<Tensor>& t) {
            return normalize(t[0], {0, 2, 3}, kEps) * r(t[1]) + r(t[2]);
        },
        in, "batch_norm training");
}

TEST(BatchNormModules, BuffersModesAndShapes) {
    nn::BatchNorm2d bn(3, {.dtype = DType::f64});
    const auto names = [](const auto& list) {
        std::vector<std::string> out;
        for (const auto& [name, t] : list) out.push_back(name);
        return out;
    };
    EXPECT_EQ(names(bn.named_parameters()), (std::vector<std::string>{"weight", "bias"}));
    EXPECT_EQ(names(bn.named_buffers()), (std::vector<std::string>{"running_mean", "running_var"}));
    Generator gen(5);
    const Tensor x = randn({4, 3, 2, 2}, gen, DType::f64) + 2.0;
    bn(x);  // training: running_mean moves 10% of the way to the batch mean ≈ 2
    EXPECT_GT(bn.running_mean.at({0}), 0.1);
    bn.eval();
    const Tensor y = bn(x);
    const auto r = [](const Tensor& v) { return reshape(v, {1, 3, 1, 1}); };
    expect_close(y, (x - r(bn.running_mean)) / sqrt(r(bn.running_var) + kEps), 1e-12, "module");

    nn::BatchNorm1d bn1(4, {.affine = false});
    EXPECT_TRUE(bn1.named_parameters().empty());
    EXPECT_EQ(bn1(randn({8, 4}, gen)).shape(), Shape({8, 4}));
    EXPECT_EQ(bn1(randn({8, 4, 5}, gen)).shape(), Shape({8, 4, 5}));
    EXPECT_THROW(bn1(randn({8, 4, 5, 5}, gen)), Error);
    EXPECT_THROW(bn(randn({8, 4, 5, 5}, gen, DType::f64)), Error);  // 4 channels, not 3
    nn::BatchNorm1d train1(4);
    EXPECT_THROW(train1(randn({1, 4}, gen)), Error);  // one value per channel
}

TEST(GroupNorm, OneGroupIsLayerNorm) {
    Generator gen(6);
    const std::vector<Tensor> in = {randn({3, 4, 3, 2}, gen, DType::f64) * 3.0,
                                    uniform({4}, 0.5, 1.5, gen, DType::f64),
                                    randn({4}, gen, DType::f64)};
    const auto r = [](const Tensor& v) { return reshape(v, {1, 4, 1, 1}); };
    expect_same_function(
        [](const std::vector<Tensor>& t) { return nn::group_norm(t[0], 1, t[1], t[2]); },
        [&](const std::vector<Tensor>& t) {
            return normalize(t[0], {1, 2, 3}, kEps) * r(t[1]) + r(t[2]);
        },
        in, "group_norm, 1 group");
}

TEST(GroupNorm, ChannelGroupsIsInstanceNorm) {
    Generator gen(7);
    const std::vector<Tensor> in = {randn({2, 3, 4, 5}, gen, DType::f64) + 1.0,
                                    uniform({3}, 0.5, 1.5, gen, DType::f64),
                                    randn({3}, gen, DType::f64)};
    const auto r = [](const Tensor& v) { return reshape(v, {1, 3, 1, 1}); };
    expect_same_function(
        [](const std::vector<Tensor>& t) { return nn::group_norm(t[0], 3, t[1], t[2]); },
        [&](const std::vector<Tensor>& t) {
            return normalize(t[0], {2, 3}, kEps) * r(t[1]) + r(t[2]);
        },
        in, "group_norm, C groups");
}

TEST(GroupNorm, TwoGroupsNormalizeChannelHalves) {
    Generator gen(8);
    const Tensor x = randn({2, 4, 3}, gen, DType::f64);
    const Tensor y = nn::GroupNorm(2, 4, {.dtype = DType::f64})(x);
    const Tensor expected =
        reshape(normalize(reshape(x, {2, 2, 6}), {2}, kEps), {2, 4, 3});  // (n, g, 2·3)
    expect_close(y, expected, 1e-12, "group_norm, 2 groups");
    EXPECT_THROW(nn::GroupNorm(3, 4), Error);
    EXPECT_THROW(nn::group_norm(x, 3, Tensor(), Tensor()), Error);
}

// y_i = x_i m_i/(1 − p): E y_i = x_i, Var y_i = x_i² p/(1 − p). With x = 1 and n draws the mean
// of y has standard error √(p/((1 − p) n)); the fraction of zeros has √(p(1 − p)/n).
TEST(Dropout, KeepsTheExpectation) {
    const int64_t n = 200000;
    const double p = 0.3;
    Generator gen(9);
    const Tensor y = nn::dropout(Tensor::ones({n}, DType::f64), p, true, gen);
    const auto v = y.to_vector();
    double total = 0;
    int64_t zeros = 0;
    for (double e : v) {
        total += e;
        if (e == 0)
            ++zeros;
        else
            ASSERT_DOUBLE_EQ(e, 1 / (1 - p));
    }
    EXPECT_NEAR(total / n, 1.0, 3 * std::sqrt(p / ((1 - p) * n)));
    EXPECT_NEAR(static_cast<double>(zeros) / n, p, 3 * std::sqrt(p * (1 - p) / n));
}

TEST(Dropout, IdentityInEvaluationAndReproducible) {
    Generator gen(10);
    const Tensor x = randn({4, 5}, gen);
    EXPECT_TRUE(nn::dropout(x, 0.5, false, gen).shares_storage(x));
    EXPECT_TRUE(nn::dropout(x, 0.0, true, gen).shares_storage(x));
    EXPECT_EQ(sum(abs(nn::dropout(x, 1.0, true, gen))).item(), 0.0);
    Generator a(11), b(11);
    EXPECT_EQ(nn::dropout(x, 0.5, true, a).to_vector(), nn::dropout(x, 0.5, true, b).to_vector());
    nn::Dropout drop(0.5, &a);
    drop.eval();
    EXPECT_EQ(drop(x).to_vector(), x.to_vector());
    drop.train();
    EXPECT_NE(drop(x).to_vector(), x.to_vector());
    EXPECT_THROW(nn::Dropout(1.5), Error);
}

}  // namespace
