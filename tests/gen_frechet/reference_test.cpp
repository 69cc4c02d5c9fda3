// The reference classifier: building, saving, checksums, and the Fréchet distances it gives for
// real and noise images. A small classifier (a few thousand training images, one epoch) is built
// here in seconds; the full one is built once into the build folder's cache
// (GIBBS_BINARY_DIR/cache) by the first run of the FullReference tests (about a minute on one
// core) and reused afterwards.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/data/loader.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/gen/quality.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::gen {
namespace {

const ReferenceSettings kSmall = {.channels = {4, 8},
                                  .features = 16,
                                  .epochs = 2,
                                  .batch = 32,
                                  .lr = 5e-3,
                                  .seed = 3,
                                  .train_examples = 3000};

data::TensorDataset test_split() {
    const data::LabeledImages raw = data::load_fashion_mnist(data::Split::kTest);
    return data::images_dataset(raw.images, raw.labels, 10, /*flatten=*/false);
}

// Uniform noise images U[0, 1)^{1×28×28}.
Tensor noise_images(int64_t n, uint64_t seed) {
    Generator gen(seed);
    return rand({n, 1, 28, 28}, gen);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

void flip_byte_near_end(const std::string& path) {
    std::string bytes = testing::read_text(path);
    bytes[bytes.size() - 100] ^= 0x5a;
    testing::write_text(path, bytes);
}

class SmallReference : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        small_ = new ReferenceClassifier(ReferenceClassifier::build(kSmall));
    }
    static void TearDownTestSuite() {
        delete small_;
        small_ = nullptr;
    }
    static ReferenceClassifier* small_;
};
ReferenceClassifier* SmallReference::small_ = nullptr;

TEST_F(SmallReference, LearnsAndGivesFeaturesOfItsWidth) {
    // Two epochs on 3000 images is far from the full classifier (it reaches 0.65 here), but
    // far above chance (0.1).
    EXPECT_GT(small_->test_accuracy(), 0.5);
    const data::TensorDataset test = test_split();
    const Tensor f = small_->features(test.x.narrow(0, 0, 7));
    EXPECT_EQ(f.shape(), Shape({7, 16}));
    EXPECT_EQ(f.dtype(), DType::f64);
    for (double v : f.to_vector()) EXPECT_GE(v, 0.0);  // post-ReLU
    // (n, 784) rows are the same images.
    EXPECT_EQ(small_->features(test.x.narrow(0, 0, 7).reshape({7, 784})).to_vector(),
              f.to_vector());
    EXPECT_DOUBLE_EQ(small_->accuracy(test.x, test.labels), small_->test_accuracy());
}

TEST_F(SmallReference, RebuildingRepeatsBitForBit) {
    const ReferenceClassifier again = ReferenceClassifier::build(kSmall);
    EXPECT_EQ(again.checksum(), small_->checksum());
    EXPECT_EQ(again.test_accuracy(), small_->test_accuracy());
    ReferenceSettings other = kSmall;
    other.seed = 4;
    EXPECT_NE(ReferenceClassifier::build(other).checksum(), small_->checksum());
}

TEST_F(SmallReference, RealHalvesAreCloseAndNoiseIsFar) {
    const data::TensorDataset test = test_split();
    const Tensor a = test.x.narrow(0, 0, 5000), b = test.x.narrow(0, 5000, 5000);
    const double real = small_->frechet_distance(a, b);
    const double noise = small_->frechet_distance(noise_images(5000, 11), b);
    EXPECT_GT(real, 0.0);
    EXPECT_GT(noise, 10 * real) << "real-vs-real " << real << ", noise-vs-real " << noise;
    // A set against itself: 0 up to rounding. NOTE: the covariance of ReLU features is nearly
    // singular, and the square roots of its near-zero eigenvalues turn rounding of order ε‖A‖
    // into errors of order √ε‖A‖ (−3.2e-7 here after a change of summation order in training).
    EXPECT_NEAR(small_->frechet_distance(a, a), 0.0, 1e-6 * (1 + real));
}

