// The data loader and dataset helpers: every example once per epoch, seeded shuffling that
// repeats and resumes from the generator state, uniform permutations (Fisher–Yates), drop_last,
// the validation split, scaling, binarization and standardization.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "gibbs/data/loader.hpp"

using namespace gibbs;
using data::Batch;
using data::DataLoader;
using data::TensorDataset;

namespace {

// N examples whose features are (i, 10 i) and whose label is i mod 3, so that a row tells its
// index and the label must travel with it.
TensorDataset indexed(int64_t n) {
    TensorDataset d;
    d.x = Tensor::empty({n, 2});
    float* p = d.x.data<float>();
    for (int64_t i = 0; i < n; ++i) {
        p[2 * i] = static_cast<float>(i);
        p[2 * i + 1] = static_cast<float>(10 * i);
        d.labels.push_back(i % 3);
    }
    d.num_classes = 3;
    return d;
}

// The example indices of one epoch, in order, checking each batch's rows and labels agree.
std::vector<int64_t> epoch_order(DataLoader& loader, std::vector<int64_t>* sizes = nullptr) {
    std::vector<int64_t> order;
    for (const Batch& b : loader.epoch()) {
        EXPECT_TRUE(b.x.is_contiguous());
        EXPECT_EQ(static_cast<int64_t>(b.labels.size()), b.size());
        const float* p = b.x.data<float>();
        for (int64_t r = 0; r < b.size(); ++r) {
            const auto i = static_cast<int64_t>(p[2 * r]);
            EXPECT_EQ(p[2 * r + 1], 10.0f * i);
            EXPECT_EQ(b.labels[r], i % 3);
            order.push_back(i);
        }
        if (sizes) sizes->push_back(b.size());
    }
    return order;
}

}  // namespace

TEST(DataLoader, VisitsEveryExampleOncePerEpoch) {
    const TensorDataset d = indexed(103);
    DataLoader loader(d, {.batch_size = 10, .seed = 7});
    EXPECT_EQ(loader.batches_per_epoch(), 11);
    for (int epoch = 0; epoch < 3; ++epoch) {
        std::vector<int64_t> sizes;
        std::vector<int64_t> order = epoch_order(loader, &sizes);
        ASSERT_EQ(order.size(), 103u);
        EXPECT_EQ(sizes.size(), 11u);
        EXPECT_EQ(sizes.back(), 3);  // the last partial batch is kept
        std::sort(order.begin(), order.end());
        for (int64_t i = 0; i < 103; ++i) EXPECT_EQ(order[i], i);
    }
}

TEST(DataLoader, DropLastDropsOnlyThePartialBatch) {
    const TensorDataset d = indexed(103);
    DataLoader loader(d, {.batch_size = 10, .drop_last = true, .seed = 7});
    EXPECT_EQ(loader.batches_per_epoch(), 10);
    EXPECT_EQ(loader.examples_per_epoch(), 100);
    std::vector<int64_t> sizes;
    const std::vector<int64_t> order = epoch_order(loader, &sizes);
    EXPECT_EQ(order.size(), 100u);
    EXPECT_EQ(std::set<int64_t>(order.begin(), order.end()).size(), 100u);  // no repeats
    for (int64_t s : sizes) EXPECT_EQ(s, 10);
    // An exact multiple loses nothing.
    const TensorDataset e = indexed(30);
    DataLoader exact(e, {.batch_size = 10, .drop_last = true});
    EXPECT_EQ(epoch_order(exact).size(), 30u);
}

TEST(DataLoader, WithoutShuffleKeepsOrder) {
    const TensorDataset d = indexed(25);
    DataLoader loader(d, {.batch_size = 4, .shuffle = false});
    std::vector<int64_t> expected(25);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(epoch_order(loader), expected);
    EXPECT_EQ(epoch_order(loader), expected);
}

