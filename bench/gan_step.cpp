// One DCGAN training step (gibbs::gan::train_step: a discriminator update on a real and a fake
// minibatch, then a generator update, Adam with β₁ = 0.5) at batch 64 with the `gibbs train gan
// --arch dcgan` default networks (latent 64, channels 32,64). bench/gan_vs_torch.py times the
// same step in PyTorch and prints the ratio. Prints one JSON line: the fastest round's wall and
// process CPU milliseconds per step.
//   OMP_NUM_THREADS=2 build/bench_gan_step [rounds] [steps per round]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "gibbs/gan/gan.hpp"
#include "gibbs/optim/adam.hpp"

using namespace gibbs;

namespace {

double cpu_seconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    const int steps = argc > 2 ? std::atoi(argv[2]) : 10;
    Generator gen(0);
    const gan::NetSpec spec{
        .arch = "dcgan", .data_shape = {1, 28, 28}, .latent = 64, .channels = {32, 64}};
    auto G = gan::make_generator(spec, gen);
    auto D = gan::make_discriminator(spec, gen);
    optim::Adam opt_g(G->parameters(), {.lr = 2e-4, .beta1 = 0.5});
    optim::Adam opt_d(D->parameters(), {.lr = 2e-4, .beta1 = 0.5});
    const Tensor x = rand({64, 1, 28, 28}, gen);
    const gan::StepOptions o{.latent = 64};
    for (int i = 0; i < 3; ++i) gan::train_step(*G, *D, opt_g, opt_d, x, gen, o);
    double best_wall = 1e30, best_cpu = 1e30;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        for (int i = 0; i < steps; ++i) gan::train_step(*G, *D, opt_g, opt_d, x, gen, o);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best_wall = std::min(best_wall, 1e3 * wall / steps);
        best_cpu = std::min(best_cpu, 1e3 * (cpu_seconds() - c0) / steps);
    }
    std::printf("{\"threads\": %d, \"wall_ms\": %.3f, \"cpu_ms\": %.3f}\n", omp_get_max_threads(),
                best_wall, best_cpu);
    return 0;
}
