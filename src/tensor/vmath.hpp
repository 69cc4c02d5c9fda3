// Vectorizable float32 exp, tanh and sigmoid (private header of layer 1). libm's scalar expf and
// tanhf cost ~10 ns a call and block vectorization; these are branch-free so GCC vectorizes the
// elementwise loops that call them. float64 keeps libm (full double precision for gradient
// checks and physics).
//
// exp: x = n ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2), eʳ by its degree-7 Taylor
// polynomial (truncation < 2e-9 relative), times 2ⁿ built in the exponent bits; ≤ 2 ulp.
// tanh: odd Taylor series x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 for |x| < 0.25 (next term
// < 3e-9), else sign(x)(1 − 2/(e^{2|x|} + 1)); ≤ 4 ulp.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace gibbs::vm {

[[gnu::always_inline]] inline float exp(float x) {
    x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    // Round to nearest by the 1.5·2²³ trick (vectorizes, unlike nearbyint).
    const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const float r =
        (x - n * 0.693359375f) + n * 2.12194440e-4f;  // ln2 = 0.693359375 − 2.12194440e-4
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
    return p * std::bit_cast<float>(bits);
}
inline double exp(double x) { return std::exp(x); }

[[gnu::always_inline]] inline float tanh(float x) {
    const float a = std::fabs(x);
    const float x2 = x * x;
    const float small =
        x *
        (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315 + x2 * (62.0f / 2835)))));
    const float e = vm::exp(2.0f * (a > 9.0f ? 9.0f : a));
    const float big = std::copysign(1.0f - 2.0f / (e + 1.0f), x);
    return a < 0.25f ? small : big;
}
inline double tanh(double x) { return std::tanh(x); }

// σ(x) = 1/(1 + e⁻ˣ); the clamp inside exp keeps it finite for any x.
[[gnu::always_inline]] inline float sigmoid(float x) { return 1.0f / (1.0f + vm::exp(-x)); }
inline double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}

// float64: e^y for y ≤ 0, branch-free so that loops over it vectorize: y = n ln2 + r, |r| ≤
// ln2/2, e^r by its degree-12 Taylor polynomial (truncation < 2e-16 relative), 2^n from the
// exponent bits. NOTE: y is clamped at −700, where e^y < 1e-304 no longer changes 1 + e^y.
[[gnu::always_inline]] inline double exp_nonpositive(double y) {
    y = y < -700.0 ? -700.0 : y;
    // Round to nearest by the 1.5·2⁵² trick (vectorizes, unlike nearbyint).
    const double n = (y * std::numbers::log2e + 6755399441055744.0) - 6755399441055744.0;
    const double r = (y - n * 0.6931471803691238) - n * 1.9082149292705877e-10;
    double p = 1.0 / 479001600;
    p = p * r + 1.0 / 39916800;
    p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const int64_t bits = (static_cast<int64_t>(n) + 1023) << 52;
    return p * std::bit_cast<double>(bits);
}

}  // namespace gibbs::vm
