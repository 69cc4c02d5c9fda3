// Ising samplers: Metropolis spin flips per second and Wolff clusters at T_c.
// Run: ./build/bench_ising  (items_per_second = attempted spin flips, or flipped spins for Wolff)
#include <benchmark/benchmark.h>

#include "gibbs/physics/ising.hpp"

using namespace gibbs::physics;

static void BM_MetropolisSweep(benchmark::State& state) {
    const int L = static_cast<int>(state.range(0));
    IsingLattice lattice(L);
    gibbs::Generator gen(1);
    lattice.randomize(gen);
    const Metropolis metropolis(kIsingCriticalTemperature);
    for (auto _ : state) benchmark::DoNotOptimize(metropolis.sweep(lattice, gen));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * L * L);
}
BENCHMARK(BM_MetropolisSweep)->Arg(16)->Arg(64)->Arg(256)->Arg(1024);

static void BM_WolffClusterAtTc(benchmark::State& state) {
    const int L = static_cast<int>(state.range(0));
    IsingLattice lattice(L);
    gibbs::Generator gen(2);
    Wolff wolff(kIsingCriticalTemperature);
    int64_t flipped = 0;
    for (auto _ : state) flipped += static_cast<int64_t>(wolff.step(lattice, gen));
    state.SetItemsProcessed(flipped);
}
BENCHMARK(BM_WolffClusterAtTc)->Arg(64)->Arg(256);

static void BM_Measure(benchmark::State& state) {
    const int L = static_cast<int>(state.range(0));
    IsingLattice lattice(L);
    gibbs::Generator gen(3);
    lattice.randomize(gen);
    for (auto _ : state) {
        benchmark::DoNotOptimize(lattice.energy());
        benchmark::DoNotOptimize(lattice.magnetization());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * L * L);
}
BENCHMARK(BM_Measure)->Arg(64)->Arg(256);

BENCHMARK_MAIN();
