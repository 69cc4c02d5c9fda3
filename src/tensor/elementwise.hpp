// The elementwise engine of layer 1 (private header): K-ary maps with NumPy broadcasting over
// strided inputs, writing a new contiguous output. Dimensions are coalesced first, so a bias
// add (N, C) + (C) runs as N contiguous rows and a same-shape op as one flat loop; inner loops
// whose strides are all 0 or 1 are instantiated per stride pattern so the compiler vectorizes
// them. Loops run on OpenMP threads only above kParallelThreshold elements.
#pragma once

#include <omp.h>

#include <array>
#include <utility>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::detail {

inline constexpr int64_t kParallelThreshold = 1 << 15;

inline bool use_threads(int64_t work) { return work >= kParallelThreshold && !omp_in_parallel(); }

// Thread t's share [begin, end) of n elements cut into `threads` contiguous slices of whole
// 64-byte lines of float32 (16 elements), balanced to a line. The same (n, threads) always gives
// the same slices, so work that keeps state per element (an optimizer's moments) stays on one
// core from call to call.
inline std::pair<int64_t, int64_t> thread_slice(int64_t n, int t, int threads) {
    const int64_t lines = (n + 15) / 16;
    const auto at = [&](int k) { return std::min(n, 16 * (lines * k / threads)); };
    return {at(t), at(t + 1)};
}

// A loop nest over `shape` for K operands, after dropping size-1 dimensions and merging
// dimensions that are contiguous for every operand. Rows are the innermost dimension.
template <size_t K>
struct LoopNest {
    Shape shape;                    // coalesced shape (at least one dimension)
    std::array<Shape, K> strides;   // per operand, in elements
    std::array<int64_t, K> base{};  // per operand offset

    LoopNest(const Shape& full, const std::array<Shape, K>& full_strides,
             const std::array<int64_t, K>& offsets)
        : base(offsets) {
        for (int d = 0; d < full.size(); ++d) {
            if (full[d] == 1) continue;
            const int n = shape.size();
            bool merge = n > 0;
            for (size_t k = 0; k < K && merge; ++k)
                merge = strides[k][n - 1] == full_strides[k][d] * full[d];
            if (merge) {
                shape[n - 1] *= full[d];
                for (size_t k = 0; k < K; ++k) strides[k][n - 1] = full_strides[k][d];
            } else {
                shape.push_back(full[d]);
                for (size_t k = 0; k < K; ++k) strides[k].push_back(full_strides[k][d]);
            }
        }
        if (shape.empty()) {
            shape.push_back(1);
            for (size_t k = 0; k < K; ++k) strides[k].push_back(0);
        }
    }
    int64_t row_length() const { return shape.back(); }
    int64_t rows() const { return shape.numel() / shape.back(); }
    // Offsets of operand k at the start of row r.
    std::array<int64_t, K> row_offsets(int64_t r) const {
        std::array<int64_t, K> off = base;
        for (int d = shape.size() - 2; d >= 0; --d) {
            const int64_t i = r % shape[d];
            r /= shape[d];
            for (size_t k = 0; k < K; ++k) off[k] += i * strides[k][d];
        }
        return off;
    }
};

// Strides of `t` broadcast to `shape` (0 along broadcast dimensions), right-aligned.
inline Shape broadcast_strides(const Tensor& t, const Shape& shape) {
    Shape s = Shape::filled(shape.size(), 0);
    const int lead = shape.size() - t.dim();
    for (int d = 0; d < t.dim(); ++d) s[lead + d] = t.shape()[d] == 1 ? 0 : t.strides()[d];
    return s;
}

template <typename T, size_t K, unsigned Mask, typename F, size_t... I>
inline void row_unit(T* out, const std::array<const T*, K>& in, int64_t n, F& f,
                     std::index_sequence<I...>) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(in[I][((Mask >> I) & 1u) ? i : 0]...);
}

template <typename T, size_t K, typename F, size_t... I>
inline void row_strided(T* out, const std::array<const T*, K>& in, const std::array<int64_t, K>& s,
                        int64_t n, F& f, std::index_sequence<I...>) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(in[I][i * s[I]]...);
}

