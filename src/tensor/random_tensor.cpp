// Random tensors drawn serially from one Generator, so a seed gives the same tensor whatever
// the thread count.
#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs {

namespace {
template <typename Draw>
Tensor fill_random(const Shape& shape, DType dtype, Draw draw) {
    Tensor t = Tensor::empty(shape, dtype);
    dispatch(dtype, [&]<typename T>() {
        T* p = t.data<T>();
        const int64_t n = t.numel();
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(draw());
    });
    return t;
}
}  // namespace

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
    return fill_random(shape, dtype, [&] { return gen.uniform(); });
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
    return fill_random(shape, dtype, [&] { return gen.normal(); });
}

Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype) {
    return fill_random(shape, dtype, [&] { return gen.uniform(lo, hi); });
}

Tensor randint(int64_t lo, int64_t hi, const Shape& shape, Generator& gen, DType dtype) {
    check(hi > lo, "randint: empty range [", lo, ", ", hi, ")");
    return fill_random(shape, dtype, [&] { return static_cast<double>(gen.integer(lo, hi)); });
}

Tensor bernoulli(const Tensor& p, Generator& gen) {
    const Tensor pc = p.contiguous();
    Tensor out = Tensor::empty(p.shape(), p.dtype());
    dispatch(p.dtype(), [&]<typename T>() {
        const T* src = pc.data<T>();
        T* dst = out.data<T>();
        const int64_t n = p.numel();
        // 32 random bits per draw (resolution 2^-32) against the probability; two draws per
        // 64-bit word keep the generator off the critical path.
        constexpr double kScale = 0x1.0p-32;
        int64_t i = 0;
        for (; i + 1 < n; i += 2) {
            const uint64_t r = gen.next();
            dst[i] = static_cast<double>(r & 0xffffffffu) * kScale < src[i] ? T(1) : T(0);
            dst[i + 1] = static_cast<double>(r >> 32) * kScale < src[i + 1] ? T(1) : T(0);
        }
        if (i < n) dst[i] = gen.uniform() < src[i] ? T(1) : T(0);
    });
    return out;
}

std::vector<int64_t> randperm(int64_t n, Generator& gen) {
    std::vector<int64_t> p(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) p[i] = i;
    // Fisher-Yates.
    for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[gen.integer(0, i + 1)]);
    return p;
}

}  // namespace gibbs