TEST(DataLoader, ShufflingRepeatsWithTheSeedAndChangesEachEpoch) {
    const TensorDataset d = indexed(50);
    DataLoader a(d, {.batch_size = 8, .seed = 42}), b(d, {.batch_size = 8, .seed = 42}),
        c(d, {.batch_size = 8, .seed = 43});
    const auto a1 = epoch_order(a), a2 = epoch_order(a);
    EXPECT_EQ(a1, epoch_order(b));
    EXPECT_EQ(a2, epoch_order(b));
    EXPECT_NE(a1, a2);
    EXPECT_NE(a1, epoch_order(c));
}

TEST(DataLoader, GeneratorStateResumesTheSameEpochs) {
    // A loader restored from the state saved after epoch 1 draws epochs 2 and 3 as the original.
    const TensorDataset d = indexed(40);
    DataLoader original(d, {.batch_size = 6, .seed = 5});
    epoch_order(original);
    const Generator::State saved = original.state();
    const auto e2 = epoch_order(original), e3 = epoch_order(original);
    DataLoader resumed(d, {.batch_size = 6, .seed = 999});
    resumed.set_state(saved);
    EXPECT_EQ(epoch_order(resumed), e2);
    EXPECT_EQ(epoch_order(resumed), e3);
}

TEST(DataLoader, PermutationsOfThreeAreUniform) {
    // Fisher–Yates gives each of the 3! = 6 orders probability 1/6. Over E = 6000 epochs each
    // count's frequency has standard error √(p(1−p)/E) = 0.0048; allow three.
    const TensorDataset d = indexed(3);
    DataLoader loader(d, {.batch_size = 3, .seed = 11});
    std::map<std::vector<int64_t>, int> counts;
    const int E = 6000;
    for (int e = 0; e < E; ++e) ++counts[epoch_order(loader)];
    ASSERT_EQ(counts.size(), 6u);
    const double p = 1.0 / 6, se = std::sqrt(p * (1 - p) / E);
    for (const auto& [order, n] : counts) EXPECT_NEAR(n / double(E), p, 3 * se);
}

TEST(DataLoader, RejectsBadBatchSize) {
    const TensorDataset d = indexed(5);
    EXPECT_THROW(DataLoader(d, {.batch_size = 0}), Error);
}

TEST(Dataset, ValidationSplitIsSeededDisjointAndComplete) {
    const TensorDataset d = indexed(1000);
    auto [train, val] = data::train_validation_split(d, 0.1, 3);
    EXPECT_EQ(val.size(), 100);
    EXPECT_EQ(train.size(), 900);
    std::set<int64_t> seen;
    for (const TensorDataset* part : {&train, &val}) {
        const float* p = part->x.data<float>();
        int64_t previous = -1;
        for (int64_t r = 0; r < part->size(); ++r) {
            const auto i = static_cast<int64_t>(p[2 * r]);
            EXPECT_GT(i, previous);  // each part keeps the dataset's order
            previous = i;
            EXPECT_EQ(part->labels[r], i % 3);
            EXPECT_TRUE(seen.insert(i).second) << i << " is in both parts";
        }
    }
    EXPECT_EQ(seen.size(), 1000u);
    auto [train2, val2] = data::train_validation_split(d, 0.1, 3);
    EXPECT_EQ(val2.x.to_vector(), val.x.to_vector());
    auto [train3, val3] = data::train_validation_split(d, 0.1, 4);
    EXPECT_NE(val3.x.to_vector(), val.x.to_vector());
    EXPECT_THROW(data::train_validation_split(d, 1.0, 3), Error);
    EXPECT_THROW(data::train_validation_split(d, -0.1, 3), Error);
}

