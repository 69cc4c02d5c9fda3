// The gibbs side of bench/vs_torch.py: times whole training steps (forward, backward, Adam) and
// prints one JSON line per workload: {"workload": ..., "batch": ..., "steps_per_s": ...,
// "samples_per_s": ...}.
//   build/bench_train_step [--seconds S] [--only NAME]
// Workloads: mlp784 (784-256-128-10, ReLU, softmax cross-entropy, Adam 1e-3) on Fashion-MNIST at
// batch 32, 128 and 1024; small (2-64-64-1, tanh, MSE, Adam 1e-3) at batch 32 on
// f(x0, x1) = x0² + 3x0x1 + x1² + 5 sampled at x = (sin 0.7i, cos 1.3i).
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/blas.hpp"

using namespace gibbs;

namespace {
using Clock = std::chrono::steady_clock;

// Runs `step` for a warm-up, then for about `seconds`, and returns steps per second.
template <typename Step>
double time_steps(double seconds, Step step) {
    for (int i = 0; i < 20; ++i) step(i);
    int64_t n = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (int i = 0; i < 10; ++i) step(n++);
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    return static_cast<double>(n) / elapsed;
}

void mlp784(int64_t batch, double seconds) {
    const auto train = data::load_fashion_mnist(data::Split::kTrain);
    const int64_t n = train.size();
    Tensor images = Tensor::empty({n, 784});
    float* p = images.data<float>();
    for (int64_t i = 0; i < n * 784; ++i) p[i] = train.images.data[i] / 255.0f;
    std::vector<int64_t> labels(train.labels.data.begin(), train.labels.data.end());
    Generator gen(0);
    nn::Sequential net{nn::Linear(784, 256, {.generator = &gen}), nn::ReLU(),
                       nn::Linear(256, 128, {.generator = &gen}), nn::ReLU(),
                       nn::Linear(128, 10, {.generator = &gen})};
    optim::Adam opt(net.parameters(), {.lr = 1e-3});
    const int64_t batches = n / batch;
    const double rate = time_steps(seconds, [&](int64_t s) {
        const int64_t b = s % batches;
        const Tensor x = images.narrow(0, b * batch, batch);
        const std::vector<int64_t> y(labels.begin() + b * batch, labels.begin() + (b + 1) * batch);
        Tensor loss = nn::cross_entropy(net(x), y);
        opt.zero_grad();
        loss.backward();
        opt.step();
    });
    std::printf(
        "{\"workload\": \"mlp784\", \"batch\": %ld, \"steps_per_s\": %.2f, \"samples_per_s\": "
        "%.1f}\n",
        static_cast<long>(batch), rate, rate * batch);
}

void small(int64_t batch, double seconds) {
    Tensor x = Tensor::empty({batch, 2}), y = Tensor::empty({batch, 1});
    for (int64_t i = 0; i < batch; ++i) {
        const double x0 = std::sin(0.7 * i), x1 = std::cos(1.3 * i);
        x.set({i, 0}, x0);
        x.set({i, 1}, x1);
        y.set({i, 0}, x0 * x0 + 3 * x0 * x1 + x1 * x1 + 5);
    }
    Generator gen(0);
    nn::Sequential net{nn::Linear(2, 64, {.generator = &gen}), nn::Tanh(),
                       nn::Linear(64, 64, {.generator = &gen}), nn::Tanh(),
                       nn::Linear(64, 1, {.generator = &gen})};
    optim::Adam opt(net.parameters(), {.lr = 1e-3});
    const double rate = time_steps(seconds, [&](int64_t) {
        Tensor loss = nn::mse_loss(net(x), y);
        opt.zero_grad();
        loss.backward();
        opt.step();
    });
    std::printf(
        "{\"workload\": \"small\", \"batch\": %ld, \"steps_per_s\": %.2f, \"samples_per_s\": "
        "%.1f}\n",
        static_cast<long>(batch), rate, rate * batch);
}
}  // namespace

int main(int argc, char** argv) {
    double seconds = 3.0;
    std::string only;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
        if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
    }
    std::fprintf(stderr, "gibbs: %d threads, OpenBLAS kernel %s\n", omp_get_max_threads(),
                 blas::core_name().c_str());
    for (int64_t batch : {32, 128, 1024})
        if (only.empty() || only == "mlp784") mlp784(batch, seconds);
    if (only.empty() || only == "small") small(32, seconds);
}
