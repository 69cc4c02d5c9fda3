// One optimizer step over the parameters of an MLP 784-256-128-10 (235,146 float32 values in six
// tensors), the hot loop of training: Adam (the headline), AdamW, SGD with momentum, and
// clip_grad_norm. The gradients are fixed random values; counters give parameters per second.
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

// W₁ (784, 256), b₁ (256), W₂ (256, 128), b₂ (128), W₃ (128, 10), b₃ (10).
std::vector<Tensor> mlp_params() {
    Generator gen(0);
    std::vector<Tensor> params;
    for (const Shape& shape : {Shape{784, 256}, Shape{256}, Shape{256, 128}, Shape{128},
                               Shape{128, 10}, Shape{10}}) {
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
void run(benchmark::State& state, Make make) {
    std::vector<Tensor> params = mlp_params();
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
void BM_AdamWStep(benchmark::State& state) {
    run(state, [](auto p) { return std::make_unique<AdamW>(p, AdamWOptions{.lr = 1e-3}); });
}
void BM_AdamAmsgradStep(benchmark::State& state) {
    run(state, [](auto p) {
        return std::make_unique<Adam>(p, AdamOptions{.lr = 1e-3, .amsgrad = true});
    });
}
void BM_SgdMomentumStep(benchmark::State& state) {
    run(state, [](auto p) {
        return std::make_unique<Sgd>(p, SgdOptions{.lr = 1e-3, .momentum = 0.9});
    });
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
BENCHMARK(BM_AdamWStep)->UseRealTime();
BENCHMARK(BM_AdamAmsgradStep)->UseRealTime();
BENCHMARK(BM_SgdMomentumStep)->UseRealTime();
BENCHMARK(BM_ClipGradNorm)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
