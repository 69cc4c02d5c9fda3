// Sums, maxima and log-sum-exp along axes, and the matrix product through BLAS.
#include "gibbs/tensor/reduce.hpp"

#include <cmath>
#include <limits>

#include "gibbs/tensor/blas.hpp"
#include "tensor/elementwise.hpp"

namespace gibbs::kernels {

Tensor sum_axes(const Tensor& x, const std::vector<bool>& reduce, bool keepdim) {
    check(static_cast<int>(reduce.size()) == x.dim(), "sum: ", reduce.size(),
          " axis flags for shape ", x.shape());
    Shape kept = x.shape(), dropped;
    for (int d = 0; d < x.dim(); ++d) {
        if (reduce[d])
            kept[d] = 1;
        else
            dropped.push_back(x.shape()[d]);
    }
    Tensor out = Tensor::zeros(kept, x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        // Walk x; the output index ignores reduced axes (stride 0 there).
        Shape out_strides = contiguous_strides(kept);
        for (int d = 0; d < x.dim(); ++d)
            if (reduce[d]) out_strides[d] = 0;
        const detail::LoopNest<2> nest(x.shape(), {x.strides(), out_strides}, {x.offset(), 0});
        const T* xp = static_cast<const T*>(x.impl()->storage->data);
        T* op = out.data<T>();
        const int64_t n = nest.row_length(), rows = nest.rows();
        const int64_t sx = nest.strides[0].back(), so = nest.strides[1].back();
        bool rows_disjoint = so == 0;  // each row lands on its own output element
        for (int d = 0; d + 1 < nest.shape.size(); ++d) rows_disjoint &= nest.strides[1][d] != 0;
        auto row_sum = [&](int64_t r) {
            const auto off = nest.row_offsets(r);
            const T* p = xp + off[0];
            double acc = 0;
            if (sx == 1) {
                for (int64_t i = 0; i < n; ++i) acc += p[i];
            } else {
                for (int64_t i = 0; i < n; ++i) acc += p[i * sx];
            }
            op[off[1]] += static_cast<T>(acc);
        };
        if (so == 0) {
            if (rows_disjoint && detail::use_threads(x.numel())) {
#pragma omp parallel for schedule(static)
                for (int64_t r = 0; r < rows; ++r) row_sum(r);
            } else {
                for (int64_t r = 0; r < rows; ++r) row_sum(r);
            }
        } else {
            for (int64_t r = 0; r < rows; ++r) {
                const auto off = nest.row_offsets(r);
                const T* p = xp + off[0];
                T* o = op + off[1];
                if (sx == 1 && so == 1) {
                    for (int64_t i = 0; i < n; ++i) o[i] += p[i];
                } else {
                    for (int64_t i = 0; i < n; ++i) o[i * so] += p[i * sx];
                }
            }
        }
    });
    if (!keepdim) out = make_view(out, dropped, contiguous_strides(dropped), 0);
    return out;
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
    if (g.shape() == shape) return g;
    const int lead = g.dim() - shape.size();
    check(lead >= 0, "sum_to: cannot reduce shape ", g.shape(), " to ", shape);
    std::vector<bool> reduce(g.dim(), false);
    for (int d = 0; d < g.dim(); ++d) {
        if (d < lead)
            reduce[d] = true;
        else if (shape[d - lead] == 1 && g.shape()[d] != 1)
            reduce[d] = true;
        else
            check(shape[d - lead] == g.shape()[d], "sum_to: cannot reduce shape ", g.shape(),
                  " to ", shape);
    }
    Tensor s = sum_axes(g, reduce, true);
    return make_view(s, shape, contiguous_strides(shape), 0);
}

namespace {
// Moves `axis` last and makes the result contiguous: rows of length shape[axis].
Tensor axis_last(const Tensor& x, int axis) {
    if (axis == x.dim() - 1) return x.contiguous();
    Shape shape, strides;
    for (int d = 0; d < x.dim(); ++d)
        if (d != axis) {
            shape.push_back(x.shape()[d]);
            strides.push_back(x.strides()[d]);
        }
    shape.push_back(x.shape()[axis]);
    strides.push_back(x.strides()[axis]);
    return make_view(x, shape, strides, x.offset()).contiguous();
}

Shape reduced_shape(const Shape& s, int axis, bool keepdim) {
    Shape out = s;
    if (keepdim)
        out[axis] = 1;
    else
        out.erase(axis);
    return out;
}
}  // namespace

void max_along(const Tensor& x, int axis, bool keepdim, Tensor* values, Tensor* indices) {
    axis = normalize_axis(axis, x.dim(), "max");
    const int64_t n = x.shape()[axis];
    check(n > 0, "max: axis ", axis, " of shape ", x.shape(), " is empty");
    const Tensor xc = axis_last(x, axis);
    const Shape out_shape = reduced_shape(x.shape(), axis, keepdim);
    Tensor v = Tensor::empty(out_shape, x.dtype()), ix = Tensor::empty(out_shape, x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        const T* p = xc.data<T>();
        T* vp = v.data<T>();
        T* ip = ix.data<T>();
        const int64_t rows = xc.numel() / n;
        for (int64_t r = 0; r < rows; ++r) {
            const T* row = p + r * n;
            int64_t best = 0;
            for (int64_t i = 1; i < n; ++i)
                if (row[i] > row[best] || (std::isnan(row[i]) && !std::isnan(row[best]))) best = i;
            vp[r] = row[best];
            ip[r] = static_cast<T>(best);
        }
    });
    if (values) *values = v;
    if (indices) *indices = ix;
}

