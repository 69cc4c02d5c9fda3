// GEMM through CBLAS (OpenBLAS, OpenMP build), and the choice of OpenBLAS's kernel.
//
// NOTE: Debian's OpenBLAS 0.3.21 picks its kernel from the CPUID it knows; on processors newer
// than it (this machine's AVX-512 AMD EPYC, or the AVX-512 Xeon DESIGN.md measured) it picks a
// kernel that runs far below the machine's peak. On first use gibbs re-selects the kernel that
// was measured fastest for the processor family (see select_kernel() in src/tensor/blas.cpp and
// bench/gemm_bench.cpp), unless the user set OPENBLAS_CORETYPE or GIBBS_BLAS_CORE.
#pragma once

#include <cstdint>
#include <string>

namespace gibbs::blas {

// C = alpha op(A) op(B) + beta C, row-major, op(A) is (m, k), op(B) is (k, n).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
          int64_t ldc);

// C = alpha A Aᵀ + beta C for row-major A (n, k): the lower triangle of C (n, n) is written
// (row-major), the upper left untouched. Half the work of the GEMM A·Aᵀ.
void syrk_lower(int64_t n, int64_t k, double alpha, const double* A, int64_t lda, double beta,
                double* C, int64_t ldc);

// Solves A x = b for symmetric positive definite A (n, n) by LAPACK's Cholesky (dpotrf, dpotrs
// in OpenBLAS, blocked and threaded; Eigen's LLT is single-threaded). A is overwritten by its
// factor, b by x. Returns false, with A and b unusable, when A is not positive definite.
bool cholesky_solve(int64_t n, double* A, double* b);

// The OpenBLAS kernel in use (e.g. "Haswell"), after the selection above.
std::string core_name();
// The kernel OpenBLAS detected by itself before gibbs changed it.
std::string detected_core_name();
// Selects the kernel now (otherwise done on the first gemm). Thread-safe, runs once.
void initialize();

}  // namespace gibbs::blas
