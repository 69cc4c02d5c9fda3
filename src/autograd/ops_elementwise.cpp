// Elementwise differentiable ops: arithmetic with broadcasting, functions, comparisons, where.
// Each backward is one fused elementwise pass: ∂L/∂x = g ⊙ f'(x), summed back to x's shape when
// x was broadcast.
#include <cmath>
#include <numbers>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/tensor/reduce.hpp"
#include "tensor/elementwise.hpp"
#include "tensor/vmath.hpp"

namespace gibbs {

using autograd::Grads;
using autograd::needs_grad;
using kernels::sum_to;

namespace {

bool recording(const Tensor& a) { return autograd::grad_enabled() && needs_grad(a); }
bool recording(const Tensor& a, const Tensor& b) {
    return autograd::grad_enabled() && (needs_grad(a) || needs_grad(b));
}

template <typename F>
Tensor binary_kernel(const Tensor& a, const Tensor& b, const char* op, F f) {
    detail::check_same_dtype(a, b, op);
    return dispatch(a.dtype(), [&]<typename T>() {
        return detail::map2<T>(a, b, op, [&](T x, T y) -> T { return f(x, y); });
    });
}

template <typename F>
Tensor ternary_kernel(const Tensor& a, const Tensor& b, const Tensor& c, const char* op, F f) {
    return dispatch(a.dtype(), [&]<typename T>() {
        return detail::map3<T>(a, b, c, op, [&](T x, T y, T z) -> T { return f(x, y, z); });
    });
}

template <typename F>
Tensor unary_kernel(const Tensor& x, F f) {
    return dispatch(x.dtype(), [&]<typename T>() {
        return detail::map1<T>(x, [&](T v) -> T { return f(v); });
    });
}

// y = f(x) elementwise, with ∂L/∂x = g ⊙ df(x, y) where df sees both the input and the output.
template <typename Fwd, typename Df>
Tensor unary(const Tensor& x, const char* name, Fwd fwd, Df df) {
    Tensor y = unary_kernel(x, fwd);
    if (!recording(x)) return y;
    const Tensor yd = y.detach();
    return autograd::record(
        y, {x},
        [x, yd, df, name](const Tensor& g) -> Grads {
            return {ternary_kernel(g, x, yd, name,
                                   [&](auto gv, auto xv, auto yv) { return gv * df(xv, yv); })};
        },
        name);
}

}  // namespace

// ---- arithmetic ----

// z = a + b.  ∂L/∂a = sum_to(g, shape(a)), ∂L/∂b = sum_to(g, shape(b)).
Tensor add(const Tensor& a, const Tensor& b) {
    Tensor z = binary_kernel(a, b, "add", [](auto x, auto y) { return x + y; });
    if (!recording(a, b)) return z;
    return autograd::record(
        z, {a, b},
        [sa = a.shape(), sb = b.shape(), na = needs_grad(a),
         nb = needs_grad(b)](const Tensor& g) -> Grads {
            return {na ? sum_to(g, sa) : Tensor(), nb ? sum_to(g, sb) : Tensor()};
        },
        "add");
}

// z = a - b.  ∂L/∂a = sum_to(g), ∂L/∂b = -sum_to(g).
Tensor sub(const Tensor& a, const Tensor& b) {
    Tensor z = binary_kernel(a, b, "sub", [](auto x, auto y) { return x - y; });
    if (!recording(a, b)) return z;
    return autograd::record(
        z, {a, b},
        [sa = a.shape(), sb = b.shape(), na = needs_grad(a),
         nb = needs_grad(b)](const Tensor& g) -> Grads {
            return {na ? sum_to(g, sa) : Tensor(), nb ? neg(sum_to(g, sb)) : Tensor()};
        },
        "sub");
}

// z = a ⊙ b.  ∂L/∂a = sum_to(g ⊙ b), ∂L/∂b = sum_to(g ⊙ a).
Tensor mul(const Tensor& a, const Tensor& b) {
    Tensor z = binary_kernel(a, b, "mul", [](auto x, auto y) { return x * y; });
    if (!recording(a, b)) return z;
    return autograd::record(
        z, {a, b},
        [a, b](const Tensor& g) -> Grads {
            return {needs_grad(a) ? sum_to(mul(g, b.detach()), a.shape()) : Tensor(),
                    needs_grad(b) ? sum_to(mul(g, a.detach()), b.shape()) : Tensor()};
        },
        "mul");
}

// z = a / b.  ∂L/∂a = sum_to(g / b), ∂L/∂b = -sum_to(g a / b²).
Tensor div(const Tensor& a, const Tensor& b) {
    Tensor z = binary_kernel(a, b, "div", [](auto x, auto y) { return x / y; });
    if (!recording(a, b)) return z;
    return autograd::record(
        z, {a, b},
        [a, b](const Tensor& g) -> Grads {
            const Tensor ad = a.detach(), bd = b.detach();
            return {needs_grad(a) ? sum_to(div(g, bd), a.shape()) : Tensor(),
                    needs_grad(b) ? sum_to(ternary_kernel(g, ad, bd, "div",
                                                          [](auto gv, auto x, auto y) {
                                                              return -gv * x / (y * y);
                                                          }),
                                           b.shape())
                                  : Tensor()};
        },
        "div");
}

Tensor neg(const Tensor& x) {
    return unary(
        x, "neg", [](auto v) { return -v; }, [](auto, auto) { return -1; });
}

Tensor add_scalar(const Tensor& x, double s) {
    Tensor y = unary_kernel(x, [s](auto v) { return v + static_cast<decltype(v)>(s); });
    if (!recording(x)) return y;
    return autograd::record(
        y, {x}, [](const Tensor& g) -> Grads { return {g}; }, "add_scalar");
}

Tensor mul_scalar(const Tensor& x, double s) {
    Tensor y = unary_kernel(x, [s](auto v) { return v * static_cast<decltype(v)>(s); });
    if (!recording(x)) return y;
    return autograd::record(
        y, {x}, [s](const Tensor& g) -> Grads { return {mul_scalar(g, s)}; }, "mul_scalar");
}

// y = s / x.  ∂y/∂x = -s / x² = -y / x.
Tensor rdiv_scalar(double s, const Tensor& x) {
    return unary(
        x, "rdiv_scalar", [s](auto v) { return static_cast<decltype(v)>(s) / v; },
        [](auto xv, auto yv) { return -yv / xv; });
}

// NOTE: at ties (a = b) the whole gradient goes to a.
Tensor maximum(const Tensor& a, const Tensor& b) {
    Tensor z = binary_kernel(a, b, "maximum", [](auto x, auto y) { return x >= y ? x : y; });
    if (!recording(a, b)) return z;
    return autograd::record(
        z, {a, b},
        [a, b](const Tensor& g) -> Grads {
            const Tensor ad = a.detach(), bd = b.detach();
            auto pick = [](bool first) {
                return [first](auto gv, auto x, auto y) {
                    return ((x >= y) == first) ? gv : decltype(gv)(0);
                };
            };
            return {
                needs_grad(a) ? sum_to(ternary_kernel(g, ad, bd, "maximum", pick(true)), a.shape())
                              : Tensor(),
                needs_grad(b) ? sum_to(ternary_kernel(g, ad, bd, "maximum", pick(false)), b.shape())
                              : Tensor()};
        },
        "maximum");
}

Tensor minimum(const Tensor& a, const Tensor& b) { return neg(maximum(neg(a), neg(b))); }

// ---- functions ----

// y = eˣ, y' = y.
Tensor exp(const Tensor& x) {
    return unary(
        x, "exp", [](auto v) { return vm::exp(v); }, [](auto, auto y) { return y; });
}
// y = log x, y' = 1/x.
Tensor log(const Tensor& x) {
    return unary(
        x, "log", [](auto v) { return std::log(v); }, [](auto v, auto) { return 1 / v; });
}
// y = √x, y' = 1/(2y).
Tensor sqrt(const Tensor& x) {
    return unary(
        x, "sqrt", [](auto v) { return std::sqrt(v); }, [](auto, auto y) { return 1 / (2 * y); });
}
Tensor square(const Tensor& x) {
    return unary(
        x, "square", [](auto v) { return v * v; }, [](auto v, auto) { return 2 * v; });
}
// y = xᵖ, y' = p xᵖ⁻¹.
Tensor pow(const Tensor& x, double p) {
    return unary(
        x, "pow", [p](auto v) { return std::pow(v, static_cast<decltype(v)>(p)); },
        [p](auto v, auto) {
            return static_cast<decltype(v)>(p) * std::pow(v, static_cast<decltype(v)>(p - 1));
        });
}
Tensor abs(const Tensor& x) {
    return unary(
        x, "abs", [](auto v) { return std::abs(v); },
        [](auto v, auto) {
            return v > 0 ? decltype(v)(1) : v < 0 ? decltype(v)(-1) : decltype(v)(0);
        });
}
Tensor sin(const Tensor& x) {
    return unary(
        x, "sin", [](auto v) { return std::sin(v); }, [](auto v, auto) { return std::cos(v); });
}
Tensor cos(const Tensor& x) {
    return unary(
        x, "cos", [](auto v) { return std::cos(v); }, [](auto v, auto) { return -std::sin(v); });
}
Tensor clamp(const Tensor& x, double lo, double hi) {
    return unary(
        x, "clamp",
        [lo, hi](auto v) {
            using T = decltype(v);
            return std::min(std::max(v, static_cast<T>(lo)), static_cast<T>(hi));
        },
        [lo, hi](auto v, auto) { return (v >= lo && v <= hi) ? decltype(v)(1) : decltype(v)(0); });
}
// y = tanh x, y' = 1 − y².
Tensor tanh(const Tensor& x) {
    return unary(
        x, "tanh", [](auto v) { return vm::tanh(v); }, [](auto, auto y) { return 1 - y * y; });
}
// y = σ(x) = 1/(1 + e⁻ˣ), y' = y(1 − y).
Tensor sigmoid(const Tensor& x) {
    return unary(
        x, "sigmoid", [](auto v) { return vm::sigmoid(v); },
        [](auto, auto y) { return y * (1 - y); });
}
Tensor relu(const Tensor& x) {
    return unary(
        x, "relu", [](auto v) { return v > 0 ? v : decltype(v)(0); },
        [](auto v, auto) { return v > 0 ? decltype(v)(1) : decltype(v)(0); });
}
Tensor leaky_relu(const Tensor& x, double slope) {
    return unary(
        x, "leaky_relu",
        [slope](auto v) { return v > 0 ? v : static_cast<decltype(v)>(slope) * v; },
        [slope](auto v, auto) { return v > 0 ? decltype(v)(1) : static_cast<decltype(v)>(slope); });
}
// y = x for x > 0, α(eˣ − 1) otherwise; y' = 1 or y + α.
Tensor elu(const Tensor& x, double alpha) {
    return unary(
        x, "elu",
        [alpha](auto v) { return v > 0 ? v : static_cast<decltype(v)>(alpha) * std::expm1(v); },
        [alpha](auto v, auto y) {
            return v > 0 ? decltype(v)(1) : y + static_cast<decltype(v)>(alpha);
        });
}
// y = x Φ(x), Φ(x) = (1 + erf(x/√2))/2; y' = Φ(x) + x φ(x).
Tensor gelu(const Tensor& x) {
    return unary(
        x, "gelu",
        [](auto v) {
            using T = decltype(v);
            return T(0.5) * v * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2)));
        },
        [](auto v, auto) {
            using T = decltype(v);
            const T cdf = T(0.5) * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2)));
            const T pdf =
                std::exp(T(-0.5) * v * v) * T(0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2);
            return cdf + v * pdf;
        });
}
// y = x σ(x), y' = σ(x)(1 + x(1 − σ(x))).
Tensor silu(const Tensor& x) {
    return unary(
        x, "silu", [](auto v) { return v * vm::sigmoid(v); },
        [](auto v, auto) {
            const auto s = vm::sigmoid(v);
            return s * (1 + v * (1 - s));
        });
}
// y = log(1 + eˣ) = max(x, 0) + log1p(e^{-|x|}), y' = σ(x).
Tensor softplus(const Tensor& x) {
    return unary(
        x, "softplus",
        [](auto v) { return std::max(v, decltype(v)(0)) + std::log1p(std::exp(-std::abs(v))); },
        [](auto v, auto) {
            using T = decltype(v);
            if (v >= 0) return T(1) / (T(1) + std::exp(-v));
            const T e = std::exp(v);
            return e / (T(1) + e);
        });
}
Tensor log1p(const Tensor& x) {
    return unary(
        x, "log1p", [](auto v) { return std::log1p(v); }, [](auto v, auto) { return 1 / (1 + v); });
}

