// Differentiable reductions, views and the matrix product.
#include <cstring>
#include <numeric>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/tensor/reduce.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs {

using autograd::Grads;
using autograd::needs_grad;

namespace {
bool recording(const Tensor& a) { return autograd::grad_enabled() && needs_grad(a); }

// g (with kept or dropped reduced axes) broadcast back to `shape`: the backward of a sum.
Tensor broadcast_back(const Tensor& g, const Shape& shape, const std::vector<bool>& reduced) {
    Shape kept = shape;
    for (int d = 0; d < shape.size(); ++d)
        if (reduced[d]) kept[d] = 1;
    const Tensor gk = g.contiguous();
    const Tensor view = make_view(gk, kept, contiguous_strides(kept), gk.offset());
    return expand(view, shape).contiguous();
}
}  // namespace

// ---- reductions ----

// s = Σ x over the given axes.  ∂L/∂x = g broadcast back over the reduced axes.
Tensor sum(const Tensor& x, const std::vector<int>& axes, bool keepdim) {
    std::vector<bool> reduce(x.dim(), axes.empty());
    for (int a : axes) reduce[normalize_axis(a, x.dim(), "sum")] = true;
    Tensor s = kernels::sum_axes(x, reduce, keepdim);
    if (!recording(x)) return s;
    return autograd::record(
        s, {x},
        [shape = x.shape(), reduce](const Tensor& g) -> Grads {
            return {broadcast_back(g, shape, reduce)};
        },
        "sum");
}
Tensor sum(const Tensor& x) { return sum(x, std::vector<int>{}, false); }
Tensor sum(const Tensor& x, int axis, bool keepdim) {
    return sum(x, std::vector<int>{axis}, keepdim);
}

Tensor mean(const Tensor& x) {
    return mul_scalar(sum(x), 1.0 / static_cast<double>(std::max<int64_t>(x.numel(), 1)));
}
Tensor mean(const Tensor& x, int axis, bool keepdim) {
    return mul_scalar(sum(x, axis, keepdim), 1.0 / static_cast<double>(x.size(axis)));
}

