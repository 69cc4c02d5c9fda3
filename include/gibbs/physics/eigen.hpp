// Eigen for the physics layer. NOTE: GCC 12 with -march=native (AVX-512) reports false
// "-Wmaybe-uninitialized" warnings inside the intrinsics that Eigen 3.4's matrix-vector kernels
// inline (GCC bug 105593); they are silenced for those headers only.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <Eigen/Dense>
#pragma GCC diagnostic pop
