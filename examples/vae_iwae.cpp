// The importance-weighted bound L_k of a trained VAE as k grows (Burda et al. 2016):
//   build/example_vae_iwae runs/bvae/model.safetensors [examples=1000] [k=1,10,100,1000] [seed=0]
// On the first `examples` test images (binarized as in training when the run was), prints the
// ELBO and L_k for each k in nats per example, with the standard error over the examples and the
// time; L_1 ≤ L_10 ≤ … approach log p(x) from below.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/vae/train.hpp"

using namespace gibbs;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL.safetensors [examples] [k,k,...] [seed]\n", argv[0]);
        return 1;
    }
    const int64_t n = argc > 2 ? std::atoll(argv[2]) : 1000;
    std::stringstream ks(argc > 3 ? argv[3] : "1,10,100,1000");
    Generator gen(argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0);
    try {
        const auto model = vae::load_vae(io::load_checkpoint(argv[1]));
        const std::string data = model->data();
        Tensor x = gen::generative_data(data, true, n, gen).x;
        x = x.reshape({x.size(0), model->vae().input_dim()});
        if (model->config().binarize != "none") x = vae::binarize_test(x);
        std::printf("%s on %lld %s test examples%s\n", model->describe().c_str(),
                    static_cast<long long>(x.size(0)), data.c_str(),
                    model->config().binarize != "none" ? " (binarized)" : "");
        std::printf("%8s %12s %10s %10s\n", "k", "L_k (nats)", "std err", "seconds");
        for (std::string item; std::getline(ks, item, ',');) {
            const int64_t k = std::atoll(item.c_str());
            const auto start = std::chrono::steady_clock::now();
            const std::vector<double> l = model->vae().iw_log_likelihood(x, k, gen);
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            double mean = 0, sq = 0;
            for (double v : l) mean += v / l.size();
            for (double v : l) sq += (v - mean) * (v - mean);
            const double se = std::sqrt(sq / (l.size() - 1) / l.size());
            std::printf("%8lld %12.3f %10.3f %10.2f\n", static_cast<long long>(k), mean, se, s);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
