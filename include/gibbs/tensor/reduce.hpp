// Reduction kernels of layer 1 (no autograd): sums over axes, sums to a broadcast shape, and
// max/argmax/log-sum-exp along one axis. Row sums accumulate in double.
#pragma once

#include <vector>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::kernels {

// Sum over the axes flagged in `reduce` (one flag per dimension); reduced axes are kept with
// size 1 when keepdim, dropped otherwise.
Tensor sum_axes(const Tensor& x, const std::vector<bool>& reduce, bool keepdim);
// Sum of `g` over the dimensions that broadcasting expanded from `shape` (the backward of
// broadcasting): the result has exactly `shape`.
Tensor sum_to(const Tensor& g, const Shape& shape);
// Maximum along `axis` and the index of its first occurrence (as values of x's dtype).
void max_along(const Tensor& x, int axis, bool keepdim, Tensor* values, Tensor* indices);
// log(sum(exp(x))) along `axis`, stable: max + log(sum(exp(x - max))).
Tensor logsumexp_along(const Tensor& x, int axis, bool keepdim);
// Matrix product with the transposes of views passed to BLAS: (m,k)@(k,n), batched
// (..., m, k)@(..., k, n) with equal batch shapes or a 2-D right operand, and 1-D operands
// promoted as in NumPy.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace gibbs::kernels
