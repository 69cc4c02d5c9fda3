// The machine's single-precision FMA peak, measured: each thread runs 12 independent chains
// of vector FMAs (enough to cover FMA latency × throughput), so the loop is bound by the FMA
// units alone. Used to report GEMM as a fraction of what the cores can do.
#pragma once

#include <immintrin.h>
#include <omp.h>

#include <chrono>

namespace gibbs::bench {

inline double fma_peak_gflops(int threads, long iterations = 20'000'000) {
    double flops = 0;
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    {
#if defined(__AVX512F__)
        using V = __m512;
        constexpr int kLanes = 16;
        auto set = [](float v) { return _mm512_set1_ps(v); };
        auto fma = [](V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); };
        auto add = [](V a, V b) { return _mm512_add_ps(a, b); };
        auto first = [](V a) { return _mm512_cvtss_f32(a); };
#else
        using V = __m256;
        constexpr int kLanes = 8;
        auto set = [](float v) { return _mm256_set1_ps(v); };
        auto fma = [](V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); };
        auto add = [](V a, V b) { return _mm256_add_ps(a, b); };
        auto first = [](V a) { return _mm256_cvtss_f32(a); };
#endif
        V acc[12];
        for (int i = 0; i < 12; ++i)
            acc[i] = set(1.0f + 0.01f * i);  // distinct, so no chain is merged
        const V b = set(0.9999999f), c = set(1e-7f);
        for (long it = 0; it < iterations; ++it)
            for (int i = 0; i < 12; ++i) acc[i] = fma(acc[i], b, c);
        V s = acc[0];
        for (int i = 1; i < 12; ++i) s = add(s, acc[i]);
        volatile float sink = first(s);
        (void)sink;
        flops += 2.0 * kLanes * 12 * static_cast<double>(iterations);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return flops / seconds / 1e9;
}

}  // namespace gibbs::bench
