// Layer 3: the fused kernels equal the composition of primitive ops (forward and gradients),
// losses equal their definitions, modules name their parameters, initializers have the stated
// variances.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/nn/layers.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {
void expect_close(const Tensor& a, const Tensor& b, double tol, const char* what) {
    ASSERT_EQ(a.shape(), b.shape()) << what;
    const auto x = a.to_vector(), y = b.to_vector();
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], tol) << what << " element " << i;
}

// Runs f on fresh leaves copied from `inputs`, returns (output, gradients of Σ output ⊙ w).
std::pair<Tensor, std::vector<Tensor>> value_and_grads(
    const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs) {
    std::vector<Tensor> leaves;
    for (const Tensor& t : inputs) leaves.push_back(t.clone().requires_grad_());
    Tensor out = f(leaves);
    Generator gen(99);
    sum(out * uniform(out.shape(), 0.5, 1.5, gen, out.dtype())).backward();
    std::vector<Tensor> grads;
    for (const Tensor& t : leaves) grads.push_back(t.grad());
    return {out.detach(), grads};
}

void expect_same_function(const std::function<Tensor(const std::vector<Tensor>&)>& fused,
                          const std::function<Tensor(const std::vector<Tensor>&)>& composed,
                          const std::vector<Tensor>& inputs, const char* what) {
    const auto [y1, g1] = value_and_grads(fused, inputs);
    const auto [y2, g2] = value_and_grads(composed, inputs);
    expect_close(y1, y2, 1e-12, what);
    for (size_t i = 0; i < g1.size(); ++i) expect_close(g1[i], g2[i], 1e-12, what);
}
}  // namespace

TEST(Functional, FusedLinearEqualsMatmulPlusBias) {
    Generator gen(1);
    const std::vector<Tensor> in = {randn({6, 5}, gen, DType::f64), randn({4, 5}, gen, DType::f64),
                                    randn({4}, gen, DType::f64)};
    expect_same_function([](const auto& x) { return nn::linear(x[0], x[1], x[2]); },
                         [](const auto& x) { return matmul(x[0], x[1].t()) + x[2]; }, in, "linear");
}

TEST(Functional, FusedSoftmaxAndLogSoftmaxEqualCompositions) {
    Generator gen(2);
    const std::vector<Tensor> in = {randn({5, 7}, gen, DType::f64)};
    expect_same_function([](const auto& x) { return nn::softmax(x[0], 1); },
                         [](const auto& x) { return exp(x[0] - logsumexp(x[0], 1, true)); }, in,
                         "softmax");
    expect_same_function([](const auto& x) { return nn::log_softmax(x[0], 1); },
                         [](const auto& x) { return x[0] - logsumexp(x[0], 1, true); }, in,
                         "log_softmax");
}

TEST(Functional, FusedCrossEntropyEqualsComposition) {
    // L = −(1/N) Σᵢ log softmax(zᵢ)[yᵢ], composed with a one-hot mask.
    Generator gen(3);
    const std::vector<int64_t> labels = {2, 0, 4, 4, 1};
    Tensor onehot = Tensor::zeros({5, 5}, DType::f64);
    for (int i = 0; i < 5; ++i) onehot.set({i, labels[i]}, 1.0);
    const std::vector<Tensor> in = {randn({5, 5}, gen, DType::f64) * 3.0};
    expect_same_function(
        [&](const auto& x) { return nn::cross_entropy(x[0], labels); },
        [&](const auto& x) { return -sum(onehot * nn::log_softmax(x[0], 1)) / 5.0; }, in,
        "cross_entropy");
}

TEST(Functional, CrossEntropyIsStableForHugeLogits) {
    // Logits (1000, 0) with label 0: loss = log(1 + e⁻¹⁰⁰⁰) ≈ 0; label 1: loss ≈ 1000.
    const Tensor z = Tensor::from({1000, 0, 1000, 0}, {2, 2}, DType::f32);
    EXPECT_NEAR(nn::cross_entropy(z, std::vector<int64_t>{0, 0}).item(), 0.0, 1e-6);
    EXPECT_NEAR(nn::cross_entropy(z, std::vector<int64_t>{1, 1}).item(), 1000.0, 1e-3);
    EXPECT_THROW(nn::cross_entropy(z, std::vector<int64_t>{0, 2}), Error);
}

