// Shapes and element types. A Shape is a small fixed-capacity vector (at most 8 dimensions),
// so creating a tensor allocates nothing for its shape and strides.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>

#include "gibbs/tensor/error.hpp"

namespace gibbs {

enum class DType : uint8_t { f32, f64 };

constexpr size_t itemsize(DType dtype) { return dtype == DType::f32 ? 4 : 8; }
constexpr const char* dtype_name(DType dtype) {
    return dtype == DType::f32 ? "float32" : "float64";
}

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
    return DType::f32;
}
template <>
constexpr DType dtype_of<double>() {
    return DType::f64;
}

// Calls f.template operator()<T>() with T = float or double according to `dtype`.
template <typename F>
decltype(auto) dispatch(DType dtype, F&& f) {
    if (dtype == DType::f32) return f.template operator()<float>();
    return f.template operator()<double>();
}

class Shape {
  public:
    static constexpr int kMaxDims = 8;

    Shape() = default;
    Shape(std::initializer_list<int64_t> dims)
        : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}
    explicit Shape(std::span<const int64_t> dims) {
        check(dims.size() <= kMaxDims, "Shape: at most ", kMaxDims, " dimensions, got ",
              dims.size());
        n_ = static_cast<int>(dims.size());
        std::copy(dims.begin(), dims.end(), d_.begin());
    }
    static Shape filled(int n, int64_t value) {
        check(n >= 0 && n <= kMaxDims, "Shape: at most ", kMaxDims, " dimensions, got ", n);
        Shape s;
        s.n_ = n;
        for (int i = 0; i < n; ++i) s.d_[i] = value;
        return s;
    }

    int size() const { return n_; }
    bool empty() const { return n_ == 0; }
    int64_t operator[](int i) const { return d_[i]; }
    int64_t& operator[](int i) { return d_[i]; }
    int64_t back() const { return d_[n_ - 1]; }
    const int64_t* begin() const { return d_.data(); }
    const int64_t* end() const { return d_.data() + n_; }
    int64_t* begin() { return d_.data(); }
    int64_t* end() { return d_.data() + n_; }
    void push_back(int64_t v) {
        check(n_ < kMaxDims, "Shape: at most ", kMaxDims, " dimensions");
        d_[n_++] = v;
    }
    void erase(int i) {
        std::copy(d_.begin() + i + 1, d_.begin() + n_, d_.begin() + i);
        --n_;
    }
    void insert(int i, int64_t v) {
        check(n_ < kMaxDims, "Shape: at most ", kMaxDims, " dimensions");
        std::copy_backward(d_.begin() + i, d_.begin() + n_, d_.begin() + n_ + 1);
        d_[i] = v;
        ++n_;
    }
    // Product of the dimensions (1 for a scalar).
    int64_t numel() const {
        int64_t n = 1;
        for (int i = 0; i < n_; ++i) n *= d_[i];
        return n;
    }
    std::span<const int64_t> span() const { return {d_.data(), static_cast<size_t>(n_)}; }

    friend bool operator==(const Shape& a, const Shape& b) {
        return a.n_ == b.n_ && std::equal(a.begin(), a.end(), b.begin());
    }

  private:
    std::array<int64_t, kMaxDims> d_{};
    int n_ = 0;
};

// Prints "(2, 3)"; a scalar prints "()".
inline std::ostream& operator<<(std::ostream& out, const Shape& s) {
    out << '(';
    for (int i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
    return out << ')';
}

// Row-major (C-order) strides of a contiguous tensor of this shape, in elements.
inline Shape contiguous_strides(const Shape& shape) {
    Shape strides = Shape::filled(shape.size(), 1);
    for (int i = shape.size() - 2; i >= 0; --i) strides[i] = strides[i + 1] * shape[i + 1];
    return strides;
}

// NumPy broadcasting of two shapes; throws naming `op` and both shapes when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Wraps a possibly negative axis into [0, ndim); throws naming `op` when out of range.
int normalize_axis(int axis, int ndim, const char* op);

}  // namespace gibbs
