/* SGEMM against the sustained FMA peak, interleaved: one second of FMA chains, then one second of
 * n×n×n SGEMM, four times, so both see the same clock. Not part of the CMake build: it compares
 * BLAS libraries outside the library (issue 2's GEMM target), built by hand:
 *   gcc -O3 -march=native -fopenmp bench/gemm_peak_probe.c -o /tmp/probe_openblas -lopenblas
 *   gcc -O3 -march=native -fopenmp -DUSE_BLIS -isystem /usr/include/x86_64-linux-gnu/blis-openmp \
 *       bench/gemm_peak_probe.c -o /tmp/probe_blis \
 *       /usr/lib/x86_64-linux-gnu/blis-openmp/libblis.a -lm -lpthread   (libblis-openmp-dev)
 *   OPENBLAS_CORETYPE=SkylakeX /tmp/probe_openblas 1024 2
 *   BLIS_JC_NT=2 OMP_NUM_THREADS=2 OMP_PROC_BIND=true /tmp/probe_blis 1024 2
 * Arguments: n (1024) and threads (2) for the FMA probe; the BLAS threads come from its own
 * environment variables. */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef USE_BLIS
#include <blis.h>
#else
#include <cblas.h>
#endif

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* 12 independent chains of 16-lane FMAs per thread cover the FMA latency × throughput. */
static double fma_peak(int threads, double duration) {
    const long iterations = 2000000;
    double flops = 0.0, elapsed = 0.0;
    const double start = seconds();
    do {
#pragma omp parallel num_threads(threads) reduction(+ : flops)
        {
            __m512 acc[12];
            for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(1.0f + 0.01f * (float)i);
            const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
            for (long it = 0; it < iterations; ++it)
                for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
            __m512 s = acc[0];
            for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, acc[i]);
            volatile float sink = _mm512_cvtss_f32(s);
            (void)sink;
            flops += 2.0 * 16 * 12 * (double)iterations;
        }
        elapsed = seconds() - start;
    } while (elapsed < duration);
    return flops / elapsed / 1e9;
}

int main(int argc, char** argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 1024;
    const int threads = argc > 2 ? atoi(argv[2]) : 2;
#ifdef USE_BLIS
    bli_init();
    printf("BLIS configuration %s\n", bli_arch_string(bli_arch_query_id()));
#endif
    float* a = malloc(sizeof(float) * (size_t)n * (size_t)n);
    float* b = malloc(sizeof(float) * (size_t)n * (size_t)n);
    float* c = malloc(sizeof(float) * (size_t)n * (size_t)n);
    for (long i = 0; i < (long)n * n; ++i) {
        a[i] = (float)rand() / (float)RAND_MAX;
        b[i] = (float)rand() / (float)RAND_MAX;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    for (int round = 0; round < 4; ++round) {
        const double peak = fma_peak(threads, 1.0);
        const double start = seconds();
        double elapsed = 0.0;
        int calls = 0;
        do {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n,
                        0.0f, c, n);
            ++calls;
            elapsed = seconds() - start;
        } while (elapsed < 1.0);
        const double gemm = 2.0 * n * (double)n * n * calls / elapsed / 1e9;
        printf("FMA peak %.1f GFLOP/s  SGEMM %d^3 %.1f GFLOP/s  fraction %.3f\n", peak, n, gemm,
               gemm / peak);
    }
    free(a);
    free(b);
    free(c);
    return 0;
}
