// Training speed of the 784-400-20 VAE (Bernoulli decoder, Adam 1e-3) on Fashion-MNIST pixels in
// [0, 1]: the gibbs side of bench/vae_vs_torch.py, which runs it and prints the comparison.
//   build/bench_vae_epoch [examples] [batch] [threads] [repeats]
//   (defaults: 60000 128 2 1: one shuffled epoch of the training set per repeat)
// Prints one JSON object per repeat: {"impl": "gibbs", "samples_per_second", "seconds",
// "cpu_seconds" (process CPU time, all threads), "loss"}.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <span>

#include "gibbs/data/loader.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/vae/vae.hpp"

using namespace gibbs;

int main(int argc, char** argv) {
    const int64_t examples = argc > 1 ? std::atoll(argv[1]) : 60000;
    const int64_t batch = argc > 2 ? std::atoll(argv[2]) : 128;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    const int repeats = argc > 4 ? std::atoi(argv[4]) : 1;
    omp_set_num_threads(threads);
    Generator gen(0);
    const Tensor x = gen::generative_data("fashion-mnist", false, 0, gen).x.reshape({60000, 784});
    vae::Vae model({.input = {784}, .hidden = {400}, .latent = 20, .generator = &gen});
    optim::Adam opt(model.parameters(), {.lr = 1e-3});
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpu_start = std::clock();
        const std::vector<int64_t> order = randperm(60000, gen);
        double loss_sum = 0;
        for (int64_t i0 = 0; i0 < examples; i0 += batch) {
            const int64_t b = std::min(batch, examples - i0);
            const Tensor xb = data::gather_rows(x, std::span(order).subspan(i0 % 60000, b));
            const vae::ElboTerms t = model.elbo(xb, gen);
            opt.zero_grad();
            t.loss.backward();
            opt.step();
            loss_sum += t.loss.item() * static_cast<double>(b);
        }
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
        std::printf(
            "{\"impl\": \"gibbs\", \"examples\": %lld, \"batch\": %lld, \"threads\": %d, "
            "\"seconds\": %.4f, \"cpu_seconds\": %.4f, \"samples_per_second\": %.1f, \"loss\": "
            "%.4f}\n",
            static_cast<long long>(examples), static_cast<long long>(batch), threads, s, cpu,
            static_cast<double>(examples) / s, loss_sum / static_cast<double>(examples));
        std::fflush(stdout);
    }
    return 0;
}
