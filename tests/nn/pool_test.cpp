// Pooling and upsampling against hand-computed values: max pooling picks each window's maximum
// and sends the gradient there; average pooling takes the window mean (padding counted as zeros);
// nearest upsampling repeats each pixel s×s times and its backward sums the block; the modules
// match the functions; bad options give one clear error.
#include <gtest/gtest.h>

#include "gibbs/nn/conv.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {

// x = [[ 1, 5, 2, 0],
//      [ 3, 4, 8, 7],
//      [-1, 0, 6, 6],
//      [ 9, 2, 1, 3]]   (one image, one channel)
Tensor example() {
    return Tensor::from({1, 5, 2, 0, 3, 4, 8, 7, -1, 0, 6, 6, 9, 2, 1, 3}, {1, 1, 4, 4});
}

TEST(MaxPool2d, PicksWindowMaxima) {
    Tensor x = example().requires_grad_();
    const Tensor y = nn::max_pool2d(x, {.kernel = 2});
    EXPECT_EQ(y.to_vector(), (std::vector<double>{5, 8, 9, 6}));
    // ∂(Σ y ⊙ w)/∂x puts w at each window's argmax; at the tie 6, 6 the first one gets it.
    sum(y * Tensor::from({1, 2, 3, 4}, {1, 1, 2, 2})).backward();
    EXPECT_EQ(x.grad().to_vector(),
              (std::vector<double>{0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 3, 0, 0, 0}));
}

TEST(MaxPool2d, OverlappingWindowsWithPadding) {
    // kernel 3, stride 2, padding 1 on 4×4: windows rows/cols {−1,0,1}, {1,2,3}
    const Tensor y = nn::max_pool2d(example(), {.kernel = 3, .stride = 2, .padding = 1});
    EXPECT_EQ(y.to_vector(), (std::vector<double>{5, 8, 9, 8}));
    // All-negative input: padding is −∞, not 0.
    const Tensor neg =
        nn::max_pool2d(example() * -1.0 - 20.0, {.kernel = 3, .stride = 2, .padding = 1});
    EXPECT_EQ(neg.to_vector(), (std::vector<double>{-21, -20, -19, -20}));
}

TEST(MaxPool2d, ManyPlanesMatchEachPlane) {
    // Large enough to run on threads: each plane's result equals pooling that plane alone.
    Generator gen(1);
    const Tensor x = randn({8, 16, 28, 28}, gen);
    const Tensor y = nn::max_pool2d(x, {.kernel = 2});
    EXPECT_EQ(y.shape(), Shape({8, 16, 14, 14}));
    for (int64_t n : {0, 5})
        for (int64_t c : {0, 11}) {
            const Tensor one = nn::max_pool2d(x.narrow(0, n, 1).narrow(1, c, 1), {.kernel = 2});
            EXPECT_EQ(one.to_vector(), y.narrow(0, n, 1).narrow(1, c, 1).to_vector());
        }
    const auto xv = x.narrow(0, 3, 1).narrow(1, 2, 1).to_vector();
    EXPECT_FLOAT_EQ(y.at({3, 2, 4, 5}),
                    std::max({xv[8 * 28 + 10], xv[8 * 28 + 11], xv[9 * 28 + 10], xv[9 * 28 + 11]}));
}

TEST(AvgPool2d, WindowMeans) {
    const Tensor y = nn::avg_pool2d(example(), {.kernel = 2});
    EXPECT_EQ(y.to_vector(), (std::vector<double>{13 / 4.0, 17 / 4.0, 10 / 4.0, 16 / 4.0}));
    // padding 1, kernel 2, stride 2 on 4×4 -> 3×3; the corner window holds only x[0,0]
    const Tensor p = nn::avg_pool2d(example(), {.kernel = 2, .stride = 2, .padding = 1});
    EXPECT_EQ(p.shape(), Shape({1, 1, 3, 3}));
    EXPECT_DOUBLE_EQ(p.at({0, 0, 0, 0}), 1 / 4.0);
    EXPECT_DOUBLE_EQ(p.at({0, 0, 1, 1}), (4 + 8 + 0 + 6) / 4.0);
    EXPECT_DOUBLE_EQ(p.at({0, 0, 2, 2}), 3 / 4.0);
}

TEST(UpsampleNearest2d, RepeatsPixelsAndSumsBlocks) {
    Tensor x = Tensor::from({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3}).requires_grad_();
    const Tensor y = nn::upsample_nearest2d(x, 2);
    EXPECT_EQ(y.shape(), Shape({1, 1, 4, 6}));
    EXPECT_EQ(y.to_vector(), (std::vector<double>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,
                                                  4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}));
    sum(y * y).backward();  // ∂/∂x Σ y² = Σ over the block of 2y = 4 · 2x
    EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{8, 16, 24, 32, 40, 48}));
}

TEST(PoolModules, MatchFunctionsAndComposeInSequential) {
    Generator gen(2);
    const Tensor x = randn({2, 3, 8, 6}, gen);
    EXPECT_EQ(nn::MaxPool2d(2)(x).to_vector(), nn::max_pool2d(x, {.kernel = 2}).to_vector());
    EXPECT_EQ(nn::AvgPool2d(3, 1, 1)(x).to_vector(),
              nn::avg_pool2d(x, {.kernel = 3, .stride = 1, .padding = 1}).to_vector());
    EXPECT_EQ(nn::Upsample(2)(x).shape(), Shape({2, 3, 16, 12}));
    nn::Sequential net{nn::Conv2d(3, 4, 3, {.padding = 1, .generator = &gen}), nn::ReLU(),
                       nn::MaxPool2d(2), nn::Flatten(), nn::Linear(4 * 4 * 3, 5)};
    EXPECT_EQ(net(x).shape(), Shape({2, 5}));
}

TEST(Pool2d, BadOptionsNameTheProblem) {
    const Tensor x = Tensor::zeros({1, 1, 4, 4});
    EXPECT_THROW(nn::max_pool2d(x, {.kernel = 0}), Error);
    EXPECT_THROW(nn::max_pool2d(x, {.kernel = 2, .padding = 2}), Error);
    EXPECT_THROW(nn::avg_pool2d(x, {.kernel = 5}), Error);
    EXPECT_THROW(nn::avg_pool2d(Tensor::zeros({4, 4}), {.kernel = 2}), Error);
    EXPECT_THROW(nn::upsample_nearest2d(x, 0), Error);
    try {
        nn::max_pool2d(x, {.kernel = 5});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("max_pool2d: kernel 5 larger than the input 4x4"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
