// Fréchet distances of Fashion-MNIST image sets in the features of the reference classifier
// (gibbs/gen/frechet.hpp): what a real set, a degraded set and noise score, and how the estimate
// depends on the number of samples n. The classifier is built on first use (about a minute) and
// cached ($GIBBS_CACHE_DIR, $XDG_CACHE_HOME/gibbs or ~/.cache/gibbs).
//   build/example_frechet_fashion
#include <chrono>
#include <cstdio>
#include <string>

#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/data/loader.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {

data::TensorDataset load(data::Split split) {
    const data::LabeledImages raw = data::load_fashion_mnist(split);
    return data::images_dataset(raw.images, raw.labels, 10, /*flatten=*/false);
}

// Each pixel x → clamp(x + σ ε, 0, 1), ε ~ N(0, 1).
Tensor add_noise(const Tensor& x, double sigma, Generator& gen) {
    Tensor y = x.clone();
    float* p = y.data<float>();
    for (int64_t i = 0; i < y.numel(); ++i)
        p[i] = std::min(1.0f, std::max(0.0f, p[i] + static_cast<float>(sigma * gen.normal())));
    return y;
}

// Each image replaced by the mean image of its class: right classes, no variety.
Tensor class_means(const data::TensorDataset& d, int64_t n) {
    std::vector<double> sum(10 * 784, 0.0), count(10, 0.0);
    const float* px = d.x.data<float>();
    for (int64_t i = 0; i < d.size(); ++i) {
        count[d.labels[i]] += 1;
        for (int64_t k = 0; k < 784; ++k) sum[d.labels[i] * 784 + k] += px[i * 784 + k];
    }
    Tensor y = Tensor::empty({n, 1, 28, 28});
    float* py = y.data<float>();
    for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < 784; ++k)
            py[i * 784 + k] = static_cast<float>(sum[d.labels[i] * 784 + k] / count[d.labels[i]]);
    return y;
}

}  // namespace

int main() {
    const auto start = std::chrono::steady_clock::now();
    const gen::ReferenceClassifier ref = gen::load_or_build_reference();
    std::printf("%s\n  %s\n\n", ref.describe().c_str(), gen::reference_path().c_str());
    const data::TensorDataset train = load(data::Split::kTrain), test = load(data::Split::kTest);
    const gen::GaussianMoments real = ref.moments(test.x);  // all 10,000 test images

    std::printf("%-46s %6s %10s\n", "image set (vs the 10,000 test images)", "n", "FD");
    const auto row = [&](const char* name, const Tensor& x) {
        std::printf("%-46s %6lld %10.3f\n", name, static_cast<long long>(x.size(0)),
                    gen::frechet_distance(ref.moments(x), real));
    };
    for (int64_t n : {500, 1000, 2000, 5000, 10000})
        row("training images (the first n)", train.x.narrow(0, 0, n));
    Generator gen(1);
    const Tensor x2000 = train.x.narrow(0, 0, 2000);
    row("training images + N(0, 0.1²) pixel noise", add_noise(x2000, 0.1, gen));
    row("training images + N(0, 0.3²) pixel noise", add_noise(x2000, 0.3, gen));
    row("the mean image of each one's class", class_means(train, 2000));
    row("uniform noise U[0, 1)", rand({2000, 1, 28, 28}, gen));

    const Tensor a = test.x.narrow(0, 0, 5000), b = test.x.narrow(0, 5000, 5000);
    std::printf("\nbaseline: test images 1-5000 vs 5001-10000: FD %.3f\n",
                ref.frechet_distance(a, b));
    std::printf(
        "classifier accuracy: test %.4f, first 10,000 training images %.4f\n", ref.test_accuracy(),
        ref.accuracy(train.x.narrow(0, 0, 10000),
                     std::vector<int64_t>(train.labels.begin(), train.labels.begin() + 10000)));
    std::printf("%.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}
