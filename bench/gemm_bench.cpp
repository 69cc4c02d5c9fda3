// Kernels through the library, with Google Benchmark: GEMM (float32, 1024 and 2048, and the
// MLP's shapes) reported as GFLOP/s and as a fraction of the measured FMA peak; an elementwise
// op; softmax cross-entropy forward + backward.
//   build/bench_gemm_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>

#include "fma_peak.hpp"
#include "gibbs/autograd/ops.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/tensor/blas.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {
double g_peak = 0;

void BM_gemm(benchmark::State& state) {
    const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
    Generator gen(1);
    const Tensor a = randn({m, k}, gen), b = randn({k, n}, gen);
    for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).raw_data());
    const double flops = 2.0 * m * n * k;
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
    if (g_peak > 0)
        state.counters["of_peak"] =
            benchmark::Counter(flops / 1e9 / g_peak, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_gemm)
    ->Args({1024, 1024, 1024})
    ->Args({2048, 2048, 2048})
    ->Args({128, 784, 256})
    ->Args({32, 784, 256})
    ->Args({784, 128, 256})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_elementwise_add(benchmark::State& state) {
    Generator gen(2);
    const Tensor a = randn({state.range(0)}, gen), b = randn({state.range(0)}, gen);
    for (auto _ : state) benchmark::DoNotOptimize((a + b).raw_data());
    state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
}
BENCHMARK(BM_elementwise_add)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->UseRealTime();

void BM_softmax_cross_entropy(benchmark::State& state) {
    Generator gen(3);
    const int64_t n = state.range(0);
    Tensor logits = randn({n, 10}, gen).requires_grad_();
    std::vector<int64_t> labels(n);
    for (auto& l : labels) l = gen.integer(0, 10);
    for (auto _ : state) {
        Tensor loss = nn::cross_entropy(logits, labels);
        loss.backward();
        logits.zero_grad();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_softmax_cross_entropy)->Arg(128)->Arg(1024)->UseRealTime();
}  // namespace

int main(int argc, char** argv) {
    g_peak = bench::fma_peak_gflops(omp_get_max_threads());
    std::printf("OpenBLAS kernel: detected %s, using %s; threads %d; FMA peak %.1f GFLOP/s\n",
                blas::detected_core_name().c_str(), blas::core_name().c_str(),
                omp_get_max_threads(), g_peak);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
