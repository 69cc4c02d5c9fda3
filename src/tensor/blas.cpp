// CBLAS GEMM wrappers and the one-time selection of OpenBLAS's kernel for this processor.
#include "gibbs/tensor/blas.hpp"

#include <cblas.h>

#include <cstdlib>
#include <mutex>

extern "C" {
// Exported by OpenBLAS built with DYNAMIC_ARCH (Debian's build): the kernel table's name, and
// the functions that (re)select the kernel table, reading OPENBLAS_CORETYPE.
char* gotoblas_corename(void);
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
// LAPACK (Fortran interface), shipped inside OpenBLAS.
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda,
             double* b, const int* ldb, int* info);
}

namespace gibbs::blas {

namespace {
std::once_flag g_once;
std::string g_detected;

// The kernel to use on this processor, or "" to keep OpenBLAS's own choice. Measured with
// bench/gemm_bench.cpp (docs/benchmarks.md): on AVX-512 machines OpenBLAS 0.3.21 takes the
// Cooperlake kernel or falls back to Prescott; SkylakeX is the fastest of its kernels both on
// the AVX-512 Xeon of DESIGN.md and on this AMD EPYC (Zen 4): 183-186 GFLOP/s at 1024 on two
// cores against Cooperlake 176-178, Haswell 164-168, Zen 122-167. Without AVX-512, Haswell.
std::string select_kernel() {
    if (const char* forced = std::getenv("GIBBS_BLAS_CORE")) return forced;
    if (std::getenv("OPENBLAS_CORETYPE")) return "";  // the user chose
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx512) return "SkylakeX";
    if (avx2) return "Haswell";
    return "";
}
}  // namespace

void initialize() {
    std::call_once(g_once, [] {
        g_detected = gotoblas_corename();
        const std::string kernel = select_kernel();
        if (kernel.empty() || kernel == g_detected) return;
        // OpenBLAS reads OPENBLAS_CORETYPE when it (re)initializes its kernel table; set it only
        // for that call and restore the environment afterwards.
        setenv("OPENBLAS_CORETYPE", kernel.c_str(), 1);
        gotoblas_dynamic_quit();
        gotoblas_dynamic_init();
        unsetenv("OPENBLAS_CORETYPE");
    });
}

std::string core_name() {
    initialize();
    return gotoblas_corename();
}

std::string detected_core_name() {
    initialize();
    return g_detected;
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    initialize();
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb),
                beta, C, static_cast<int>(ldc));
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
          int64_t ldc) {
    initialize();
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb),
                beta, C, static_cast<int>(ldc));
}

void syrk_lower(int64_t n, int64_t k, double alpha, const double* A, int64_t lda, double beta,
                double* C, int64_t ldc) {
    initialize();
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, static_cast<int>(n), static_cast<int>(k),
                alpha, A, static_cast<int>(lda), beta, C, static_cast<int>(ldc));
}

bool cholesky_solve(int64_t n, double* A, double* b) {
    initialize();
    const int ni = static_cast<int>(n), one = 1;
    int info = 0;
    // Symmetric: the lower triangle in column-major order is the upper one in row-major order,
    // so the layout does not matter.
    dpotrf_("L", &ni, A, &ni, &info);
    if (info != 0) return false;
    dpotrs_("L", &ni, &one, A, &ni, b, &ni, &info);
    return info == 0;
}

}  // namespace gibbs::blas