// m = max along axis.  ∂L/∂x = g at the first maximal element of each slice, 0 elsewhere.
Tensor max(const Tensor& x, int axis, bool keepdim) {
    axis = normalize_axis(axis, x.dim(), "max");
    Tensor values, indices;
    kernels::max_along(x, axis, keepdim, &values, &indices);
    if (!recording(x)) return values;
    return autograd::record(
        values, {x},
        [shape = x.shape(), dtype = x.dtype(), indices, axis, keepdim](const Tensor& g) -> Grads {
            Tensor gx = Tensor::zeros(shape, dtype);
            const Tensor gc = g.contiguous(), ic = indices.contiguous();
            dispatch(dtype, [&]<typename T>() {
                const int64_t n = shape[axis];
                int64_t inner = 1;
                for (int d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
                const int64_t outer = gx.numel() / (n * inner);
                T* px = gx.data<T>();
                const T* pg = gc.data<T>();
                const T* pi = ic.data<T>();
                for (int64_t o = 0; o < outer; ++o)
                    for (int64_t i = 0; i < inner; ++i) {
                        const int64_t r = o * inner + i;
                        px[(o * n + static_cast<int64_t>(pi[r])) * inner + i] = pg[r];
                    }
            });
            (void)keepdim;
            return {gx};
        },
        "max");
}

Tensor argmax(const Tensor& x, int axis) {
    Tensor indices;
    kernels::max_along(x, axis, false, nullptr, &indices);
    return indices;
}

// l = log Σ exp x along axis.  ∂L/∂x = g ⊙ softmax(x) = g ⊙ exp(x − l).
Tensor logsumexp(const Tensor& x, int axis, bool keepdim) {
    axis = normalize_axis(axis, x.dim(), "logsumexp");
    Tensor l = kernels::logsumexp_along(x, axis, keepdim);
    if (!recording(x)) return l;
    return autograd::record(
        l, {x},
        [x, ld = l.detach(), axis, keepdim](const Tensor& g) -> Grads {
            const Tensor lk = keepdim ? ld : unsqueeze(ld, axis);
            const Tensor gk = keepdim ? g : unsqueeze(g, axis);
            return {mul(gk, exp(sub(x.detach(), lk)))};
        },
        "logsumexp");
}

// ---- views ----

namespace {
// A view with new shape/strides sharing x's storage, whose backward reshapes g to x's shape.
Tensor view_op(const Tensor& x, const Shape& shape, const Shape& strides, int64_t offset,
               const char* name, autograd::BackwardFn backward) {
    Tensor v = make_view(x, shape, strides, offset);
    if (!recording(x)) return v;
    return autograd::record(v, {x}, std::move(backward), name);
}

// Strides for viewing x as `shape` without a copy, if its layout allows (NumPy's rule).
bool reshape_strides(const Tensor& x, const Shape& shape, Shape* out) {
    if (x.is_contiguous()) {
        *out = contiguous_strides(shape);
        return true;
    }
    return false;
}
}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape_in) {
    Shape shape = shape_in;
    int infer = -1;
    int64_t known = 1;
    for (int d = 0; d < shape.size(); ++d) {
        if (shape[d] == -1) {
            check(infer < 0, "reshape: more than one -1 in ", shape_in);
            infer = d;
        } else {
            known *= shape[d];
        }
    }
    if (infer >= 0) {
        check(known > 0 && x.numel() % known == 0, "reshape: cannot reshape ", x.shape(), " to ",
              shape_in);
        shape[infer] = x.numel() / known;
    }
    check(shape.numel() == x.numel(), "reshape: cannot reshape ", x.shape(), " (", x.numel(),
          " elements) to ", shape_in);
    Shape strides;
    Tensor src = x;
    if (!reshape_strides(x, shape, &strides)) {
        // Copy first (recorded as an identity on x), then view.
        src = x.contiguous();
        if (recording(x))
            src = autograd::record(
                src, {x}, [](const Tensor& g) -> Grads { return {g}; }, "contiguous");
        strides = contiguous_strides(shape);
    }
    return view_op(
        src, shape, strides, src.offset(), "reshape",
        [s = x.shape()](const Tensor& g) -> Grads { return {reshape(g.contiguous(), s)}; });
}

Tensor permute(const Tensor& x, const std::vector<int>& axes) {
    check(static_cast<int>(axes.size()) == x.dim(), "permute: ", axes.size(), " axes for shape ",
          x.shape());
    Shape shape, strides;
    std::vector<int> inverse(axes.size());
    std::vector<bool> used(axes.size(), false);
    for (size_t i = 0; i < axes.size(); ++i) {
        const int a = normalize_axis(axes[i], x.dim(), "permute");
        check(!used[a], "permute: axis ", a, " repeated");
        used[a] = true;
        inverse[a] = static_cast<int>(i);
        shape.push_back(x.shape()[a]);
        strides.push_back(x.strides()[a]);
    }
    return view_op(x, shape, strides, x.offset(), "permute",
                   [inverse](const Tensor& g) -> Grads { return {permute(g, inverse)}; });
}

Tensor transpose(const Tensor& x, int a, int b) {
    std::vector<int> axes(x.dim());
    std::iota(axes.begin(), axes.end(), 0);
    std::swap(axes[normalize_axis(a, x.dim(), "transpose")],
              axes[normalize_axis(b, x.dim(), "transpose")]);
    return permute(x, axes);
}

Tensor narrow(const Tensor& x, int axis, int64_t start, int64_t length) {
    axis = normalize_axis(axis, x.dim(), "narrow");
    check(start >= 0 && length >= 0 && start + length <= x.shape()[axis], "narrow: [", start, ", ",
          start + length, ") out of range for axis ", axis, " of shape ", x.shape());
    Shape shape = x.shape();
    shape[axis] = length;
    return view_op(
        x, shape, x.strides(), x.offset() + start * x.strides()[axis], "narrow",
        [full = x.shape(), dtype = x.dtype(), axis, start, length](const Tensor& g) -> Grads {
            Tensor gx = Tensor::zeros(full, dtype);
            Tensor window = make_view(gx, g.shape(), gx.strides(), start * gx.strides()[axis]);
            window.copy_(g);
            (void)length;
            return {gx};
        });
}

