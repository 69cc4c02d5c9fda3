// The differentiable operations (layer 2). Each records its backward when an input requires a
// gradient; every one is checked against central finite differences in float64 in
// tests/autograd/gradcheck_test.cpp (one table row per op).
//
// Broadcasting follows NumPy; the backward of a broadcast sums over the expanded dimensions.
// Operations on two tensors require one dtype (float32 or float64) and name both shapes when
// they do not match.
#pragma once

#include <vector>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs {

// ---- arithmetic with broadcasting ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
// a + s, a * s, s / a, ... with a scalar s (no broadcast tensor is made).
Tensor add_scalar(const Tensor& x, double s);
Tensor mul_scalar(const Tensor& x, double s);
Tensor rdiv_scalar(double s, const Tensor& x);  // s / x
// max(a, b) and min(a, b) elementwise; NOTE: at ties the gradient goes to a.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& a, double s) { return add_scalar(a, s); }
inline Tensor operator+(double s, const Tensor& a) { return add_scalar(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add_scalar(a, -s); }
inline Tensor operator-(double s, const Tensor& a) { return add_scalar(neg(a), s); }
inline Tensor operator*(const Tensor& a, double s) { return mul_scalar(a, s); }
inline Tensor operator*(double s, const Tensor& a) { return mul_scalar(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul_scalar(a, 1.0 / s); }
inline Tensor operator/(double s, const Tensor& a) { return rdiv_scalar(s, a); }

// ---- elementwise functions ----
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor pow(const Tensor& x, double p);
Tensor abs(const Tensor& x);  // NOTE: gradient 0 at x = 0
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor clamp(const Tensor& x, double lo, double hi);  // gradient 1 inside [lo, hi], 0 outside
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);  // NOTE: gradient 0 at x = 0, as in PyTorch
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x);      // x Φ(x) with the exact normal CDF
Tensor silu(const Tensor& x);      // x σ(x)
Tensor softplus(const Tensor& x);  // log(1 + e^x), computed stably
Tensor log1p(const Tensor& x);

// ---- comparisons and selection (comparisons are not differentiable; they give 0/1 values) ----
Tensor gt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
// cond ? a : b elementwise (cond nonzero means true); gradients flow to a and b.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// ---- reductions ----
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int axis, bool keepdim = false);
Tensor sum(const Tensor& x, const std::vector<int>& axes, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int axis, bool keepdim = false);
// Maximum along an axis; NOTE: the gradient goes to the first maximal element.
Tensor max(const Tensor& x, int axis, bool keepdim = false);
Tensor argmax(const Tensor& x, int axis);  // indices as values of x's dtype; not differentiable
Tensor logsumexp(const Tensor& x, int axis, bool keepdim = false);

// ---- shapes and views (no copies where the layout allows) ----
Tensor reshape(const Tensor& x, const Shape& shape);  // one dimension may be -1
Tensor transpose(const Tensor& x, int a, int b);
Tensor permute(const Tensor& x, const std::vector<int>& axes);
Tensor narrow(const Tensor& x, int axis, int64_t start, int64_t length);
Tensor unsqueeze(const Tensor& x, int axis);
Tensor squeeze(const Tensor& x, int axis);
Tensor expand(const Tensor& x, const Shape& shape);  // broadcast view
Tensor cat(const std::vector<Tensor>& xs, int axis);
Tensor stack(const std::vector<Tensor>& xs, int axis);
// The slices of x at `indices` along `axis` (e.g. a minibatch of rows); backward scatters.
Tensor index_select(const Tensor& x, int axis, const std::vector<int64_t>& indices);

// ---- linear algebra ----
// Matrix product; batched for 3-D and higher, with transposed views passed to BLAS uncopied.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace gibbs
