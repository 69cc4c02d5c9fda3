// L-BFGS with a strong-Wolfe line search (see lbfgs.hpp).
#include "gibbs/linear/lbfgs.hpp"

#include <cmath>
#include <deque>

#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {

struct Point {
    double t, f, d;  // step, f(x + t p), directional derivative ∇f·p there
};

// Minimizer of the cubic through two points with derivatives, clamped into [lo, hi].
double cubic_step(const Point& a, const Point& b, double lo, double hi) {
    const double d1 = a.d + b.d - 3.0 * (a.f - b.f) / (a.t - b.t);
    const double disc = d1 * d1 - a.d * b.d;
    double t = 0.5 * (a.t + b.t);
    if (disc >= 0.0) {
        const double d2 = std::copysign(std::sqrt(disc), b.t - a.t);
        t = b.t - (b.t - a.t) * (b.d + d2 - d1) / (b.d - a.d + 2.0 * d2);
    }
    if (!std::isfinite(t)) t = 0.5 * (a.t + b.t);
    return std::clamp(t, lo, hi);
}

}  // namespace

LbfgsResult lbfgs(const Objective& f, Eigen::VectorXd x, const LbfgsOptions& o) {
    check(o.memory >= 1 && o.max_iter >= 0 && o.gtol >= 0.0, "lbfgs: bad options");
    const Eigen::Index n = x.size();
    Eigen::VectorXd g(n), g_new(n), x_new(n), p(n);
    double fx = f(x, g);
    check(std::isfinite(fx), "lbfgs: the objective is not finite at the starting point");
    std::deque<Eigen::VectorXd> S, Y;
    std::deque<double> rho;
    LbfgsResult res;
    std::vector<double> alpha(o.memory);
    for (res.iterations = 0; res.iterations < o.max_iter; ++res.iterations) {
        if (g.lpNorm<Eigen::Infinity>() <= o.gtol) {
            res.converged = true;
            break;
        }
        // Two-loop recursion: p = −H∇f.
        p = -g;
        for (int i = static_cast<int>(S.size()) - 1; i >= 0; --i) {
            alpha[i] = rho[i] * S[i].dot(p);
            p -= alpha[i] * Y[i];
        }
        if (!S.empty()) p *= S.back().dot(Y.back()) / Y.back().squaredNorm();
        for (size_t i = 0; i < S.size(); ++i) p += (alpha[i] - rho[i] * Y[i].dot(p)) * S[i];
        double d0 = g.dot(p);
        if (!(d0 < 0.0)) {  // not a descent direction: restart from steepest descent
            S.clear(), Y.clear(), rho.clear();
            p = -g;
            d0 = -g.squaredNorm();
        }
        // Strong Wolfe line search (bracketing, then zoom).
        const Point start{0.0, fx, d0};
        auto eval = [&](double t) {
            x_new = x + t * p;
            const double ft = f(x_new, g_new);
            return Point{t, std::isfinite(ft) ? ft : INFINITY, g_new.dot(p)};
        };
        // Sufficient decrease f(t) ≤ f(0) + c₁tφ'(0), or, once f changes by less than its rounding
        // error, the approximate Wolfe condition φ'(t) ≤ (1 − 2c₁)|φ'(0)| with f(t) ≤ f(0) +
        // ε|f(0)| (Hager & Zhang, SIAM J. Optim. 16, 170 (2005)), so that ‖∇f‖ can be driven far
        // below √ε.
        const double f_noise = 1e-13 * std::max(1.0, std::abs(fx));
        auto decrease = [&](const Point& q) {
            return q.f <= fx + o.c1 * q.t * d0 ||
                   (q.f <= fx + f_noise && q.d <= -(1.0 - 2.0 * o.c1) * d0);
        };
        double t = S.empty() ? std::min(1.0, 1.0 / g.lpNorm<Eigen::Infinity>()) : 1.0;
        Point prev = start, cur{};
        bool found = false;
        for (int k = 0; k < 40 && !found; ++k) {
            cur = eval(t);
            if (!decrease(cur) || (k > 0 && cur.f >= prev.f + f_noise)) {
                Point lo = prev, hi = cur;  // zoom between lo (sufficient decrease) and hi
                for (int z = 0; z < 40; ++z) {
                    const double a = std::min(lo.t, hi.t), b = std::max(lo.t, hi.t);
                    const double tz = std::isfinite(hi.f)
                                          ? cubic_step(lo, hi, a + 0.1 * (b - a), b - 0.1 * (b - a))
                                          : 0.5 * (a + b);
                    cur = eval(tz);
                    if (!decrease(cur) || cur.f >= lo.f + f_noise) {
                        hi = cur;
                    } else {
                        if (std::abs(cur.d) <= -o.c2 * d0) {
                            found = true;
                            break;
                        }
                        if (cur.d * (hi.t - lo.t) >= 0.0) hi = lo;
                        lo = cur;
                    }
                    if (std::abs(hi.t - lo.t) < 1e-16 * std::max(1.0, lo.t)) break;
                }
                if (!found && lo.t > 0.0) {  // accept the best point with sufficient decrease
                    cur = eval(lo.t);
                    found = true;
                }
                break;
            }
            if (std::abs(cur.d) <= -o.c2 * d0) {
                found = true;
                break;
            }
            if (cur.d >= 0.0) {  // overshot the minimum along p: zoom back
                Point lo = cur, hi = prev;
                for (int z = 0; z < 40; ++z) {
                    const double a = std::min(lo.t, hi.t), b = std::max(lo.t, hi.t);
                    const double tz = cubic_step(lo, hi, a + 0.1 * (b - a), b - 0.1 * (b - a));
                    Point c = eval(tz);
                    if (!decrease(c) || c.f >= lo.f + f_noise) {
                        hi = c;
                    } else {
                        if (std::abs(c.d) <= -o.c2 * d0) {
                            cur = c;
                            found = true;
                            break;
                        }
                        if (c.d * (hi.t - lo.t) >= 0.0) hi = lo;
                        lo = c;
                    }
                    if (std::abs(hi.t - lo.t) < 1e-16 * std::max(1.0, lo.t)) break;
                }
                if (!found) {
                    cur = eval(lo.t);
                    found = true;
                }
                break;
            }
            prev = cur;
            t *= 2.0;
        }
        if (!found || !(cur.f <= fx + f_noise)) break;  // no progress possible in floating point
        const double f_old = fx;
        Eigen::VectorXd s = x_new - x, y = g_new - g;
        x = x_new;
        g = g_new;
        fx = cur.f;
        const double sy = s.dot(y);
        if (sy > 1e-12 * s.norm() * y.norm()) {
            if (static_cast<int>(S.size()) == o.memory)
                S.pop_front(), Y.pop_front(), rho.pop_front();
            S.push_back(std::move(s));
            Y.push_back(std::move(y));
            rho.push_back(1.0 / sy);
        }
        if (o.ftol > 0.0 && f_old - fx <= o.ftol * std::max({std::abs(f_old), std::abs(fx), 1.0})) {
            res.converged = true;
            ++res.iterations;
            break;
        }
    }
    res.x = std::move(x);
    res.f = fx;
    res.grad_norm = g.lpNorm<Eigen::Infinity>();
    if (res.grad_norm <= o.gtol) res.converged = true;
    return res;
}

}  // namespace gibbs::linear
