// The reference classifier of the Fréchet distance (gibbs/gen/frechet.hpp) on the samples of a
// class-conditional VAE, class by class:
//   build/example_vae_class_accuracy runs/cvae/model.safetensors [per_class=1000] [seed=0]
// For each class k it draws `per_class` decoder means at z ~ N(0, I), y = e_k, and prints the
// fraction the classifier assigns to k, the class it assigns most often otherwise, and for
// comparison its accuracy on the real test images of class k. The mean over the classes is the
// "classifier_accuracy" of `gibbs eval` (which draws ⌊n/10⌋ per class).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/vae/train.hpp"

using namespace gibbs;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL.safetensors [per_class] [seed]\n", argv[0]);
        return 1;
    }
    const int64_t per_class = argc > 2 ? std::atoll(argv[2]) : 1000;
    Generator gen(argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 0);
    try {
        check(per_class >= 1, "example_vae_class_accuracy: per_class must be >= 1");
        const auto model = vae::load_vae(io::load_checkpoint(argv[1]));
        const int64_t K = model->classes();
        check(K > 0, argv[1], ": ", model->describe(), " is not class-conditional");
        const gen::ReferenceClassifier reference = gen::load_or_build_reference();
        NoGradGuard no_grad;
        const data::TensorDataset test = gen::generative_data(gen::kFashionMnist, true, 0, gen);
        const std::vector<int64_t> real = reference.predict(test.x);
        std::vector<int64_t> real_right(K, 0), real_count(K, 0);
        for (size_t i = 0; i < real.size(); ++i) {
            ++real_count[test.labels[i]];
            real_right[test.labels[i]] += real[i] == test.labels[i];
        }
        std::printf("%s, %lld samples per class; %s\n", model->describe().c_str(),
                    static_cast<long long>(per_class), reference.describe().c_str());
        std::printf("class  samples right  most often else  real test images right\n");
        double mean = 0;
        for (int64_t k = 0; k < K; ++k) {
            gen::SampleOptions options;
            options.label = k;
            const std::vector<int64_t> p =
                reference.predict(model->sample(per_class, gen, options));
            std::vector<int64_t> counts(K, 0);
            for (int64_t c : p) ++counts[c];
            int64_t other = k == 0 ? 1 : 0;
            for (int64_t c = 0; c < K; ++c)
                if (c != k && counts[c] > counts[other]) other = c;
            const double right = static_cast<double>(counts[k]) / static_cast<double>(per_class);
            mean += right / static_cast<double>(K);
            std::printf("%5lld  %13.3f  %6lld (%.3f)  %22.3f\n", static_cast<long long>(k), right,
                        static_cast<long long>(other),
                        static_cast<double>(counts[other]) / static_cast<double>(per_class),
                        static_cast<double>(real_right[k]) / static_cast<double>(real_count[k]));
        }
        std::printf("mean   %13.3f  %27.3f\n", mean, reference.test_accuracy());
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