// Dispatches a row to the instantiation for its 0/1 stride pattern.
template <typename T, size_t K, typename F, unsigned M = 0>
inline void row_dispatch(unsigned mask, T* out, const std::array<const T*, K>& in, int64_t n,
                         F& f) {
    if constexpr (M < (1u << K)) {
        if (mask == M) return row_unit<T, K, M>(out, in, n, f, std::make_index_sequence<K>{});
        return row_dispatch<T, K, F, M + 1>(mask, out, in, n, f);
    }
}

// out = f(in_0, ..., in_{K-1}) elementwise with broadcasting; `out_shape` must be the broadcast
// shape of the inputs. Returns a new contiguous tensor of the inputs' dtype.
template <typename T, size_t K, typename F>
Tensor map_n(const std::array<Tensor, K>& inputs, const Shape& out_shape, F f) {
    Tensor out = Tensor::empty(out_shape, dtype_of<T>());
    const int64_t numel = out_shape.numel();
    if (numel == 0) return out;
    std::array<Shape, K + 1> strides;
    std::array<int64_t, K + 1> offsets{};
    strides[0] = contiguous_strides(out_shape);
    for (size_t k = 0; k < K; ++k) {
        strides[k + 1] = broadcast_strides(inputs[k], out_shape);
        offsets[k + 1] = inputs[k].offset();
    }
    const LoopNest<K + 1> nest(out_shape, strides, offsets);
    T* out_base = static_cast<T*>(out.impl()->storage->data);
    std::array<const T*, K> in_base;
    for (size_t k = 0; k < K; ++k)
        in_base[k] = static_cast<const T*>(inputs[k].impl()->storage->data);
    const int64_t n = nest.row_length(), rows = nest.rows();
    bool unit = nest.strides[0].back() == 1;
    unsigned mask = 0;
    std::array<int64_t, K> inner;
    for (size_t k = 0; k < K; ++k) {
        inner[k] = nest.strides[k + 1].back();
        if (inner[k] == 1)
            mask |= 1u << k;
        else if (inner[k] != 0)
            unit = false;
    }
    auto do_row = [&](int64_t r) {
        const auto off = nest.row_offsets(r);
        std::array<const T*, K> in;
        for (size_t k = 0; k < K; ++k) in[k] = in_base[k] + off[k + 1];
        T* o = out_base + off[0];
        if (unit)
            row_dispatch<T, K>(mask, o, in, n, f);
        else
            row_strided<T, K>(o, in, inner, n, f, std::make_index_sequence<K>{});
    };
    if (use_threads(numel)) {
        if (rows == 1) {
            // One long row: split it into chunks.
            const int64_t chunk = 8192;
            const int64_t chunks = (n + chunk - 1) / chunk;
            const auto off = nest.row_offsets(0);
#pragma omp parallel for schedule(static)
            for (int64_t c = 0; c < chunks; ++c) {
                const int64_t start = c * chunk, len = std::min(chunk, n - start);
                std::array<const T*, K> in;
                for (size_t k = 0; k < K; ++k) in[k] = in_base[k] + off[k + 1] + start * inner[k];
                T* o = out_base + off[0] + start;
                if (unit)
                    row_dispatch<T, K>(mask, o, in, len, f);
                else
                    row_strided<T, K>(o, in, inner, len, f, std::make_index_sequence<K>{});
            }
        } else {
#pragma omp parallel for schedule(static)
            for (int64_t r = 0; r < rows; ++r) do_row(r);
        }
    } else {
        for (int64_t r = 0; r < rows; ++r) do_row(r);
    }
    return out;
}

template <typename T, typename F>
Tensor map1(const Tensor& x, F f) {
    return map_n<T, 1>({x}, x.shape(), f);
}

template <typename T, typename F>
Tensor map2(const Tensor& a, const Tensor& b, const char* op, F f) {
    return map_n<T, 2>({a, b}, broadcast_shapes(a.shape(), b.shape(), op), f);
}

template <typename T, typename F>
Tensor map3(const Tensor& a, const Tensor& b, const Tensor& c, const char* op, F f) {
    const Shape s = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), op), c.shape(), op);
    return map_n<T, 3>({a, b, c}, s, f);
}

// Checks that all tensors share one dtype, naming the op.
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);

}  // namespace gibbs::detail