Tensor unsqueeze(const Tensor& x, int axis) {
    axis = axis < 0 ? axis + x.dim() + 1 : axis;
    check(axis >= 0 && axis <= x.dim(), "unsqueeze: axis out of range for shape ", x.shape());
    Shape shape = x.shape(), strides = x.strides();
    const int64_t stride = axis < x.dim() ? x.strides()[axis] * x.shape()[axis] : 1;
    shape.insert(axis, 1);
    strides.insert(axis, stride);
    return view_op(x, shape, strides, x.offset(), "unsqueeze",
                   [axis](const Tensor& g) -> Grads { return {squeeze(g, axis)}; });
}

Tensor squeeze(const Tensor& x, int axis) {
    axis = normalize_axis(axis, x.dim(), "squeeze");
    check(x.shape()[axis] == 1, "squeeze: axis ", axis, " of shape ", x.shape(), " is not 1");
    Shape shape = x.shape(), strides = x.strides();
    shape.erase(axis);
    strides.erase(axis);
    return view_op(x, shape, strides, x.offset(), "squeeze",
                   [axis](const Tensor& g) -> Grads { return {unsqueeze(g, axis)}; });
}

Tensor expand(const Tensor& x, const Shape& shape) {
    const Shape b = broadcast_shapes(x.shape(), shape, "expand");
    check(b == shape, "expand: cannot expand ", x.shape(), " to ", shape);
    return view_op(x, shape, detail::broadcast_strides(x, shape), x.offset(), "expand",
                   [s = x.shape()](const Tensor& g) -> Grads { return {kernels::sum_to(g, s)}; });
}

Tensor cat(const std::vector<Tensor>& xs, int axis) {
    check(!xs.empty(), "cat: no tensors");
    axis = normalize_axis(axis, xs[0].dim(), "cat");
    Shape shape = xs[0].shape();
    int64_t total = 0;
    for (const Tensor& t : xs) {
        detail::check_same_dtype(xs[0], t, "cat");
        check(t.dim() == shape.size(), "cat: shapes ", xs[0].shape(), " and ", t.shape(),
              " differ in rank");
        for (int d = 0; d < shape.size(); ++d)
            check(d == axis || t.shape()[d] == shape[d], "cat: shapes ", xs[0].shape(), " and ",
                  t.shape(), " differ outside axis ", axis);
        total += t.shape()[axis];
    }
    shape[axis] = total;
    Tensor out = Tensor::empty(shape, xs[0].dtype());
    std::vector<int64_t> starts;
    int64_t start = 0;
    for (const Tensor& t : xs) {
        starts.push_back(start);
        Shape part = shape;
        part[axis] = t.shape()[axis];
        make_view(out, part, out.strides(), start * out.strides()[axis]).copy_(t);
        start += t.shape()[axis];
    }
    bool any = false;
    for (const Tensor& t : xs) any = any || recording(t);
    if (!any) return out;
    return autograd::record(
        out, xs,
        [starts, axis, xs](const Tensor& g) -> Grads {
            Grads grads;
            for (size_t i = 0; i < xs.size(); ++i)
                grads.push_back(needs_grad(xs[i])
                                    ? narrow(g, axis, starts[i], xs[i].shape()[axis]).contiguous()
                                    : Tensor());
            return grads;
        },
        "cat");
}

Tensor stack(const std::vector<Tensor>& xs, int axis) {
    std::vector<Tensor> parts;
    for (const Tensor& t : xs) parts.push_back(unsqueeze(t, axis));
    return cat(parts, axis);
}

