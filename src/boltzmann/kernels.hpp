// Raw-array kernels shared by the RBM, its trainer, AIS and the DBN (private header of
// src/boltzmann): row-major GEMM on contiguous arrays, and the fused "add bias, squash, draw"
// loops of the conditionals. Rows run on OpenMP threads above a size threshold; each row draws
// from its own stream, seeded from one number taken from the caller's generator, so the result
// does not depend on the thread count.
#pragma once

#include <omp.h>

#include <cmath>
#include <cstdint>

#include "gibbs/tensor/blas.hpp"
#include "gibbs/tensor/random.hpp"
#include "tensor/elementwise.hpp"
#include "tensor/vmath.hpp"

namespace gibbs::boltzmann::detail {

// Below this many multiply-adds a GEMM runs on one thread. NOTE: measured on the shared 2-core
// machine under load, a CD-1 epoch of a 784 × 20 RBM at batch 100 took 6.6 s with OpenBLAS's two
// threads and 0.13 s with one: each threaded call waits at a barrier for a descheduled thread.
inline constexpr int64_t kGemmSerialBelow = int64_t{1} << 23;

// C (m, n) = alpha op(A) op(B) + beta C, all contiguous row-major; op(A) is (m, k).
template <typename T>
inline void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* A, const T* B,
                 T beta, T* C) {
    if (m * n * k < kGemmSerialBelow && !omp_in_parallel() && omp_get_max_threads() > 1) {
        // OpenBLAS (OpenMP build) takes its thread count from omp_get_max_threads() per call.
        const int threads = omp_get_max_threads();
        omp_set_num_threads(1);
        blas::gemm(ta, tb, m, n, k, alpha, A, ta ? m : k, B, tb ? k : n, beta, C, n);
        omp_set_num_threads(threads);
        return;
    }
    blas::gemm(ta, tb, m, n, k, alpha, A, ta ? m : k, B, tb ? k : n, beta, C, n);
}

// The stream of row r of a batch whose draws were seeded with `seed`.
inline Generator row_generator(uint64_t seed, int64_t r) {
    return Generator(seed + static_cast<uint64_t>(r) * 0x9E3779B97F4A7C15ULL);
}

// Row loops go parallel from this many elements: each parallel region costs a barrier, and on
// the shared machine a barrier can wait for a descheduled thread (see kGemmSerialBelow).
inline constexpr int64_t kRowsParallelFrom = int64_t{1} << 17;

inline bool rows_in_parallel(int64_t rows, int64_t cols) {
    return rows > 1 && rows * cols >= kRowsParallelFrom && gibbs::detail::use_threads(rows * cols);
}

// p = σ(z + bias) row by row, in place in z; when s is not null, s = 1{u < p}, u ~ U[0,1)
// (s may be z itself: then z ends up holding the draws).
template <typename T>
void sigmoid_sample(T* z, const T* bias, T* s, int64_t rows, int64_t n, uint64_t seed) {
#pragma omp parallel for schedule(static) if (rows_in_parallel(rows, n))
    for (int64_t r = 0; r < rows; ++r) {
        T* zr = z + r * n;
#pragma omp simd
        for (int64_t j = 0; j < n; ++j) zr[j] = vm::sigmoid(zr[j] + bias[j]);
        if (!s) continue;
        T* sr = s + r * n;
        Generator gen = row_generator(seed, r);
        constexpr int64_t kChunk = 256;
        T u[kChunk];
        for (int64_t j0 = 0; j0 < n; j0 += kChunk) {
            const int64_t len = n - j0 < kChunk ? n - j0 : kChunk;
            if constexpr (sizeof(T) == 4) {
                // Two 24-bit uniforms (exact in float) from each 64-bit draw.
                for (int64_t j = 0; j < len; j += 2) {
                    const uint64_t bits = gen.next();
                    u[j] = static_cast<T>(bits >> 40) * 0x1.0p-24f;
                    u[j + 1] = static_cast<T>((bits >> 8) & 0xFFFFFF) * 0x1.0p-24f;
                }
            } else {
                for (int64_t j = 0; j < len; ++j) u[j] = gen.uniform();
            }
#pragma omp simd
            for (int64_t j = 0; j < len; ++j) sr[j0 + j] = u[j] < zr[j0 + j] ? T(1) : T(0);
        }
    }
}

// x = z + a + σ ε, ε ~ N(0, 1), row by row (z may be x).
template <typename T>
void gaussian_sample(const T* z, const T* a, const T* sigma, T* x, int64_t rows, int64_t n,
                     uint64_t seed) {
#pragma omp parallel for schedule(static) if (rows_in_parallel(rows, n))
    for (int64_t r = 0; r < rows; ++r) {
        Generator gen = row_generator(seed, r);
        for (int64_t i = 0; i < n; ++i)
            x[r * n + i] = z[r * n + i] + a[i] + sigma[i] * static_cast<T>(gen.normal());
    }
}

// log(1 + e^z) without overflow.
inline double softplus(double z) { return (z > 0 ? z : 0.0) + std::log1p(std::exp(-std::fabs(z))); }

}  // namespace gibbs::boltzmann::detail
