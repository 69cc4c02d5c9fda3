// One optimizer step over the parameters of an MLP 784-256-128-10 (235,146 float32 values in six
// tensors), the hot loop of training: Adam (the headline), AdamW, SGD with momentum, and
// clip_grad_norm; and an Adam step over a 2-64-64-1 MLP (4,417 values), which is all overhead. The
// gradients are fixed random values; counters give parameters per second.
//   ./build/bench_optim_bench --benchmark_min_time=1
// bench/optim_vs_torch.py runs this beside torch.optim.Adam and prints the ratio.
#include <benchmark/benchmark.h>

#include <memory>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/optim.hpp"
#include "gibbs/tensor/random.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;

// W₁ (784, 256), b₁ (256), W₂ (256, 128), b₂ (128), W₃ (128, 10), b₃ (10); or, small, the
// 4,417 parameters of an MLP 2-64-64-1, where the per-step overhead shows.
std::vector<Tensor> mlp_params(bool small = false) {
    Generator gen(0);
    std::vector<Tensor> params;
    const std::vector<Shape> shapes =
        small ? std::vector<Shape>{{2, 64}, {64}, {64, 64}, {64}, {64, 1}, {1}}
              : std::vector<Shape>{{784, 256}, {256}, {256, 128}, {128}, {128, 10}, {10}};
    for (const Shape& shape : shapes) {
        Tensor p = randn(shape, gen) * 0.05;
        p = p.detach().requires_grad_();
        p.set_grad(randn(shape, gen) * 1e-3);
        params.push_back(p);
    }
    return params;
}

int64_t count(const std::vector<Tensor>& params) {
    int64_t n = 0;
    for (const Tensor& p : params) n += p.numel();
    return n;
}

template <typename Make>
void run(benchmark::State& state, Make make, bool small = false) {
    std::vector<Tensor> params = mlp_params(small);
    std::unique_ptr<Optimizer> opt = make(params);
    for (auto _ : state) {
        opt->step();
        benchmark::ClobberMemory();
    }
    const int64_t n = count(params);
    state.counters["params"] = static_cast<double>(n);
    state.SetItemsProcessed(state.iterations() * n);
}

void BM_AdamStep(benchmark::State& state) {
    run(state, [](auto p) { return std::make_unique<Adam>(p, AdamOptions{.lr = 1e-3}); });
}
void BM_AdamStepSmallMlp(benchmark::State& state) {
    run(
        state, [](auto p) { return std::make_unique<Adam>(p, AdamOptions{.lr = 1e-3}); }, true);
}
void BM_AdamWStep(benchmark::State& state) {
    run(state, [](auto p) { return std::make_unique<AdamW>(p, AdamWOptions{.lr = 1e-3}); });
}
void BM_AdamAmsgradStep(benchmark::State& state) {
    run(state,
        [](auto p) { return std::make_unique<Adam>(p, AdamOptions{.lr = 1e-3, .amsgrad = true}); });
}
void BM_SgdMomentumStep(benchmark::State& state) {
    run(state,
        [](auto p) { return std::make_unique<Sgd>(p, SgdOptions{.lr = 1e-3, .momentum = 0.9}); });
}
void BM_ClipGradNorm(benchmark::State& state) {
    std::vector<Tensor> params = mlp_params();
    for (auto _ : state) {
        // A max_norm above the norm: measures the norm pass without shrinking the gradients.
        benchmark::DoNotOptimize(clip_grad_norm(params, 1e30));
    }
    state.SetItemsProcessed(state.iterations() * count(params));
}

BENCHMARK(BM_AdamStep)->UseRealTime();
BENCHMARK(BM_AdamStepSmallMlp)->UseRealTime();
BENCHMARK(BM_AdamWStep)->UseRealTime();
BENCHMARK(BM_AdamAmsgradStep)->UseRealTime();
BENCHMARK(BM_SgdMomentumStep)->UseRealTime();
BENCHMARK(BM_ClipGradNorm)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
