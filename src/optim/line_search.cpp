// The strong Wolfe line search of Nocedal & Wright, Algorithms 3.5 (bracketing) and 3.6 (zoom),
// with cubic interpolation (equations in line_search.hpp).
#include "gibbs/optim/line_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace gibbs::optim {

namespace {

struct Point {
    double t = 0.0, f = 0.0, dphi = 0.0;  // φ(t), φ'(t)
    std::vector<double> g;                // ∇f(x₀ + t d)
};

// The minimizer of the cubic through (a, fa, da) and (b, fb, db), Nocedal & Wright eq. 3.59:
//   d₁ = da + db − 3 (fa − fb)/(a − b),  d₂ = sign(b − a) √(d₁² − da db),
//   t = b − (b − a)(db + d₂ − d₁)/(db − da + 2 d₂),
// clamped to [lo, hi]; `fallback` when the cubic has no minimizer.
double cubic_minimizer(const Point& a, const Point& b, double lo, double hi, double fallback) {
    const double d1 = a.dphi + b.dphi - 3.0 * (a.f - b.f) / (a.t - b.t);
    const double disc = d1 * d1 - a.dphi * b.dphi;
    if (!(disc >= 0)) return fallback;
    const double d2 = std::copysign(std::sqrt(disc), b.t - a.t);
    const double t = b.t - (b.t - a.t) * (b.dphi + d2 - d1) / (b.dphi - a.dphi + 2.0 * d2);
    if (!std::isfinite(t)) return fallback;
    return std::clamp(t, lo, hi);
}

Point at(double t) {
    Point p;
    p.t = t;
    return p;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

LineSearchResult result(Point&& p, int evals) {
    return {.t = p.t, .f = p.f, .g = std::move(p.g), .evals = evals};
}

}  // namespace

LineSearchResult strong_wolfe(const LineFunction& f, const std::vector<double>& d, double t0,
                              double f0, const std::vector<double>& g0, double gtd0,
                              const StrongWolfeOptions& o) {
    double d_max = 0.0;
    for (double di : d) d_max = std::max(d_max, std::abs(di));
    int evals = 0;
    auto evaluate = [&](Point& p) {
        p.f = f(p.t, p.g);
        // NOTE: a non-finite value counts as +∞, so it fails sufficient decrease and is bracketed.
        if (!std::isfinite(p.f)) p.f = std::numeric_limits<double>::infinity();
        p.dphi = dot(p.g, d);
        if (!std::isfinite(p.dphi)) p.dphi = 0.0;
        ++evals;
    };
    auto decreases = [&](const Point& p) { return p.f <= f0 + o.c1 * p.t * gtd0; };
    auto curved = [&](const Point& p) { return std::abs(p.dphi) <= -o.c2 * gtd0; };

    // Algorithm 3.5: grow the step until [lo, hi] brackets a point satisfying both conditions.
    Point prev{.t = 0.0, .f = f0, .dphi = gtd0, .g = g0};
    Point cur = at(t0);
    Point lo, hi;
    while (true) {
        evaluate(cur);
        if (!decreases(cur) || (evals > 1 && cur.f >= prev.f)) {
            lo = std::move(prev);
            hi = std::move(cur);
            break;
        }
        if (curved(cur)) return result(std::move(cur), evals);
        if (cur.dphi >= 0) {
            lo = std::move(cur);
            hi = std::move(prev);
            break;
        }
        if (evals >= o.max_evals) return result(std::move(cur), evals);
        const double min_step = cur.t + 0.01 * (cur.t - prev.t), max_step = 10.0 * cur.t;
        const double next = cubic_minimizer(prev, cur, min_step, max_step, max_step);
        prev = std::move(cur);
        cur = at(next);
    }

    // Algorithm 3.6: shrink [lo, hi], lo always the best point satisfying sufficient decrease.
    while (evals < o.max_evals && std::abs(hi.t - lo.t) * d_max >= o.tolerance_change) {
        const double a = std::min(lo.t, hi.t), b = std::max(lo.t, hi.t), w = b - a;
        Point trial = at(cubic_minimizer(lo, hi, a + 0.1 * w, b - 0.1 * w, 0.5 * (a + b)));
        evaluate(trial);
        if (!decreases(trial) || trial.f >= lo.f) {
            hi = std::move(trial);
        } else {
            if (curved(trial)) return result(std::move(trial), evals);
            if (trial.dphi * (hi.t - lo.t) >= 0) hi = std::move(lo);
            lo = std::move(trial);
        }
    }
    return result(std::move(lo), evals);
}

}  // namespace gibbs::optim
