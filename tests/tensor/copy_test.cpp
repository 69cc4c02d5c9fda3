// Tensor::copy_ against its definition: a source that overlaps the destination in the same
// storage is read before it is overwritten (as if copied out first); a large strided copy (cat
// along a middle axis, rows over the threads) puts every element where the definition says, the
// same at one thread and at two.
#include <gtest/gtest.h>
#include <omp.h>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

using namespace gibbs;

namespace {

TEST(CopyInto, OverlappingSourceIsReadFirst) {
    Tensor t = Tensor::arange(10, DType::f64);
    t.narrow(0, 1, 9).copy_(t.narrow(0, 0, 9));  // shift right by one within one storage
    const std::vector<double> v = t.to_vector();
    EXPECT_EQ(v[0], 0.0);
    for (int i = 1; i < 10; ++i) EXPECT_EQ(v[i], i - 1.0) << i;
}

TEST(CopyInto, LargeCatPutsEveryElementInPlaceAtAnyThreadCount) {
    Generator gen(3);
    const Tensor a = randn({16, 24, 300}, gen), b = randn({16, 40, 300}, gen);
    const int before = omp_get_max_threads();
    std::vector<std::vector<double>> runs;
    for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        runs.push_back(cat({a, b}, 1).to_vector());
    }
    omp_set_num_threads(before);
    EXPECT_EQ(runs[0], runs[1]);
    const std::vector<double> va = a.to_vector(), vb = b.to_vector(), c = runs[0];
    for (int64_t n = 0; n < 16; ++n)
        for (int64_t ch = 0; ch < 64; ++ch)
            for (int64_t k = 0; k < 300; k += 37) {
                const double want =
                    ch < 24 ? va[(n * 24 + ch) * 300 + k] : vb[(n * 40 + ch - 24) * 300 + k];
                ASSERT_EQ(c[(n * 64 + ch) * 300 + k], want) << n << " " << ch << " " << k;
            }
}

}  // namespace
