// Image layers with Google Benchmark: conv2d forward + backward for the two convolutions of the
// small Fashion-MNIST CNN (N = 128; 1→32 at 28×28 and 32→64 at 14×14, kernel 3, padding 1),
// max pooling, and one whole training step of that CNN (forward, backward, Adam):
//   conv(1→32, 3, p1) ReLU maxpool2  conv(32→64, 3, p1) ReLU maxpool2  Linear(3136→128) ReLU
//   Linear(128→10), softmax cross-entropy, batch 128.
// bench/conv_vs_torch.py times the same work in PyTorch and prints the ratios.
//   OMP_NUM_THREADS=2 build/bench_conv_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <ctime>

#include "gibbs/nn/conv.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {

// CPU seconds used by all threads of the process: with OMP_WAIT_POLICY=passive, the work done,
// which a loaded machine inflates far less than the wall time.
double process_cpu_seconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

void report_cpu(benchmark::State& state, double cpu_start) {
    state.counters["cpu_ms"] = benchmark::Counter(1e3 * (process_cpu_seconds() - cpu_start),
                                                  benchmark::Counter::kAvgIterations);
}

// args: N, C, O, H (= W); the input requires a gradient unless C = 1 (a network's first layer).
void BM_conv2d_forward_backward(benchmark::State& state) {
    const int64_t N = state.range(0), C = state.range(1), O = state.range(2), H = state.range(3);
    Generator gen(1);
    Tensor x = randn({N, C, H, H}, gen);
    if (C > 1) x.requires_grad_();
    Tensor W = (randn({O, C, 3, 3}, gen) * 0.1).detach().requires_grad_();
    Tensor b = Tensor::zeros({O}).requires_grad_();
    const Tensor seed = randn({N, O, H, H}, gen);
    const double cpu = process_cpu_seconds();
    for (auto _ : state) {
        Tensor y = nn::conv2d(x, W, b, {.padding = 1});
        y.backward(seed);
        W.zero_grad();
        b.zero_grad();
        x.zero_grad();
    }
    report_cpu(state, cpu);
    const double flops = 2.0 * N * O * C * 9 * H * H * (C > 1 ? 3 : 2);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_conv2d_forward_backward)
    ->Args({128, 1, 32, 28})
    ->Args({128, 32, 64, 14})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_conv2d_forward(benchmark::State& state) {
    const int64_t N = state.range(0), C = state.range(1), O = state.range(2), H = state.range(3);
    Generator gen(1);
    const Tensor x = randn({N, C, H, H}, gen), W = randn({O, C, 3, 3}, gen) * 0.1;
    const Tensor b = Tensor::zeros({O});
    const double cpu = process_cpu_seconds();
    for (auto _ : state) benchmark::DoNotOptimize(nn::conv2d(x, W, b, {.padding = 1}).raw_data());
    report_cpu(state, cpu);
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * N * O * C * 9 * H * H / 1e9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_conv2d_forward)
    ->Args({128, 1, 32, 28})
    ->Args({128, 32, 64, 14})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_max_pool2d_forward_backward(benchmark::State& state) {
    Generator gen(2);
    Tensor x = randn({128, state.range(0), state.range(1), state.range(1)}, gen).requires_grad_();
    const Tensor seed = randn({128, state.range(0), state.range(1) / 2, state.range(1) / 2}, gen);
    for (auto _ : state) {
        nn::max_pool2d(x, {.kernel = 2}).backward(seed);
        x.zero_grad();
    }
}
BENCHMARK(BM_max_pool2d_forward_backward)
    ->Args({32, 28})
    ->Args({64, 14})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_cnn_train_step(benchmark::State& state) {
    const int64_t N = state.range(0);
    Generator gen(3);
    nn::Sequential net{nn::Conv2d(1, 32, 3, {.padding = 1, .generator = &gen}),
                       nn::ReLU(),
                       nn::MaxPool2d(2),
                       nn::Conv2d(32, 64, 3, {.padding = 1, .generator = &gen}),
                       nn::ReLU(),
                       nn::MaxPool2d(2),
                       nn::Flatten(),
                       nn::Linear(64 * 7 * 7, 128, {.generator = &gen}),
                       nn::ReLU(),
                       nn::Linear(128, 10, {.generator = &gen})};
    optim::Adam opt(net.parameters(), {.lr = 1e-3});
    const Tensor x = rand({N, 1, 28, 28}, gen);
    std::vector<int64_t> labels(N);
    for (auto& l : labels) l = gen.integer(0, 10);
    const double cpu = process_cpu_seconds();
    for (auto _ : state) {
        Tensor loss = nn::cross_entropy(net(x), labels);
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    report_cpu(state, cpu);
    state.SetItemsProcessed(state.iterations() * N);
}
BENCHMARK(BM_cnn_train_step)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
