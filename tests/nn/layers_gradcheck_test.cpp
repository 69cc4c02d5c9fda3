// The image layers' backward against central finite differences in float64 (relative error
// < 1e-6), one table row per case: stride 2, padding 1, non-square images, batches > 1, with and
// without bias. Max pooling's inputs are distinct values spaced far apart compared with the
// finite-difference step, so no window's maximum changes under the perturbation.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <string>

#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/nn/conv.hpp"
#include "gibbs/nn/norm.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;
using Inputs = std::vector<Tensor>;

namespace {

Tensor input(const Shape& shape, uint64_t seed, double lo = -1.0, double hi = 1.0) {
    Generator gen(seed);
    return uniform(shape, lo, hi, gen, DType::f64);
}

// A random permutation of the values 0.01·k: every element distinct, gaps 0.01 ≫ eps.
Tensor distinct(const Shape& shape, uint64_t seed) {
    Generator gen(seed);
    const auto perm = randperm(shape.numel(), gen);
    std::vector<double> v(perm.size());
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01 * static_cast<double>(perm[i]) - 0.5;
    return Tensor::from(v, shape, DType::f64);
}

struct Row {
    std::string name;
    std::function<Tensor(const Inputs&)> f;
    Inputs inputs;
};

std::vector<Row> rows() {
    using nn::Conv2dFuncOptions;
    using nn::ConvTranspose2dFuncOptions;
    return {
        {"conv2d",
         [](const Inputs& x) { return nn::conv2d(x[0], x[1], x[2]); },
         {input({2, 3, 5, 4}, 1), input({4, 3, 3, 3}, 2), input({4}, 3)}},
        {"conv2d stride 2 padding 1",
         [](const Inputs& x) { return nn::conv2d(x[0], x[1], x[2], {.stride = 2, .padding = 1}); },
         {input({3, 2, 7, 5}, 4), input({3, 2, 3, 3}, 5), input({3}, 6)}},
        {"conv2d no bias non-square kernel",
         [](const Inputs& x) { return nn::conv2d(x[0], x[1], Tensor(), {.padding = 1}); },
         {input({2, 2, 4, 6}, 7), input({3, 2, 2, 3}, 8)}},
        {"conv2d 1x1",
         [](const Inputs& x) { return nn::conv2d(x[0], x[1], x[2]); },
         {input({2, 3, 4, 5}, 9), input({2, 3, 1, 1}, 10), input({2}, 11)}},
        {"conv2d stride 3 padding 2",
         [](const Inputs& x) { return nn::conv2d(x[0], x[1], x[2], {.stride = 3, .padding = 2}); },
         {input({2, 1, 8, 7}, 12), input({2, 1, 4, 4}, 13), input({2}, 14)}},
        {"conv2d_add residual",
         [](const Inputs& x) { return nn::conv2d_add(x[0], x[1], x[2], x[3], {.padding = 1}); },
         {input({2, 3, 5, 4}, 40), input({4, 3, 3, 3}, 41), input({4}, 42),
          input({2, 4, 5, 4}, 43)}},
        {"conv2d_add per image and channel, no bias",
         [](const Inputs& x) {
             return nn::conv2d_add(x[0], x[1], Tensor(), x[2], {.stride = 2, .padding = 1});
         },
         {input({3, 2, 7, 5}, 44), input({3, 2, 3, 3}, 45), input({3, 3, 1, 1}, 46)}},
        {"conv_transpose2d",
         [](const Inputs& x) { return nn::conv_transpose2d(x[0], x[1], x[2]); },
         {input({2, 3, 4, 5}, 15), input({3, 2, 3, 3}, 16), input({2}, 17)}},
        {"conv_transpose2d stride 2 padding 1 output_padding 1",
         [](const Inputs& x) {
             return nn::conv_transpose2d(x[0], x[1], x[2],
                                         {.stride = 2, .padding = 1, .output_padding = 1});
         },
         {input({2, 2, 3, 4}, 18), input({2, 3, 3, 3}, 19), input({3}, 20)}},
        {"conv_transpose2d stride 2 kernel 4 no bias",
         [](const Inputs& x) {
             return nn::conv_transpose2d(x[0], x[1], Tensor(), {.stride = 2, .padding = 1});
         },
         {input({1, 2, 3, 2}, 21), input({2, 2, 4, 4}, 22)}},
        {"max_pool2d",
         [](const Inputs& x) { return nn::max_pool2d(x[0], {.kernel = 2}); },
         {distinct({2, 3, 6, 4}, 23)}},
        {"max_pool2d kernel 3 stride 2 padding 1",
         [](const Inputs& x) {
             return nn::max_pool2d(x[0], {.kernel = 3, .stride = 2, .padding = 1});
         },
         {distinct({2, 2, 7, 5}, 24)}},
        {"avg_pool2d",
         [](const Inputs& x) { return nn::avg_pool2d(x[0], {.kernel = 2}); },
         {input({2, 3, 4, 6}, 25)}},
        {"avg_pool2d kernel 3 stride 2 padding 1",
         [](const Inputs& x) {
             return nn::avg_pool2d(x[0], {.kernel = 3, .stride = 2, .padding = 1});
         },
         {input({2, 2, 7, 5}, 26)}},
        {"upsample_nearest2d",
         [](const Inputs& x) { return nn::upsample_nearest2d(x[0], 2); },
         {input({2, 3, 3, 4}, 27)}},
        {"upsample_nearest2d scale 3",
         [](const Inputs& x) { return nn::upsample_nearest2d(x[0], 3); },
         {input({1, 2, 2, 3}, 28)}},
        {"batch_norm train 4-d",
         [](const Inputs& x) { return nn::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2]); },
         {input({3, 2, 3, 4}, 29), input({2}, 30, 0.5, 1.5), input({2}, 31)}},
        {"batch_norm train 2-d",
         [](const Inputs& x) { return nn::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2]); },
         {input({5, 3}, 32), input({3}, 33, 0.5, 1.5), input({3}, 34)}},
        {"batch_norm train no affine",
         [](const Inputs& x) {
             return nn::batch_norm(x[0], Tensor(), Tensor(), Tensor(), Tensor());
         },
         {input({4, 2, 3}, 35)}},
        {"batch_norm eval",
         [](const Inputs& x) {
             const Tensor rm = Tensor::from({0.2, -0.1}, {2}), rv = Tensor::from({0.8, 1.7}, {2});
             return nn::batch_norm(x[0], rm, rv, x[1], x[2], {.training = false});
         },
         {input({3, 2, 2, 3}, 36), input({2}, 37, 0.5, 1.5), input({2}, 38)}},
        {"group_norm",
         [](const Inputs& x) { return nn::group_norm(x[0], 2, x[1], x[2]); },
         {input({2, 4, 3, 2}, 39), input({4}, 40, 0.5, 1.5), input({4}, 41)}},
        {"group_norm one group",
         [](const Inputs& x) { return nn::group_norm(x[0], 1, x[1], x[2]); },
         {input({3, 3, 2, 3}, 42), input({3}, 43, 0.5, 1.5), input({3}, 44)}},
        {"group_norm groups = channels no affine",
         [](const Inputs& x) { return nn::group_norm(x[0], 3, Tensor(), Tensor()); },
         {input({2, 3, 4}, 45)}},
        {"dropout",
         [](const Inputs& x) {
             Generator gen(7);  // the same mask at every evaluation
             return nn::dropout(x[0], 0.3, true, gen);
         },
         {input({3, 4, 5}, 46)}},
    };
}

class LayersGradcheck : public ::testing::TestWithParam<Row> {};

TEST_P(LayersGradcheck, MatchesCentralDifferences) {
    const Row& row = GetParam();
    const auto result = autograd::gradcheck(row.f, row.inputs);
    EXPECT_TRUE(result.ok) << row.name << ": " << result.message;
    EXPECT_LT(result.max_error, 1e-6) << row.name;
}

INSTANTIATE_TEST_SUITE_P(EveryLayer, LayersGradcheck, ::testing::ValuesIn(rows()),
                         [](const auto& info) {
                             std::string name = info.param.name;
                             for (char& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });

}  // namespace