TEST_F(SmallReference, SavesLoadsAndVerifiesItsChecksum) {
    testing::TempDir dir;
    const std::string path = dir.file("sub/ref.safetensors");
    small_->save(path);  // creates sub/
    const ReferenceClassifier loaded = ReferenceClassifier::load(path);
    EXPECT_EQ(loaded.checksum(), small_->checksum());
    EXPECT_EQ(loaded.settings(), kSmall);
    EXPECT_EQ(loaded.test_accuracy(), small_->test_accuracy());
    const Tensor x = noise_images(9, 12);
    EXPECT_EQ(loaded.features(x).to_vector(), small_->features(x).to_vector());
    EXPECT_EQ(loaded.predict(x), small_->predict(x));

    // A changed weight: the checksum catches it, and the message says what to do.
    flip_byte_near_end(path);
    const std::string message = error_of([&] { ReferenceClassifier::load(path); });
    EXPECT_NE(message.find("checksum"), std::string::npos) << message;
    EXPECT_NE(message.find("delete"), std::string::npos) << message;
    // A truncated file.
    const std::string bytes = testing::read_text(path);
    testing::write_text(path, bytes.substr(0, bytes.size() / 2));
    EXPECT_NE(error_of([&] { ReferenceClassifier::load(path); }).find("delete"), std::string::npos);
}

TEST_F(SmallReference, LoadOrBuildBuildsOnceAndChecksTheSettings) {
    testing::TempDir dir;
    const std::string path = dir.file("cache/ref.safetensors");
    const ReferenceClassifier built = load_or_build_reference(kSmall, path, nullptr);
    EXPECT_TRUE(std::filesystem::exists(path));
    EXPECT_EQ(built.checksum(), small_->checksum());
    const auto written = std::filesystem::last_write_time(path);
    EXPECT_EQ(load_or_build_reference(kSmall, path, nullptr).checksum(), small_->checksum());
    EXPECT_EQ(std::filesystem::last_write_time(path), written);  // loaded, not rebuilt
    ReferenceSettings other = kSmall;
    other.epochs = 3;
    const std::string message = error_of([&] { load_or_build_reference(other, path, nullptr); });
    EXPECT_NE(message.find("delete"), std::string::npos) << message;
}

TEST_F(SmallReference, BadImagesAreErrors) {
    EXPECT_THROW(small_->features(Tensor::zeros({3, 28, 28})), Error);
    Tensor x = Tensor::zeros({2, 1, 28, 28});
    x.set({1, 0, 3, 4}, NAN);
    const std::string message = error_of([&] { small_->features(x); });
    EXPECT_NE(message.find("image 1"), std::string::npos) << message;
    EXPECT_THROW(small_->accuracy(Tensor::zeros({2, 1, 28, 28}), {1}), Error);
}

// Sets environment variables for a scope and restores them afterwards.
class ScopedEnv {
  public:
    void set(const std::string& name, const char* value) {
        const char* old = std::getenv(name.c_str());
        saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        if (value)
            setenv(name.c_str(), value, 1);
        else
            unsetenv(name.c_str());
    }
    ~ScopedEnv() {
        for (auto it = saved_.rbegin(); it != saved_.rend(); ++it)
            if (it->second)
                setenv(it->first.c_str(), it->second->c_str(), 1);
            else
                unsetenv(it->first.c_str());
    }

  private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(ReferenceCache, FollowsTheEnvironment) {
    ScopedEnv env;
    env.set("GIBBS_CACHE_DIR", "/some/cache");
    EXPECT_EQ(cache_dir(), "/some/cache");
    EXPECT_EQ(reference_path(), "/some/cache/reference-fmnist-v1.safetensors");
    env.set("GIBBS_CACHE_DIR", "");
    env.set("XDG_CACHE_HOME", "/xdg");
    EXPECT_EQ(cache_dir(), "/xdg/gibbs");
    env.set("XDG_CACHE_HOME", nullptr);
    env.set("HOME", "/home/u");
    EXPECT_EQ(cache_dir(), "/home/u/.cache/gibbs");
}

TEST(ReferenceCli, RejectsACorruptedFile) {
    testing::TempDir dir;
    const std::string path = dir.file("ref.safetensors");
    ReferenceClassifier::build(kSmall).save(path);
    flip_byte_near_end(path);
    const test::CliOutput out = test::run_cli("reference --out " + path);
    EXPECT_NE(out.status, 0) << out.text;
    EXPECT_NE(out.text.find("checksum"), std::string::npos) << out.text;
}

}  // namespace
}  // namespace gibbs::gen
