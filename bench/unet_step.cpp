// The gibbs side of bench/unet_vs_torch.py: one DDPM training step of the U-Net ε-predictor
// (gibbs/diffusion/unet.hpp) on 1×28×28 images, timed, printed as one JSON line:
//   x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε with t ~ U{1..1000} and the linear β schedule 1e-4..0.02,
//   loss = mean (ε̂(x_t, t) − ε)², backward, Adam (lr 2e-4).
// x₀ is a fixed batch of uniform pixels (the speed does not depend on the images).
//   build/bench_unet_step [--batch 64] [--base 32] [--seconds 5] [--attention 0|1] [--profile N]
//                         [--patch-limit-mb M]   (nn::set_conv2d_patch_limit; 0: recompute)
// Beside steps per wall second it reports the process CPU time per step (all threads), which a
// loaded machine inflates far less. --profile N runs N steps untimed (for perf record) and prints
// nothing else.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "gibbs/diffusion/unet.hpp"
#include "gibbs/nn/conv.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/blas.hpp"

using namespace gibbs;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    int64_t batch = 64, base = 32, profile = 0;
    double seconds = 5.0;
    bool attention = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--batch")) batch = std::atol(argv[i + 1]);
        if (!std::strcmp(argv[i], "--base")) base = std::atol(argv[i + 1]);
        if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
        if (!std::strcmp(argv[i], "--attention")) attention = std::atoi(argv[i + 1]) != 0;
        if (!std::strcmp(argv[i], "--profile")) profile = std::atol(argv[i + 1]);
        if (!std::strcmp(argv[i], "--patch-limit-mb"))
            nn::set_conv2d_patch_limit(std::atol(argv[i + 1]) << 20);
    }
    Generator gen(0);
    diffusion::UNet net({.base_channels = base, .attention = attention, .generator = &gen});
    optim::Adam opt(net.parameters(), {.lr = 2e-4});
    const int T = 1000;
    std::vector<double> alpha_bar(T + 1, 1.0);  // ᾱ_t = Π_{s ≤ t} (1 − β_s)
    for (int t = 1; t <= T; ++t)
        alpha_bar[t] = alpha_bar[t - 1] * (1.0 - (1e-4 + (0.02 - 1e-4) * (t - 1) / (T - 1)));
    const Tensor x0 = rand({batch, 1, 28, 28}, gen);
    auto step = [&] {
        const Tensor t = randint(1, T + 1, {batch}, gen);
        std::vector<double> a(batch), s(batch);
        for (int64_t b = 0; b < batch; ++b) {
            const double ab = alpha_bar[static_cast<int>(t.at({b}))];
            a[b] = std::sqrt(ab);
            s[b] = std::sqrt(1 - ab);
        }
        const Tensor eps = randn(x0.shape(), gen);
        const Tensor x_t = x0 * Tensor::from(a, {batch, 1, 1, 1}, DType::f32) +
                           eps * Tensor::from(s, {batch, 1, 1, 1}, DType::f32);
        Tensor loss = nn::mse_loss(net.predict(x_t, t), eps);
        opt.zero_grad();
        loss.backward();
        opt.step();
        return loss.item();
    };
    if (profile > 0) {
        double sum = 0;
        for (int64_t i = 0; i < profile; ++i) sum += step();
        if (std::getenv("GIBBS_BENCH_PRINT_LOSS")) std::printf("loss sum %.17g\n", sum);
        return 0;
    }
    for (int i = 0; i < 3; ++i) step();
    int64_t n = 0;
    double elapsed = 0, loss = 0;
    const auto start = Clock::now();
    const std::clock_t cpu_start = std::clock();  // process CPU time, all threads
    while (elapsed < seconds || n < 3) {
        loss = step();
        ++n;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    std::fprintf(stderr, "gibbs: %d threads, OpenBLAS kernel %s\n", omp_get_max_threads(),
                 blas::core_name().c_str());
    std::printf(
        "{\"workload\": \"unet_step\", \"batch\": %ld, \"base\": %ld, \"parameters\": %ld, "
        "\"steps_per_s\": %.3f, \"cpu_s_per_step\": %.4f, \"last_loss\": %.4f}\n",
        static_cast<long>(batch), static_cast<long>(base), static_cast<long>(net.parameter_count()),
        static_cast<double>(n) / elapsed,
        static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / static_cast<double>(n),
        loss);
}
