// The element loop of the optimizers' updates (private header). An update is one fused pass over
// a parameter's raw arrays, written as a kernel over a range [begin, end) whose pointer arguments
// are __restrict, so that the compiler vectorizes it without alias checks. for_each_range runs the
// kernel on the OpenMP threads, one contiguous range each, only above the library's threshold of
// elements, so that small parameters pay no threading overhead.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "tensor/elementwise.hpp"

namespace gibbs::optim::detail {

// Calls range(begin, end) over a partition of [0, n); ranges may run at the same time.
template <typename Range>
inline void for_each_range(int64_t n, Range&& range) {
    if (!gibbs::detail::use_threads(n)) {
        range(int64_t{0}, n);
        return;
    }
#pragma omp parallel
    {
        const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
        // Ranges start on multiples of 16 elements (a 64-byte line of float32).
        const int64_t per = ((n + threads - 1) / threads + 15) / 16 * 16;
        const int64_t begin = std::min(n, thread * per), end = std::min(n, begin + per);
        if (begin < end) range(begin, end);
    }
}

}  // namespace gibbs::optim::detail
