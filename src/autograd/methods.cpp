// The Tensor methods that compute: thin forwards to the differentiable ops of ops.hpp.
#include "gibbs/autograd/ops.hpp"

namespace gibbs {

Tensor Tensor::reshape(const Shape& shape) const { return gibbs::reshape(*this, shape); }
Tensor Tensor::flatten(int start_axis) const {
    const int start = normalize_axis(start_axis, dim(), "flatten");
    Shape s;
    for (int d = 0; d < start; ++d) s.push_back(shape()[d]);
    s.push_back(-1);
    return gibbs::reshape(*this, s);
}
Tensor Tensor::t() const {
    check(dim() == 2, "t: expects a matrix, got shape ", shape());
    return gibbs::transpose(*this, 0, 1);
}
Tensor Tensor::transpose(int a, int b) const { return gibbs::transpose(*this, a, b); }
Tensor Tensor::permute(std::initializer_list<int> axes) const {
    return gibbs::permute(*this, std::vector<int>(axes));
}
Tensor Tensor::narrow(int axis, int64_t start, int64_t length) const {
    return gibbs::narrow(*this, axis, start, length);
}
Tensor Tensor::unsqueeze(int axis) const { return gibbs::unsqueeze(*this, axis); }
Tensor Tensor::squeeze(int axis) const { return gibbs::squeeze(*this, axis); }
Tensor Tensor::expand(const Shape& shape) const { return gibbs::expand(*this, shape); }
Tensor Tensor::sum() const { return gibbs::sum(*this); }
Tensor Tensor::sum(int axis, bool keepdim) const { return gibbs::sum(*this, axis, keepdim); }
Tensor Tensor::mean() const { return gibbs::mean(*this); }
Tensor Tensor::mean(int axis, bool keepdim) const { return gibbs::mean(*this, axis, keepdim); }
Tensor Tensor::max(int axis, bool keepdim) const { return gibbs::max(*this, axis, keepdim); }
Tensor Tensor::argmax(int axis) const { return gibbs::argmax(*this, axis); }
Tensor Tensor::matmul(const Tensor& other) const { return gibbs::matmul(*this, other); }
Tensor Tensor::exp() const { return gibbs::exp(*this); }
Tensor Tensor::log() const { return gibbs::log(*this); }
Tensor Tensor::pow(double p) const { return gibbs::pow(*this, p); }
Tensor Tensor::sqrt() const { return gibbs::sqrt(*this); }
Tensor Tensor::square() const { return gibbs::square(*this); }
Tensor Tensor::abs() const { return gibbs::abs(*this); }

}  // namespace gibbs
