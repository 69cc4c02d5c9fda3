// The element loop of the optimizers' updates (private header). An update is one fused pass over
// a parameter's raw arrays; it runs on the OpenMP threads only above the library's threshold of
// elements, so that small parameters pay no threading overhead, and is vectorized either way.
#pragma once

#include <cstdint>

#include "tensor/elementwise.hpp"

namespace gibbs::optim::detail {

// Calls body(i) for i in [0, n). `body` must be safe to run for different i at once.
template <typename Body>
inline void for_each_element(int64_t n, Body&& body) {
    if (gibbs::detail::use_threads(n)) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) body(i);
    } else {
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) body(i);
    }
}

}  // namespace gibbs::optim::detail
