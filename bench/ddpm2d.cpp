// The 2-D DDPM of issue 7 on gibbs's side: an MLP ε-predictor (16-dimensional sinusoidal time
// embedding joined to x, three hidden layers of 128, ReLU), Adam 1e-3, batch 256, T = 1000,
// linear schedule, trained on moons; then 1,000 samples drawn with 1,000 ancestral steps.
// Prints one JSON line (wall and CPU time); bench/ddpm2d_vs_torch.py runs it beside PyTorch.
//   OMP_NUM_THREADS=2 ./build/bench_ddpm2d [train_steps=600] [samples=1000]
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "gibbs/diffusion/mlp_denoiser.hpp"
#include "gibbs/diffusion/sampler.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/optim/adam.hpp"

using namespace gibbs;
using namespace gibbs::diffusion;

namespace {

double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
double wall_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int main(int argc, char** argv) {
    const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 600;
    const int64_t n_samples = argc > 2 ? std::atoll(argv[2]) : 1000;
    const int64_t B = 256, T = 1000, N = 100000, D = 2;
    Generator gen(0);
    const NoiseSchedule s = NoiseSchedule::linear(T);
    const Tensor X = gen::sample_toy("moons", N, gen);
    MlpDenoiser net({.dim = 2, .embedding = 16, .hidden = {128, 128, 128}}, gen);
    optim::Adam opt(net.parameters(), {.lr = 1e-3});
    Tensor x_t = Tensor::empty({B, D}), eps = Tensor::empty({B, D}), t = Tensor::empty({B});
    // √ᾱ_t and √(1 − ᾱ_t) for t = 0..T, as PyTorch's side precomputes them (the same doubles).
    std::vector<double> sqrt_ab(T + 1), sqrt_1mab(T + 1);
    for (int64_t k = 0; k <= T; ++k)
        sqrt_ab[k] = std::sqrt(s.alpha_bar(k)), sqrt_1mab[k] = std::sqrt(1 - s.alpha_bar(k));
    std::vector<int64_t> rows(B);
    std::vector<double> noise(B * D);
    // One training step: a random batch, t ~ U{1..T}, ε ~ N(0, I), L_simple, Adam.
    const auto train_step = [&] {
        float *xp = x_t.data<float>(), *ep = eps.data<float>(), *tp = t.data<float>();
        // NOTE: the random rows of X (800 KB) are mostly out of cache after the step's GEMMs;
        // drawing first (in the same order: row, t, ε) and prefetching lets the loads overlap.
        for (int64_t r = 0; r < B; ++r) {
            rows[r] = gen.integer(0, N);
            __builtin_prefetch(X.data<float>() + rows[r] * D);
            tp[r] = static_cast<float>(gen.integer(1, T + 1));
            for (int64_t d = 0; d < D; ++d) {
                noise[r * D + d] = gen.normal();
                ep[r * D + d] = static_cast<float>(noise[r * D + d]);
            }
        }
        for (int64_t r = 0; r < B; ++r) {
            const float* x0 = X.data<float>() + rows[r] * D;
            const int64_t tr = static_cast<int64_t>(tp[r]);
            const double a = sqrt_ab[tr], b = sqrt_1mab[tr];
            for (int64_t d = 0; d < D; ++d)
                xp[r * D + d] = static_cast<float>(a * x0[d] + b * noise[r * D + d]);
        }
        // The gradient and Adam's step in one pass (each thread updates the slice it sums).
        return net.simple_loss_backward(x_t, t, eps, &opt);
    };
    double loss = 0;
    for (int i = 0; i < 50; ++i) loss = train_step();  // warm up
    double w0 = wall_now(), c0 = cpu_now();
    for (int64_t i = 0; i < steps; ++i) loss = train_step();
    const double train_wall = wall_now() - w0, train_cpu = cpu_now() - c0;

    w0 = wall_now(), c0 = cpu_now();
    const Tensor x = sample(net, s, {2}, n_samples, gen, {.sampler = "ddpm"});
    const double sample_wall = wall_now() - w0, sample_cpu = cpu_now() - c0;
    std::printf(
        "{\"threads\": %d, \"train_steps\": %lld, \"train_steps_per_s\": %.1f, "
        "\"train_cpu_s_per_step\": %.3e, \"loss\": %.4f, \"samples\": %lld, \"sample_s\": %.4f, "
        "\"sample_cpu_s\": %.4f, \"sample_mean_x\": %.4f}\n",
        omp_get_max_threads(), static_cast<long long>(steps), steps / train_wall, train_cpu / steps,
        loss, static_cast<long long>(n_samples), sample_wall, sample_cpu, x.mean().item());
    return 0;
}