// ---- comparisons and where ----

Tensor gt(const Tensor& a, const Tensor& b) {
    return binary_kernel(a, b, "gt", [](auto x, auto y) { return decltype(x)(x > y); });
}
Tensor lt(const Tensor& a, const Tensor& b) {
    return binary_kernel(a, b, "lt", [](auto x, auto y) { return decltype(x)(x < y); });
}
Tensor ge(const Tensor& a, const Tensor& b) {
    return binary_kernel(a, b, "ge", [](auto x, auto y) { return decltype(x)(x >= y); });
}
Tensor le(const Tensor& a, const Tensor& b) {
    return binary_kernel(a, b, "le", [](auto x, auto y) { return decltype(x)(x <= y); });
}
Tensor eq(const Tensor& a, const Tensor& b) {
    return binary_kernel(a, b, "eq", [](auto x, auto y) { return decltype(x)(x == y); });
}

// z = c ? a : b.  ∂L/∂a = sum_to(c ? g : 0), ∂L/∂b = sum_to(c ? 0 : g).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
    detail::check_same_dtype(a, b, "where");
    detail::check_same_dtype(cond, a, "where");
    Tensor z =
        ternary_kernel(cond, a, b, "where", [](auto c, auto x, auto y) { return c != 0 ? x : y; });
    if (!recording(a, b)) return z;
    const Tensor c = cond.detach();
    return autograd::record(
        z, {a, b},
        [c, sa = a.shape(), sb = b.shape(), na = needs_grad(a),
         nb = needs_grad(b)](const Tensor& g) -> Grads {
            auto pick = [](bool first) {
                return [first](auto gv, auto cv) {
                    return ((cv != 0) == first) ? gv : decltype(gv)(0);
                };
            };
            return {na ? sum_to(binary_kernel(g, c, "where", pick(true)), sa) : Tensor(),
                    nb ? sum_to(binary_kernel(g, c, "where", pick(false)), sb) : Tensor()};
        },
        "where");
}

}  // namespace gibbs
