// Epoch time of RBM training on the 60,000 binarized Fashion-MNIST images: the gibbs side of
// bench/rbm_vs_torch.py, which runs it and prints the comparison.
//   build/bench_rbm_epoch [cd|pcd|pt] [k] [hidden] [batch] [epochs] [threads]
//   (defaults: cd 1 500 64 1 0; threads 0 is the library's choice, see RbmTrainOptions::threads)
// Prints one JSON object per epoch: {"impl": "gibbs", "method", "k", "seconds", "blas_core", ...}.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gibbs/boltzmann/data.hpp"
#include "gibbs/boltzmann/train.hpp"
#include "gibbs/tensor/blas.hpp"

using namespace gibbs;
using namespace gibbs::boltzmann;

int main(int argc, char** argv) {
    const std::string method = argc > 1 ? argv[1] : "cd";
    const int64_t k = argc > 2 ? std::atoll(argv[2]) : 1;
    const int64_t hidden = argc > 3 ? std::atoll(argv[3]) : 500;
    const int64_t batch = argc > 4 ? std::atoll(argv[4]) : 64;
    const int64_t epochs = argc > 5 ? std::atoll(argv[5]) : 1;
    const int threads = argc > 6 ? std::atoi(argv[6]) : 0;
    const Tensor x = load_visible_data("fashion-mnist", Visible::kBinary).x;  // (60000, 784)
    Generator gen(0);
    Rbm rbm(784, hidden, Visible::kBinary, gen);
    RbmTrainOptions o{.method = method == "pcd"  ? Method::kPcd
                                : method == "pt" ? Method::kTempering
                                                 : Method::kCd,
                      .k = k,
                      .batch = batch,
                      .lr = 0.01,
                      .threads = threads};
    RbmTrainer trainer(rbm, o);
    for (int64_t e = 0; e < epochs; ++e) {
        const EpochStats st = trainer.epoch(x);
        std::printf(
            "{\"impl\": \"gibbs\", \"method\": \"%s\", \"k\": %lld, \"hidden\": %lld, \"batch\": "
            "%lld, \"epoch\": %lld, \"seconds\": %.4f, \"recon\": %.4f, \"threads\": %d, "
            "\"blas_core\": \"%s\"}\n",
            method.c_str(), static_cast<long long>(k), static_cast<long long>(hidden),
            static_cast<long long>(batch), static_cast<long long>(st.epoch), st.seconds,
            st.reconstruction_error, st.threads, blas::core_name().c_str());
        std::fflush(stdout);
    }
    return 0;
}
