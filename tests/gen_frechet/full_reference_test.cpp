// The full reference classifier (reference-fmnist-v1) and the image figures of `gibbs eval`.
// The classifier is built once into GIBBS_BINARY_DIR/cache (GIBBS_CACHE_DIR is pointed there, so
// the tests never touch the user's cache): the first run pays about a minute on one core, later
// runs load it.
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/run_cli.hpp"
#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/data/loader.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/gen/quality.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::gen {
namespace {

const char* kCache = GIBBS_BINARY_DIR "/cache";

data::TensorDataset fashion_mnist(data::Split split) {
    const data::LabeledImages raw = data::load_fashion_mnist(split);
    return data::images_dataset(raw.images, raw.labels, 10, /*flatten=*/false);
}

class FullReference : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        setenv("GIBBS_CACHE_DIR", kCache, 1);  // also for the `gibbs` the CLI test runs
        reference_ = new ReferenceClassifier(load_or_build_reference());
    }
    static void TearDownTestSuite() {
        delete reference_;
        reference_ = nullptr;
    }
    static ReferenceClassifier* reference_;
};
ReferenceClassifier* FullReference::reference_ = nullptr;

TEST_F(FullReference, IsAccurateAndSeparatesRealFromNoise) {
    const ReferenceClassifier& r = *reference_;
    EXPECT_EQ(r.settings(), ReferenceSettings{});
    EXPECT_GE(r.test_accuracy(), 0.88);
    const data::TensorDataset test = fashion_mnist(data::Split::kTest);
    EXPECT_DOUBLE_EQ(r.accuracy(test.x, test.labels), r.test_accuracy());
    const Tensor a = test.x.narrow(0, 0, 5000), b = test.x.narrow(0, 5000, 5000);
    const double real = r.frechet_distance(a, b);
    Generator gen(5);
    const double noise = r.frechet_distance(rand({5000, 1, 28, 28}, gen), b);
    EXPECT_GT(noise, 10 * real) << "real-vs-real " << real << ", noise-vs-real " << noise;
}

// A class-conditional "model" whose samples are training images of the asked class: its Fréchet
// distance to the test split is that of real images, and the classifier labels its samples about
// as accurately as the test split.
class TrainingImages : public GenerativeModel {
  public:
    TrainingImages() : data_(fashion_mnist(data::Split::kTrain)) {}
    std::string kind() const override { return "training-images"; }
    std::string data() const override { return "fashion-mnist"; }
    std::string describe() const override { return "Fashion-MNIST training images"; }
    int64_t classes() const override { return 10; }
    Tensor sample(int64_t n, Generator& gen, const SampleOptions& options) override {
        std::vector<int64_t> rows;
        while (static_cast<int64_t>(rows.size()) < n) {
            const int64_t i = gen.integer(0, data_.size());
            if (options.label < 0 || data_.labels[i] == options.label) rows.push_back(i);
        }
        return data_.select(rows).x;
    }

  private:
    data::TensorDataset data_;
};

TEST_F(FullReference, SampleQualityOfRealImages) {
    TrainingImages model;
    Generator gen(6);
    const nlohmann::json j =
        sample_quality(model, "fashion-mnist", gen, {.n = 2000, .model_figures = false});
    EXPECT_EQ(j.at("samples"), 2000);
    EXPECT_EQ(j.at("reference_accuracy").get<double>(), reference_->test_accuracy());
    // Training images are classified a little better than test images.
    EXPECT_GE(j.at("classifier_accuracy").get<double>(), reference_->test_accuracy() - 0.02);
    // 2000 samples against 10,000 test images has a larger finite-sample bias than 5000 vs 5000,
    // but stays of the same order, and far below noise (tested above).
    const double d = j.at("frechet_distance"), base = j.at("frechet_distance_baseline");
    EXPECT_GT(base, 0.0);
    EXPECT_LT(d, 4 * base) << j.dump();
    EXPECT_THROW(sample_quality(model, "fashion-mnist", gen, {.n = 5}), Error);  // < 1 per class
}

TEST_F(FullReference, CliPrintsAccuracyAndPath) {
    const test::CliOutput out = test::run_cli("reference");
    EXPECT_EQ(out.status, 0) << out.text;
    EXPECT_NE(out.text.find("test accuracy 0.9"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find(std::string(kCache) + "/reference-fmnist-v1.safetensors"),
              std::string::npos)
        << out.text;
}

}  // namespace
}  // namespace gibbs::gen
