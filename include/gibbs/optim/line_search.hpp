// A line search along a direction d from x₀ for the strong Wolfe conditions (Nocedal & Wright,
// "Numerical Optimization", 2nd ed., Algorithms 3.5 and 3.6), with φ(t) = f(x₀ + t d):
//   sufficient decrease   φ(t) ≤ φ(0) + c₁ t φ'(0)
//   curvature             |φ'(t)| ≤ c₂ |φ'(0)|
// Trial steps grow until they bracket an acceptable t, then the bracket is zoomed with the
// minimizer of the cubic interpolating φ and φ' at its ends (Nocedal & Wright eq. 3.59),
// safeguarded to stay inside the bracket.
#pragma once

#include <functional>
#include <vector>

namespace gibbs::optim {

struct StrongWolfeOptions {
    double c1 = 1e-4;
    double c2 = 0.9;
    double tolerance_change = 1e-9;  // stop zooming when the bracket is shorter than this
    int max_evals = 25;
};

struct LineSearchResult {
    double t = 0.0;         // the step accepted
    double f = 0.0;         // φ(t)
    std::vector<double> g;  // ∇f(x₀ + t d)
    int evals = 0;          // evaluations of f made
};

// Evaluates f at x₀ + t d, writes its gradient into g (resized by the callee if needed) and
// returns f.
using LineFunction = std::function<double(double t, std::vector<double>& g)>;

// Searches from the trial step t0 > 0; f0, g0 are f and ∇f at x₀, and gtd0 = g0ᵀd < 0.
LineSearchResult strong_wolfe(const LineFunction& f, const std::vector<double>& d, double t0,
                              double f0, const std::vector<double>& g0, double gtd0,
                              const StrongWolfeOptions& options = {});

}  // namespace gibbs::optim