TEST(Functional, LossesEqualDefinitions) {
    const Tensor p = Tensor::from({1, 2, 3}, {3}), t = Tensor::from({1.5, 2, 1}, {3});
    EXPECT_DOUBLE_EQ(nn::mse_loss(p, t).item(), (0.25 + 0 + 4) / 3);
    // BCE with logits z and targets y: mean of −[y log σ(z) + (1 − y) log(1 − σ(z))].
    const Tensor z = Tensor::from({-2, 0.5, 8}, {3}), y = Tensor::from({0, 1, 1}, {3});
    double expected = 0;
    for (int i = 0; i < 3; ++i) {
        const double s = 1 / (1 + std::exp(-z.at({i})));
        expected -= y.at({i}) * std::log(s) + (1 - y.at({i})) * std::log(1 - s);
    }
    EXPECT_NEAR(nn::binary_cross_entropy_with_logits(z, y).item(), expected / 3, 1e-12);
    EXPECT_THROW(nn::mse_loss(p, Tensor::zeros({4}, DType::f64)), Error);
}

TEST(Functional, Penalties) {
    const Tensor a = Tensor::from({1, -2}, {2}), b = Tensor::from({3}, {1});
    EXPECT_DOUBLE_EQ(nn::l1_penalty({a, b}, 0.5).item(), 0.5 * 6);
    EXPECT_DOUBLE_EQ(nn::l2_penalty({a, b}, 0.5).item(), 0.5 * 14);
}

TEST(Module, NamedParametersRecursive) {
    struct Net : nn::Module {
        std::shared_ptr<nn::Sequential> layers;
        Net() {
            layers = register_module(
                "layers", std::make_shared<nn::Sequential>(nn::Linear(3, 4), nn::ReLU(),
                                                           nn::Linear(4, 2, {.bias = false})));
        }
        Tensor forward(const Tensor& x) override { return (*layers)(x); }
    } net;
    std::vector<std::string> names;
    for (const auto& [name, t] : net.named_parameters()) names.push_back(name);
    EXPECT_EQ(names,
              (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight"}));
    EXPECT_EQ(net.parameter_count(), 3 * 4 + 4 + 4 * 2);
    for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.requires_grad());
    net.eval();
    EXPECT_FALSE(net.layers->is_training());
    EXPECT_FALSE((*net.layers)[0].is_training());
    net.train();
    EXPECT_TRUE((*net.layers)[2].is_training());
    // to(float64) keeps the members and the registered parameters the same tensors.
    net.to(DType::f64);
    EXPECT_EQ(net.parameters()[0].dtype(), DType::f64);
    EXPECT_EQ(net(Tensor::ones({5, 3}, DType::f64)).shape(), (Shape{5, 2}));
}

TEST(Init, VariancesMatchFormulas) {
    // Var U(−a, a) = a²/3: Xavier uniform gives 2/(fan_in + fan_out); He normal gives 2/fan_in.
    Generator gen(5);
    Tensor w = Tensor::empty({400, 300}, DType::f64);
    auto variance = [](const Tensor& t) {
        const double m = mean(t).item();
        return mean(square(t - m)).item();
    };
    const double n = 400 * 300;
    nn::xavier_uniform_(w, gen);
    const double vx = 2.0 / 700;  // sd of the sample variance of U(−a,a): √((a⁴/5 − a⁴/9)/n)
    EXPECT_NEAR(variance(w), vx, 3 * std::sqrt((9.0 / 5 - 1) * vx * vx / n));
    nn::he_normal_(w, gen);
    const double vh = 2.0 / 300;  // normal: sd of the sample variance √(2/n) σ²
    EXPECT_NEAR(variance(w), vh, 3 * std::sqrt(2.0 / n) * vh);
}
