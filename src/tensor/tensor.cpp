// Tensor storage, creation, element access, views and copies (layer 1, no autograd).
#include "gibbs/tensor/tensor.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "tensor/elementwise.hpp"

namespace gibbs {

namespace {
// A per-thread cache of freed blocks in power-of-two size classes up to 64 MiB: a training step
// allocates and frees the same tensor sizes every step, and glibc's aligned_alloc is slow on
// that path (and hands blocks above its mmap threshold back to the kernel, so each step pays
// page faults on them again). Larger blocks go straight to the system.
constexpr int kMinClass = 6, kMaxClass = 26;  // 64 B .. 64 MiB
// Blocks kept per class: up to 32 small ones (≤ 1 MiB); large ones (the activations of a
// convolutional network, tens of them alive in a step) while the thread's cached large blocks
// stay within kLargeCacheBytes.
constexpr int kLargeClass = 21;
constexpr size_t kLargeCacheBytes = size_t{1} << 30;

thread_local bool t_cache_alive = false;  // false before construction and after destruction

struct BlockCache {
    std::vector<void*> free[kMaxClass + 1];
    size_t large_bytes = 0;  // bytes held in classes ≥ kLargeClass
    BlockCache() { t_cache_alive = true; }
    ~BlockCache() {
        t_cache_alive = false;
        for (auto& list : free)
            for (void* p : list) std::free(p);
    }
};
thread_local BlockCache t_cache;

int size_class(size_t nbytes) {
    int c = kMinClass;
    while ((size_t{1} << c) < nbytes) ++c;
    return c;
}
}  // namespace

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
    auto s = std::make_shared<Storage>();
    const int c = size_class(std::max<size_t>(nbytes, 1));
    BlockCache& cache = t_cache;  // constructed on first use in each thread
    if (c <= kMaxClass && t_cache_alive && !cache.free[c].empty()) {
        s->data = cache.free[c].back();
        cache.free[c].pop_back();
        if (c >= kLargeClass) cache.large_bytes -= size_t{1} << c;
    } else {
        const size_t rounded = c <= kMaxClass ? size_t{1} << c : (nbytes + 63) / 64 * 64;
        s->data = std::aligned_alloc(64, rounded);
        if (!s->data) fail("out of memory allocating ", nbytes, " bytes");
    }
    s->nbytes = nbytes;
    return s;
}

Storage::~Storage() {
    const int c = size_class(std::max<size_t>(nbytes, 1));
    // NOTE: storage freed while the thread exits (after its cache is gone) goes to the system.
    if (c <= kMaxClass && t_cache_alive) {
        BlockCache& cache = t_cache;
        const size_t bytes = size_t{1} << c;
        const bool keep = c < kLargeClass ? cache.free[c].size() < 32
                                          : cache.large_bytes + bytes <= kLargeCacheBytes;
        if (keep) {
            cache.free[c].push_back(data);
            if (c >= kLargeClass) cache.large_bytes += bytes;
            return;
        }
    }
    std::free(data);
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
    if (a == b) return a;
    const int n = std::max(a.size(), b.size());
    Shape out = Shape::filled(n, 1);
    for (int i = 0; i < n; ++i) {
        const int ia = a.size() - n + i, ib = b.size() - n + i;
        const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
        if (da != db && da != 1 && db != 1)
            fail(op, ": shapes ", a, " and ", b, " do not broadcast");
        out[i] = da == 1 ? db : da;
    }
    return out;
}

int normalize_axis(int axis, int ndim, const char* op) {
    const int a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= std::max(ndim, 1))
        fail(op, ": axis ", axis, " out of range for ", ndim, " dimensions");
    return a;
}

namespace detail {
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
    if (a.dtype() != b.dtype())
        fail(op, ": dtypes differ (", dtype_name(a.dtype()), " ", a.shape(), " and ",
             dtype_name(b.dtype()), " ", b.shape(), "); convert one with .to()");
}
}  // namespace detail

// ---- creation ----

Tensor Tensor::empty(const Shape& shape, DType dtype) {
    for (int64_t d : shape) check(d >= 0, "Tensor::empty: negative dimension in shape ", shape);
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = Storage::allocate(static_cast<size_t>(shape.numel()) * itemsize(dtype));
    impl->shape = shape;
    impl->strides = contiguous_strides(shape);
    impl->dtype = dtype;
    return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape, DType dtype) {
    Tensor t = empty(shape, dtype);
    std::memset(t.raw_data(), 0, static_cast<size_t>(t.numel()) * itemsize(dtype));
    return t;
}

