// Tensor: an n-dimensional float32 or float64 array, row-major, with shape and strides over shared
// storage. Copying a Tensor copies a handle (like PyTorch and NumPy views): views such as
// reshape, transpose and narrow share memory with their source.
//
// A tensor also carries its autograd state (requires_grad, grad, and the graph node that made it);
// the graph itself lives in layer 2 (src/autograd). The differentiable operations are free
// functions in gibbs/autograd/ops.hpp; the methods below that compute (sum, matmul, t, ...) are
// thin forwards to them, declared here so that models read like their equations:
// `v0.t().matmul(ph0)`, `(v0 - vk).mean(0)`.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "gibbs/tensor/shape.hpp"

namespace gibbs {

// A 64-byte-aligned block of memory. DESIGN: above layer 1 nothing assumes it is host memory.
struct Storage {
    void* data = nullptr;
    size_t nbytes = 0;
    static std::shared_ptr<Storage> allocate(size_t nbytes);
    Storage() = default;
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    ~Storage();
};

namespace autograd {
struct Node;
}

struct TensorImpl {
    std::shared_ptr<Storage> storage;
    int64_t offset = 0;  // in elements
    Shape shape;
    Shape strides;  // in elements
    DType dtype = DType::f32;
    bool requires_grad = false;
    std::shared_ptr<TensorImpl> grad;         // accumulated by backward() on leaves
    std::shared_ptr<autograd::Node> grad_fn;  // the op that made this tensor, if recorded
};

class Tensor {
  public:
    Tensor() = default;
    explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

    // ---- creation (contiguous, new storage) ----
    static Tensor empty(const Shape& shape, DType dtype = DType::f32);
    static Tensor zeros(const Shape& shape, DType dtype = DType::f32);
    static Tensor ones(const Shape& shape, DType dtype = DType::f32);
    static Tensor full(const Shape& shape, double value, DType dtype = DType::f32);
    static Tensor scalar(double value, DType dtype = DType::f32);
    // Copies `values` (row-major) into a tensor of `shape`; numel must match.
    static Tensor from(const std::vector<double>& values, const Shape& shape,
                       DType dtype = DType::f64);
    static Tensor from_floats(const std::vector<float>& values, const Shape& shape);
    static Tensor arange(int64_t n, DType dtype = DType::f32);
    static Tensor linspace(double start, double stop, int64_t n, DType dtype = DType::f64);
    static Tensor eye(int64_t n, DType dtype = DType::f64);

    // ---- queries ----
    bool defined() const { return impl_ != nullptr; }
    const Shape& shape() const { return impl_->shape; }
    const Shape& strides() const { return impl_->strides; }
    int dim() const { return impl_->shape.size(); }
    int64_t size(int axis) const;  // negative axes count from the end
    int64_t numel() const { return impl_->shape.numel(); }
    DType dtype() const { return impl_->dtype; }
    bool is_contiguous() const;
    int64_t offset() const { return impl_->offset; }

    // Typed pointer to the first element; throws if T is not the tensor's element type.
    template <typename T>
    T* data() const {
        check(dtype_of<T>() == impl_->dtype, "Tensor::data: tensor is ", dtype_name(impl_->dtype),
              ", asked for ", dtype_name(dtype_of<T>()));
        return static_cast<T*>(impl_->storage->data) + impl_->offset;
    }
    void* raw_data() const {
        return static_cast<char*>(impl_->storage->data) + impl_->offset * itemsize(dtype());
    }
    // The value of a one-element tensor.
    double item() const;
    // The element at a multi-index (slow; for tests and small tensors).
    double at(std::initializer_list<int64_t> index) const;
    void set(std::initializer_list<int64_t> index, double value);
    // All elements in row-major order, as double.
    std::vector<double> to_vector() const;
    std::string to_string() const;

    // ---- copies and in-place writes (not recorded by autograd) ----
    Tensor contiguous() const;  // itself when already contiguous
    Tensor clone() const;       // always a new contiguous copy, detached
    Tensor to(DType dtype) const;
    void copy_(const Tensor& src);  // elementwise copy with broadcasting of src
    void fill_(double value);
    bool shares_storage(const Tensor& other) const {
        return impl_ && other.impl_ && impl_->storage == other.impl_->storage;
    }

    // ---- autograd state ----
    bool requires_grad() const { return impl_ && impl_->requires_grad; }
    Tensor& requires_grad_(bool on = true);
    bool is_leaf() const { return !impl_->grad_fn; }
    Tensor grad() const { return impl_->grad ? Tensor(impl_->grad) : Tensor(); }
    void set_grad(const Tensor& g) { impl_->grad = g.impl_; }
    void zero_grad() { impl_->grad.reset(); }
    // A tensor sharing this one's storage, cut from the graph.
    Tensor detach() const;
    // Reverse-mode differentiation from this tensor; `seed` defaults to 1 for a scalar.
    void backward(const Tensor& seed = Tensor(), bool retain_graph = false) const;

    // ---- differentiable methods (defined in src/autograd, see gibbs/autograd/ops.hpp) ----
    Tensor reshape(const Shape& shape) const;
    Tensor flatten(int start_axis = 1) const;
    Tensor t() const;
    Tensor transpose(int a, int b) const;
    Tensor permute(std::initializer_list<int> axes) const;
    Tensor narrow(int axis, int64_t start, int64_t length) const;
    Tensor unsqueeze(int axis) const;
    Tensor squeeze(int axis) const;
    Tensor expand(const Shape& shape) const;
    Tensor sum() const;
    Tensor sum(int axis, bool keepdim = false) const;
    Tensor mean() const;
    Tensor mean(int axis, bool keepdim = false) const;
    Tensor max(int axis, bool keepdim = false) const;
    Tensor argmax(int axis) const;
    Tensor matmul(const Tensor& other) const;
    Tensor exp() const;
    Tensor log() const;
    Tensor pow(double p) const;
    Tensor sqrt() const;
    Tensor square() const;
    Tensor abs() const;

    TensorImpl* impl() const { return impl_.get(); }
    const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  private:
    std::shared_ptr<TensorImpl> impl_;
};

// A view of `base`'s storage with the given shape, strides and offset (no copy, no autograd).
Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset);

// ---- random tensors from a seeded generator (gibbs/tensor/random.hpp) ----
class Generator;
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::f32);   // U[0,1)
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::f32);  // N(0,1)
Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype = DType::f32);
// Elementwise Bernoulli draws: 1 with probability p[i] (p's shape and dtype).
Tensor bernoulli(const Tensor& p, Generator& gen);
// Integers uniform on [lo, hi), stored as float values of `dtype`.
Tensor randint(int64_t lo, int64_t hi, const Shape& shape, Generator& gen,
               DType dtype = DType::f32);
// A random permutation of 0..n-1.
std::vector<int64_t> randperm(int64_t n, Generator& gen);

std::ostream& operator<<(std::ostream& out, const Tensor& t);

}  // namespace gibbs
