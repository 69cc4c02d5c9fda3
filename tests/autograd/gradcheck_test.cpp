// Every primitive op's backward against central finite differences in float64 (relative error
// < 1e-6), one table row per op: broadcasting in both directions, reductions over each axis,
// views, and the fused layer-3 kernels. Inputs are kept away from kinks (|x| ≥ 0.1 where an op
// has one) and from the edges of the domain (log, sqrt, pow of positive inputs).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/autograd/ops.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;
using Inputs = std::vector<Tensor>;

namespace {

// Values uniform on [lo, hi] with |x| ≥ 0.1 (away from kinks at 0).
Tensor input(const Shape& shape, uint64_t seed, double lo = -2.0, double hi = 2.0) {
    Generator gen(seed);
    Tensor t = Tensor::empty(shape, DType::f64);
    double* p = t.data<double>();
    for (int64_t i = 0; i < t.numel(); ++i) {
        double v;
        do v = gen.uniform(lo, hi);
        while (std::abs(v) < 0.1);
        p[i] = v;
    }
    return t;
}
Tensor positive(const Shape& shape, uint64_t seed) { return input(shape, seed, 0.5, 2.0); }

struct Row {
    std::string name;
    std::function<Tensor(const Inputs&)> f;
    Inputs inputs;
};

std::vector<Row> rows() {
    const Shape m{3, 4};
    return {
        {"add", [](const Inputs& x) { return x[0] + x[1]; }, {input(m, 1), input(m, 2)}},
        {"add broadcast row",
         [](const Inputs& x) { return x[0] + x[1]; },
         {input(m, 1), input({4}, 2)}},
        {"add broadcast column",
         [](const Inputs& x) { return x[0] + x[1]; },
         {input({3, 1}, 1), input({1, 4}, 2)}},
        {"add broadcast 3-d",
         [](const Inputs& x) { return x[0] + x[1]; },
         {input({2, 3, 4}, 1), input({3, 1}, 2)}},
        {"sub", [](const Inputs& x) { return x[0] - x[1]; }, {input(m, 3), input({4}, 4)}},
        {"mul", [](const Inputs& x) { return x[0] * x[1]; }, {input(m, 5), input(m, 6)}},
        {"mul broadcast",
         [](const Inputs& x) { return x[0] * x[1]; },
         {input({3, 1}, 5), input(m, 6)}},
        {"div", [](const Inputs& x) { return x[0] / x[1]; }, {input(m, 7), positive(m, 8)}},
        {"div broadcast",
         [](const Inputs& x) { return x[0] / x[1]; },
         {input(m, 7), positive({4}, 8)}},
        {"neg", [](const Inputs& x) { return -x[0]; }, {input(m, 9)}},
        {"add_scalar", [](const Inputs& x) { return x[0] + 2.5; }, {input(m, 10)}},
        {"mul_scalar", [](const Inputs& x) { return x[0] * -1.5; }, {input(m, 11)}},
        {"rdiv_scalar", [](const Inputs& x) { return 2.0 / x[0]; }, {positive(m, 12)}},
        {"maximum",
         [](const Inputs& x) { return maximum(x[0], x[1]); },
         {input(m, 13), input(m, 14)}},
        {"minimum",
         [](const Inputs& x) { return minimum(x[0], x[1]); },
         {input(m, 15), input({4}, 16)}},
        {"exp", [](const Inputs& x) { return exp(x[0]); }, {input(m, 17)}},
        {"log", [](const Inputs& x) { return log(x[0]); }, {positive(m, 18)}},
        {"sqrt", [](const Inputs& x) { return sqrt(x[0]); }, {positive(m, 19)}},
        {"square", [](const Inputs& x) { return square(x[0]); }, {input(m, 20)}},
        {"pow", [](const Inputs& x) { return pow(x[0], 2.7); }, {positive(m, 21)}},
        {"abs", [](const Inputs& x) { return abs(x[0]); }, {input(m, 22)}},
        {"sin", [](const Inputs& x) { return sin(x[0]); }, {input(m, 23)}},
        {"cos", [](const Inputs& x) { return cos(x[0]); }, {input(m, 24)}},
        {"clamp", [](const Inputs& x) { return clamp(x[0], -1.05, 1.05); }, {input(m, 25)}},
        {"tanh", [](const Inputs& x) { return tanh(x[0]); }, {input(m, 26)}},
        {"sigmoid", [](const Inputs& x) { return sigmoid(x[0]); }, {input(m, 27, -6, 6)}},
        {"relu", [](const Inputs& x) { return relu(x[0]); }, {input(m, 28)}},
        {"leaky_relu", [](const Inputs& x) { return leaky_relu(x[0], 0.1); }, {input(m, 29)}},
        {"elu", [](const Inputs& x) { return elu(x[0], 0.7); }, {input(m, 30)}},
        {"gelu", [](const Inputs& x) { return gelu(x[0]); }, {input(m, 31)}},
        {"silu", [](const Inputs& x) { return silu(x[0]); }, {input(m, 32)}},
        {"softplus", [](const Inputs& x) { return softplus(x[0]); }, {input(m, 33, -30, 30)}},
        {"log1p", [](const Inputs& x) { return log1p(x[0]); }, {positive(m, 34)}},
        {"where",
         [](const Inputs& x) { return where(gt(x[0], Tensor::scalar(0, DType::f64)), x[1], x[2]); },
         {input(m, 35), input(m, 36), input({4}, 37)}},
        {"sum all", [](const Inputs& x) { return sum(x[0]); }, {input({2, 3, 4}, 38)}},
        {"sum axis 0", [](const Inputs& x) { return sum(x[0], 0); }, {input({2, 3, 4}, 39)}},
        {"sum axis 1 keepdim",
         [](const Inputs& x) { return sum(x[0], 1, true); },
         {input({2, 3, 4}, 40)}},
        {"sum axis 2", [](const Inputs& x) { return sum(x[0], 2); }, {input({2, 3, 4}, 41)}},
        {"sum axes 0,2",
         [](const Inputs& x) {
             return sum(x[0], std::vector<int>{0, 2});
         },
         {input({2, 3, 4}, 42)}},
        {"mean all", [](const Inputs& x) { return mean(x[0]); }, {input(m, 43)}},
        {"mean axis 0", [](const Inputs& x) { return mean(x[0], 0); }, {input(m, 44)}},
        {"mean axis 1", [](const Inputs& x) { return mean(x[0], 1, true); }, {input(m, 45)}},
        {"max axis 0", [](const Inputs& x) { return max(x[0], 0); }, {input({3, 4, 2}, 46)}},
        {"max axis 1", [](const Inputs& x) { return max(x[0], 1, true); }, {input({3, 4, 2}, 47)}},
        {"max axis 2", [](const Inputs& x) { return max(x[0], 2); }, {input({3, 4, 2}, 48)}},
        {"logsumexp axis 0", [](const Inputs& x) { return logsumexp(x[0], 0); }, {input(m, 49)}},
        {"logsumexp axis 1",
         [](const Inputs& x) { return logsumexp(x[0], 1, true); },
         {input(m, 50)}},
        {"reshape",
         [](const Inputs& x) {
             return reshape(x[0], {2, -1}) * x[1];
         },
         {input(m, 51), input({2, 6}, 52)}},
        {"reshape of transposed",
         [](const Inputs& x) { return reshape(transpose(x[0], 0, 1), {12}) * x[1]; },
         {input(m, 53), input({12}, 54)}},
        {"transpose",
         [](const Inputs& x) { return transpose(x[0], 0, 1) * x[1]; },
         {input(m, 55), input({4, 3}, 56)}},
        {"permute",
         [](const Inputs& x) {
             return permute(x[0], {2, 0, 1}) * x[1];
         },
         {input({2, 3, 4}, 57), input({4, 2, 3}, 58)}},
        {"narrow",
         [](const Inputs& x) { return narrow(x[0], 1, 1, 2) * x[1]; },
         {input(m, 59), input({3, 2}, 60)}},
        {"unsqueeze squeeze",
         [](const Inputs& x) { return squeeze(unsqueeze(x[0], 1) * x[1], 1); },
         {input(m, 61), input({3, 1, 4}, 62)}},
        {"expand",
         [](const Inputs& x) {
             return expand(x[0], {3, 4}) * x[1];
         },
         {input({3, 1}, 63), input(m, 64)}},
        {"cat axis 0",
         [](const Inputs& x) {
             return cat({x[0], x[1]}, 0);
         },
         {input(m, 65), input({2, 4}, 66)}},
        {"cat axis 1",
         [](const Inputs& x) {
             return cat({x[0], x[1]}, 1);
         },
         {input(m, 67), input({3, 2}, 68)}},
        {"stack",
         [](const Inputs& x) {
             return stack({x[0], x[1]}, 1);
         },
         {input(m, 69), input(m, 70)}},
        {"index_select",
         [](const Inputs& x) {
             return index_select(x[0], 0, {2, 0, 2});
         },
         {input(m, 71)}},
        {"index_select axis 1",
         [](const Inputs& x) {
             return index_select(x[0], 1, {3, 1});
         },
         {input(m, 72)}},
        {"matmul",
         [](const Inputs& x) { return matmul(x[0], x[1]); },
         {input({3, 4}, 73), input({4, 5}, 74)}},
        {"matmul transposed views",
         [](const Inputs& x) { return matmul(x[0].t(), x[1].t()); },
         {input({4, 3}, 75), input({5, 4}, 76)}},
        {"matmul batched",
         [](const Inputs& x) { return matmul(x[0], x[1]); },
         {input({2, 3, 4}, 77), input({2, 4, 5}, 78)}},
        {"matmul batched by matrix",
         [](const Inputs& x) { return matmul(x[0], x[1]); },
         {input({2, 3, 4}, 79), input({4, 5}, 80)}},
        {"matmul matrix by batched",
         [](const Inputs& x) { return matmul(x[0], x[1]); },
         {input({3, 4}, 81), input({2, 4, 5}, 82)}},
        {"matmul vector",
         [](const Inputs& x) { return matmul(x[0], x[1]); },
         {input({4}, 83), input({4, 5}, 84)}},
        {"matmul matrix vector",
         [](const Inputs& x) { return matmul(x[0], x[1]); },
         {input(m, 85), input({4}, 86)}},
        {"linear",
         [](const Inputs& x) { return nn::linear(x[0], x[1], x[2]); },
         {input({5, 4}, 87), input({3, 4}, 88), input({3}, 89)}},
        {"linear 3-d input",
         [](const Inputs& x) { return nn::linear(x[0], x[1], x[2]); },
         {input({2, 5, 4}, 90), input({3, 4}, 91), input({3}, 92)}},
        {"softmax", [](const Inputs& x) { return nn::softmax(x[0], -1); }, {input(m, 93)}},
        {"softmax axis 0", [](const Inputs& x) { return nn::softmax(x[0], 0); }, {input(m, 94)}},
        {"log_softmax", [](const Inputs& x) { return nn::log_softmax(x[0], 1); }, {input(m, 95)}},
        {"cross_entropy",
         [](const Inputs& x) {
             return nn::cross_entropy(x[0], std::vector<int64_t>{1, 0, 3});
         },
         {input(m, 96)}},
        {"mse_loss",
         [](const Inputs& x) { return nn::mse_loss(x[0], x[1]); },
         {input(m, 97), input(m, 98)}},
        {"bce_with_logits",
         [](const Inputs& x) { return nn::binary_cross_entropy_with_logits(x[0], x[1]); },
         {input(m, 99), input(m, 100, 0.0, 1.0)}},
    };
}

class Gradcheck : public ::testing::TestWithParam<Row> {};

TEST_P(Gradcheck, MatchesCentralDifferences) {
    const Row& row = GetParam();
    const auto result = autograd::gradcheck(row.f, row.inputs);
    EXPECT_TRUE(result.ok) << row.name << ": " << result.message;
    EXPECT_LT(result.max_error, 1e-6) << row.name;
}

INSTANTIATE_TEST_SUITE_P(EveryOp, Gradcheck, ::testing::ValuesIn(rows()), [](const auto& info) {
    std::string name = info.param.name;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
});

}  // namespace