Tensor index_select(const Tensor& x, int axis, const std::vector<int64_t>& indices) {
    axis = normalize_axis(axis, x.dim(), "index_select");
    const int64_t n = x.shape()[axis];
    for (int64_t i : indices)
        check(i >= 0 && i < n, "index_select: index ", i, " out of range for axis ", axis,
              " of shape ", x.shape());
    Shape shape = x.shape();
    shape[axis] = static_cast<int64_t>(indices.size());
    const Tensor xc = x.contiguous();
    Tensor out = Tensor::empty(shape, x.dtype());
    int64_t inner = 1, outer = 1;
    for (int d = axis + 1; d < x.dim(); ++d) inner *= x.shape()[d];
    for (int d = 0; d < axis; ++d) outer *= x.shape()[d];
    const int64_t m = static_cast<int64_t>(indices.size());
    const size_t bytes = static_cast<size_t>(inner) * itemsize(x.dtype());
    const char* src = static_cast<const char*>(xc.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < m; ++j)
            std::memcpy(dst + (o * m + j) * bytes, src + (o * n + indices[j]) * bytes, bytes);
    if (!recording(x)) return out;
    return autograd::record(
        out, {x},
        [shape = x.shape(), dtype = x.dtype(), indices, axis, inner,
         outer](const Tensor& g) -> Grads {
            Tensor gx = Tensor::zeros(shape, dtype);
            const Tensor gc = g.contiguous();
            const int64_t n = shape[axis], m = static_cast<int64_t>(indices.size());
            dispatch(dtype, [&]<typename T>() {
                T* px = gx.data<T>();
                const T* pg = gc.data<T>();
                for (int64_t o = 0; o < outer; ++o)
                    for (int64_t j = 0; j < m; ++j) {
                        T* dst = px + (o * n + indices[j]) * inner;
                        const T* src = pg + (o * m + j) * inner;
                        for (int64_t i = 0; i < inner; ++i) dst[i] += src[i];
                    }
            });
            return {gx};
        },
        "index_select");
}

// ---- matrix product ----

// C = A B.  ∂L/∂A = G Bᵀ, ∂L/∂B = Aᵀ G (batched: per batch, summed over a broadcast B).
Tensor matmul(const Tensor& a, const Tensor& b) {
    Tensor c = kernels::matmul(a, b);
    if (!(autograd::grad_enabled() && (needs_grad(a) || needs_grad(b)))) return c;
    return autograd::record(
        c, {a, b},
        [a, b](const Tensor& g) -> Grads {
            const Tensor ad = a.detach(), bd = b.detach();
            Tensor ga, gb;
            if (a.dim() == 1 || b.dim() == 1) {
                // Promote to matrices, then drop the promoted axes again.
                const Tensor a2 = a.dim() == 1 ? unsqueeze(ad, 0) : ad;
                const Tensor b2 = b.dim() == 1 ? unsqueeze(bd, 1) : bd;
                Tensor g2 = g;
                if (a.dim() == 1) g2 = unsqueeze(g2, -2);
                if (b.dim() == 1) g2 = unsqueeze(g2, -1);
                if (needs_grad(a)) {
                    ga = kernels::matmul(g2, transpose(b2, -1, -2));
                    if (a.dim() == 1)
                        ga = kernels::sum_to(ga, Shape{1, a.shape()[0]}).reshape(a.shape());
                }
                if (needs_grad(b)) {
                    gb = kernels::matmul(transpose(a2, -1, -2), g2);
                    if (b.dim() == 1)
                        gb = kernels::sum_to(gb, Shape{b.shape()[0], 1}).reshape(b.shape());
                }
                return {ga, gb};
            }
            if (needs_grad(a)) {
                ga = kernels::matmul(g, transpose(bd, -1, -2));
                if (a.dim() == 2 && b.dim() > 2) ga = kernels::sum_to(ga, a.shape());  // Σᵢ Gᵢ Bᵢᵀ
            }
            if (needs_grad(b)) {
                if (b.dim() == 2 && a.dim() > 2) {
                    // Σ over the batch of Aᵢᵀ Gᵢ = (A as rows)ᵀ (G as rows): one GEMM.
                    const Tensor a_rows = reshape(ad.contiguous(), {-1, a.shape()[a.dim() - 1]});
                    const Tensor g_rows = reshape(g.contiguous(), {-1, g.shape()[g.dim() - 1]});
                    gb = kernels::matmul(transpose(a_rows, 0, 1), g_rows);
                } else {
                    gb = kernels::matmul(transpose(ad, -1, -2), g);
                    if (a.dim() == 2 && b.dim() > 2) gb = gb.contiguous();
                }
            }
            return {ga, gb};
        },
        "matmul");
}

}  // namespace gibbs