Tensor logsumexp_along(const Tensor& x, int axis, bool keepdim) {
    axis = normalize_axis(axis, x.dim(), "logsumexp");
    const int64_t n = x.shape()[axis];
    const Tensor xc = axis_last(x, axis);
    Tensor out = Tensor::empty(reduced_shape(x.shape(), axis, keepdim), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        const T* p = xc.data<T>();
        T* o = out.data<T>();
        const int64_t rows = n ? xc.numel() / n : out.numel();
        for (int64_t r = 0; r < rows; ++r) {
            const T* row = p + r * n;
            T m = -std::numeric_limits<T>::infinity();
            for (int64_t i = 0; i < n; ++i) m = std::max(m, row[i]);
            if (!std::isfinite(m)) {
                o[r] = m;  // all -inf gives -inf; +inf or NaN propagate
                continue;
            }
            double s = 0;
            for (int64_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(row[i] - m));
            o[r] = static_cast<T>(m + std::log(s));
        }
    });
    return out;
}

namespace {
// How a 2-D (matrix) view can be handed to BLAS without a copy.
struct BlasOperand {
    Tensor t;  // the tensor whose storage is read
    bool trans;
    int64_t ld;
};

BlasOperand blas_operand(const Tensor& m) {
    const int64_t s0 = m.strides()[0], s1 = m.strides()[1];
    const int64_t rows = m.shape()[0], cols = m.shape()[1];
    if ((s1 == 1 || cols == 1) && s0 >= std::max<int64_t>(cols, 1)) return {m, false, s0};
    if ((s0 == 1 || rows == 1) && s1 >= std::max<int64_t>(rows, 1)) return {m, true, s1};
    const Tensor c = m.contiguous();
    return {c, false, std::max<int64_t>(cols, 1)};
}

template <typename T>
void gemm_into(const Tensor& a, const Tensor& b, T* c, int64_t ldc) {
    const BlasOperand A = blas_operand(a), B = blas_operand(b);
    const int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = T(0);
        return;
    }
    blas::gemm(A.trans, B.trans, m, n, k, T(1), A.t.template data<T>(), A.ld,
               B.t.template data<T>(), B.ld, T(0), c, ldc);
}

Tensor matrix_of(const Tensor& t, int64_t batch_index) {
    // The 2-D slice `batch_index` of a tensor with leading batch dimensions, or t itself if 2-D.
    if (t.dim() == 2) return t;
    const int64_t r = t.shape()[t.dim() - 2], c = t.shape()[t.dim() - 1];
    int64_t off = t.offset(), idx = batch_index;
    for (int d = t.dim() - 3; d >= 0; --d) {
        off += (idx % t.shape()[d]) * t.strides()[d];
        idx /= t.shape()[d];
    }
    return make_view(t, {r, c}, {t.strides()[t.dim() - 2], t.strides()[t.dim() - 1]}, off);
}
}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
    detail::check_same_dtype(a_in, b_in, "matmul");
    check(a_in.dim() >= 1 && b_in.dim() >= 1, "matmul: scalar operands ", a_in.shape(), " and ",
          b_in.shape());
    // Promote 1-D operands: (k) -> (1, k) on the left, (k) -> (k, 1) on the right.
    const Tensor a =
        a_in.dim() == 1
            ? make_view(a_in, {1, a_in.shape()[0]},
                        {a_in.shape()[0] * a_in.strides()[0], a_in.strides()[0]}, a_in.offset())
            : a_in;
    const Tensor b = b_in.dim() == 1 ? make_view(b_in, {b_in.shape()[0], 1}, {b_in.strides()[0], 1},
                                                 b_in.offset())
                                     : b_in;
    const int64_t m = a.shape()[a.dim() - 2], k = a.shape()[a.dim() - 1];
    const int64_t k2 = b.shape()[b.dim() - 2], n = b.shape()[b.dim() - 1];
    if (k != k2)
        fail("matmul: shapes ", a_in.shape(), " and ", b_in.shape(), " do not match (", k,
             " != ", k2, ")");
    Shape batch;
    if (a.dim() > 2) {
        for (int d = 0; d < a.dim() - 2; ++d) batch.push_back(a.shape()[d]);
        if (b.dim() > 2) {
            Shape bb;
            for (int d = 0; d < b.dim() - 2; ++d) bb.push_back(b.shape()[d]);
            if (!(bb == batch))
                fail("matmul: batch shapes of ", a_in.shape(), " and ", b_in.shape(), " differ");
        }
    } else if (b.dim() > 2) {
        for (int d = 0; d < b.dim() - 2; ++d) batch.push_back(b.shape()[d]);
    }
    Shape out_shape = batch;
    out_shape.push_back(m);
    out_shape.push_back(n);
    Tensor out = Tensor::empty(out_shape, a.dtype());
    dispatch(a.dtype(), [&]<typename T>() {
        T* o = out.data<T>();
        if (a.dim() > 2 && b.dim() == 2) {
            // (..., m, k) @ (k, n): one GEMM over all batch rows when a's rows are evenly spaced.
            const Tensor ac = a.contiguous();
            const Tensor flat = make_view(ac, {batch.numel() * m, k}, {k, 1}, ac.offset());
            gemm_into<T>(flat, b, o, n);
            return;
        }
        const int64_t nb = batch.numel();
        for (int64_t i = 0; i < nb; ++i)
            gemm_into<T>(matrix_of(a, a.dim() > 2 ? i : 0), matrix_of(b, b.dim() > 2 ? i : 0),
                         o + i * m * n, n);
    });
    // Drop promoted dimensions.
    Shape final_shape = batch;
    if (a_in.dim() > 1) final_shape.push_back(m);
    if (b_in.dim() > 1) final_shape.push_back(n);
    return make_view(out, final_shape, contiguous_strides(final_shape), 0);
}

}  // namespace gibbs::kernels