Tensor Tensor::ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

Tensor Tensor::full(const Shape& shape, double value, DType dtype) {
    Tensor t = empty(shape, dtype);
    t.fill_(value);
    return t;
}

Tensor Tensor::scalar(double value, DType dtype) { return full(Shape{}, value, dtype); }

Tensor Tensor::from(const std::vector<double>& values, const Shape& shape, DType dtype) {
    check(static_cast<int64_t>(values.size()) == shape.numel(), "Tensor::from: ", values.size(),
          " values for shape ", shape);
    Tensor t = empty(shape, dtype);
    dispatch(dtype, [&]<typename T>() {
        T* p = t.data<T>();
        for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
    });
    return t;
}

Tensor Tensor::from_floats(const std::vector<float>& values, const Shape& shape) {
    check(static_cast<int64_t>(values.size()) == shape.numel(), "Tensor::from: ", values.size(),
          " values for shape ", shape);
    Tensor t = empty(shape, DType::f32);
    std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(float));
    return t;
}

Tensor Tensor::arange(int64_t n, DType dtype) {
    Tensor t = empty({n}, dtype);
    dispatch(dtype, [&]<typename T>() {
        T* p = t.data<T>();
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
    });
    return t;
}

Tensor Tensor::linspace(double start, double stop, int64_t n, DType dtype) {
    Tensor t = empty({n}, dtype);
    dispatch(dtype, [&]<typename T>() {
        T* p = t.data<T>();
        for (int64_t i = 0; i < n; ++i)
            p[i] = static_cast<T>(n == 1 ? start : start + (stop - start) * i / (n - 1));
    });
    return t;
}

Tensor Tensor::eye(int64_t n, DType dtype) {
    Tensor t = zeros({n, n}, dtype);
    dispatch(dtype, [&]<typename T>() {
        T* p = t.data<T>();
        for (int64_t i = 0; i < n; ++i) p[i * n + i] = T(1);
    });
    return t;
}

// ---- queries and element access ----

int64_t Tensor::size(int axis) const {
    return shape()[normalize_axis(axis, dim(), "Tensor::size")];
}

bool Tensor::is_contiguous() const {
    int64_t expected = 1;
    for (int d = dim() - 1; d >= 0; --d) {
        if (shape()[d] != 1 && strides()[d] != expected) return false;
        expected *= shape()[d];
    }
    return true;
}

double Tensor::item() const {
    check(numel() == 1, "Tensor::item: tensor of shape ", shape(), " has ", numel(),
          " elements, not 1");
    return dispatch(dtype(), [&]<typename T>() { return static_cast<double>(*data<T>()); });
}

namespace {
int64_t element_offset(const Tensor& t, std::initializer_list<int64_t> index) {
    check(static_cast<int>(index.size()) == t.dim(), "Tensor::at: ", index.size(),
          " indices for a tensor of shape ", t.shape());
    int64_t off = 0;
    int d = 0;
    for (int64_t i : index) {
        const int64_t n = t.shape()[d];
        check(i >= -n && i < n, "Tensor::at: index ", i, " out of range for axis ", d, " of shape ",
              t.shape());
        off += (i < 0 ? i + n : i) * t.strides()[d];
        ++d;
    }
    return off;
}
}  // namespace

double Tensor::at(std::initializer_list<int64_t> index) const {
    const int64_t off = element_offset(*this, index);
    return dispatch(dtype(), [&]<typename T>() { return static_cast<double>(data<T>()[off]); });
}

void Tensor::set(std::initializer_list<int64_t> index, double value) {
    const int64_t off = element_offset(*this, index);
    dispatch(dtype(), [&]<typename T>() { data<T>()[off] = static_cast<T>(value); });
}

std::vector<double> Tensor::to_vector() const {
    const Tensor c = contiguous();
    std::vector<double> out(static_cast<size_t>(numel()));
    dispatch(dtype(), [&]<typename T>() {
        const T* p = c.data<T>();
        for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
    });
    return out;
}