TEST(Dataset, ImagesScaleToUnitInterval) {
    // Pixel bytes b become b / 255: 0 -> 0, 255 -> 1, 51 -> 0.2.
    data::IdxArray images{{2, 2, 2}, {0, 255, 51, 102, 1, 2, 3, 4}};
    data::IdxArray labels{{2}, {3, 1}};
    const TensorDataset flat = data::images_dataset(images, labels, 10);
    EXPECT_EQ(flat.x.shape(), Shape({2, 4}));
    EXPECT_FLOAT_EQ(flat.x.at({0, 1}), 1.0f);
    EXPECT_FLOAT_EQ(flat.x.at({0, 2}), 0.2f);
    EXPECT_EQ(flat.labels, (std::vector<int64_t>{3, 1}));
    const TensorDataset image = data::images_dataset(images, labels, 10, false);
    EXPECT_EQ(image.x.shape(), Shape({2, 1, 2, 2}));
    data::IdxArray short_labels{{1}, {0}};
    EXPECT_THROW(data::images_dataset(images, short_labels, 10), Error);
}

TEST(Dataset, ScaleToUnitAndBinarize) {
    // (x − min) / (max − min) for x = (−2, 0, 6): (0, 0.25, 1); binarize at 0.5: (0, 0, 1).
    const Tensor x = Tensor::from({-2, 0, 6}, {3}, DType::f32);
    EXPECT_EQ(data::scale_to_unit(x).to_vector(), (std::vector<double>{0, 0.25, 1}));
    EXPECT_EQ(data::binarize(data::scale_to_unit(x)).to_vector(), (std::vector<double>{0, 0, 1}));
    EXPECT_EQ(data::binarize(x, -1).to_vector(), (std::vector<double>{0, 1, 1}));
    EXPECT_EQ(data::scale_to_unit(Tensor::full({2}, 3.0)).to_vector(), (std::vector<double>{0, 0}));
}

TEST(Dataset, StandardizerHasZeroMeanUnitVariance) {
    // Columns (1, 2, 3, 4) and (5, 5, 5, 5): means 2.5 and 5, population sd √1.25 and (constant)
    // 1; after standardizing, (x − 2.5)/√1.25, and inverting restores x.
    Tensor x = Tensor::from({1, 5, 2, 5, 3, 5, 4, 5}, {4, 2}, DType::f32);
    const data::Standardizer s = data::Standardizer::fit(x);
    EXPECT_DOUBLE_EQ(s.mean[0], 2.5);
    EXPECT_DOUBLE_EQ(s.mean[1], 5.0);
    EXPECT_DOUBLE_EQ(s.std[0], std::sqrt(1.25));
    EXPECT_DOUBLE_EQ(s.std[1], 1.0);
    Tensor z = x.clone();
    s.apply_(z);
    EXPECT_NEAR(z.at({0, 0}), (1 - 2.5) / std::sqrt(1.25), 1e-6);
    EXPECT_EQ(z.at({3, 1}), 0.0);
    s.invert_(z);
    const auto back = z.to_vector(), orig = x.to_vector();
    for (size_t i = 0; i < orig.size(); ++i) EXPECT_NEAR(back[i], orig[i], 1e-6);
}

TEST(Dataset, ValidateNamesTheBadExample) {
    TensorDataset d = indexed(4);
    d.x.set({2, 1}, std::nan(""));
    try {
        d.validate("demo.csv");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("demo.csv: a feature of example 2"), std::string::npos)
            << e.what();
    }
    TensorDataset bad_label = indexed(4);
    bad_label.labels[1] = 7;
    EXPECT_THROW(bad_label.validate("x"), Error);
}

TEST(Dataset, GatherRowsChecksIndices) {
    const TensorDataset d = indexed(4);
    const std::vector<int64_t> idx = {3, 0, 3};
    const Tensor g = data::gather_rows(d.x, idx);
    EXPECT_EQ(g.to_vector(), (std::vector<double>{3, 30, 0, 0, 3, 30}));
    const std::vector<int64_t> bad = {4};
    EXPECT_THROW(data::gather_rows(d.x, bad), Error);
}