std::string Tensor::to_string() const {
    std::ostringstream out;
    out << *this;
    return out.str();
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
    if (!t.defined()) return out << "Tensor(undefined)";
    out << "Tensor(" << dtype_name(t.dtype()) << ", shape " << t.shape() << ") [";
    const auto v = t.to_vector();
    const size_t shown = std::min<size_t>(v.size(), 20);
    for (size_t i = 0; i < shown; ++i) out << (i ? ", " : "") << v[i];
    if (shown < v.size()) out << ", ...";
    return out << "]";
}

// ---- copies ----

Tensor Tensor::contiguous() const {
    if (is_contiguous()) return *this;
    return clone();
}

Tensor Tensor::clone() const {
    return dispatch(dtype(),
                    [&]<typename T>() { return detail::map1<T>(*this, [](T x) { return x; }); });
}

Tensor Tensor::to(DType target) const {
    if (target == dtype()) return *this;
    const Tensor src = contiguous();
    Tensor out = empty(shape(), target);
    const int64_t n = numel();
    if (target == DType::f64) {
        const float* s = src.data<float>();
        double* d = out.data<double>();
        for (int64_t i = 0; i < n; ++i) d[i] = s[i];
    } else {
        const double* s = src.data<double>();
        float* d = out.data<float>();
        for (int64_t i = 0; i < n; ++i) d[i] = static_cast<float>(s[i]);
    }
    return out;
}

void Tensor::copy_(const Tensor& src) {
    detail::check_same_dtype(*this, src, "copy_");
    const Shape b = broadcast_shapes(shape(), src.shape(), "copy_");
    check(b == shape(), "copy_: source of shape ", src.shape(), " does not broadcast to ", shape());
    // General strided write: iterate over this tensor's elements.
    dispatch(dtype(), [&]<typename T>() {
        // A source in this tensor's storage may overlap it: copy it out first. Otherwise the
        // elements go across directly (cat, narrow-and-write, …), row by row.
        const Tensor s = src.impl()->storage.get() == impl()->storage.get() ? src.clone() : src;
        const std::array<Shape, 2> st{this->strides(), detail::broadcast_strides(s, shape())};
        const detail::LoopNest<2> nest(shape(), st, {offset(), s.offset()});
        T* dst = static_cast<T*>(impl()->storage->data);
        const T* sp = static_cast<const T*>(s.impl()->storage->data);
        const int64_t n = nest.row_length(), rows = nest.rows();
        const int64_t sd = nest.strides[0].back(), ss = nest.strides[1].back();
        const auto copy_rows = [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const auto off = nest.row_offsets(r);
                if (sd == 1 && ss == 1) {
                    std::memcpy(dst + off[0], sp + off[1], n * sizeof(T));
                    continue;
                }
                for (int64_t i = 0; i < n; ++i) dst[off[0] + i * sd] = sp[off[1] + i * ss];
            }
        };
        // Rows of a destination without zero strides (no expanded view) are disjoint, so
        // threads over rows give the same bytes at any thread count.
        bool disjoint = true;
        for (int d = 0; d < nest.strides[0].size(); ++d) disjoint = disjoint && nest.strides[0][d];
        if (disjoint && rows > 1 && detail::use_threads(rows * n)) {
            const int threads = omp_get_max_threads();
#pragma omp parallel num_threads(threads)
            {
                const int64_t k = omp_get_num_threads(), t = omp_get_thread_num();
                copy_rows(rows * t / k, rows * (t + 1) / k);
            }
        } else {
            copy_rows(0, rows);
        }
    });
}

void Tensor::fill_(double value) {
    dispatch(dtype(), [&]<typename T>() {
        if (is_contiguous()) {
            T* p = data<T>();
            const int64_t n = numel();
            for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(value);
        } else {
            copy_(Tensor::scalar(value, dtype()));
        }
    });
}

Tensor& Tensor::requires_grad_(bool on) {
    check(on == false || is_leaf(),
          "requires_grad_: only leaf tensors can be marked; use detach()");
    impl_->requires_grad = on;
    return *this;
}

Tensor Tensor::detach() const {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = impl_->storage;
    impl->offset = impl_->offset;
    impl->shape = impl_->shape;
    impl->strides = impl_->strides;
    impl->dtype = impl_->dtype;
    return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = base.impl()->storage;
    impl->offset = offset;
    impl->shape = shape;
    impl->strides = strides;
    impl->dtype = base.dtype();
    return Tensor(std::move(impl));
}

}  // namespace gibbs
