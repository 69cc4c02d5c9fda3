// Coordinate descent for the elastic net (see elastic_net.hpp), in two forms:
//  - residual form: keeps r = y − Xθ (N); a coordinate step costs O(N); used for single fits;
//  - covariance form: keeps g = Xᵀr = Xᵀy − Gθ (P) with G = XᵀX; a step that changes θⱼ costs O(P).
// Internally both work with the objective scaled by n/2, as scikit-learn does:
//   P(θ) = ½‖r‖² + l1·‖θ‖₁ + ½β‖θ‖²,  l1 = nλ₁/2,  β = nλ₂,
// where the coordinate step reads θⱼ ← S(gⱼ + ‖Xⱼ‖²θⱼ, l1)/(‖Xⱼ‖² + β).
// Columns are centered implicitly (Xⱼ − x̄ⱼ) so that X is never copied.
#include "gibbs/linear/elastic_net.hpp"

#include <algorithm>
#include <cmath>

#include "gibbs/tensor/error.hpp"
#include "linear/gram.hpp"

namespace gibbs::linear {

namespace {

constexpr double kParallelWork = 1e5;  // N·P above which Xᵀr runs on all threads

double soft_threshold(double z, double t) { return z > t ? z - t : (z < -t ? z + t : 0.0); }

// Duality gap of P at θ, given g = Xᵀr, ‖r‖² and rᵀy (Friedman et al. 2010; scikit-learn's
// cd_fast): the dual point ν = s·r with s = min(1, l1/‖g − βθ‖_∞).
double duality_gap(const Eigen::VectorXd& g, const Eigen::VectorXd& theta, double r_norm2,
                   double r_dot_y, double l1, double beta) {
    const double dual_norm = (g - beta * theta).cwiseAbs().maxCoeff();
    double s = 1.0, gap = r_norm2;
    if (dual_norm > l1) {
        s = l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * s * s);
    }
    gap += l1 * theta.lpNorm<1>() - s * r_dot_y + 0.5 * beta * (1.0 + s * s) * theta.squaredNorm();
    return gap;
}

void check_penalty(double lambda1, double lambda2) {
    check(std::isfinite(lambda1) && lambda1 >= 0.0, "elastic net: lambda1 must be >= 0, got ",
          lambda1);
    check(std::isfinite(lambda2) && lambda2 >= 0.0, "elastic net: lambda2 must be >= 0, got ",
          lambda2);
}

// The data of one regression, centered implicitly.
struct Problem {
    const Eigen::MatrixXd& X;  // (N, P)
    Eigen::RowVectorXd mean;   // (P) x̄, zero without intercept
    Eigen::VectorXd yc;        // (N) y − ȳ
    double yy = 0.0;           // ‖y − ȳ‖²
    Centering centering;

    Problem(const Eigen::MatrixXd& X_, const Eigen::VectorXd& y, bool fit_intercept)
        : X(X_), centering(X_, y, fit_intercept) {
        mean = centering.x_mean;
        yc = y.array() - centering.y_mean;
        yy = yc.squaredNorm();
    }
};

// g = (X − 1x̄)ᵀr for r with Σr = 0 (kept so by the centered updates), split over threads.
void xt_times(const Eigen::MatrixXd& X, const Eigen::VectorXd& r, Eigen::VectorXd& g) {
    const Eigen::Index p = X.cols();
    const double work = static_cast<double>(X.rows()) * static_cast<double>(p);
#pragma omp parallel for schedule(static) if (work > kParallelWork)
    for (Eigen::Index j = 0; j < p; ++j) g(j) = X.col(j).dot(r);
}

// Residual form with an active set: inner sweeps over the nonzero coordinates, then one full
// product g = Xᵀr to check the gap and to admit the coordinates that violate |gⱼ| ≤ l1.
ElasticNetFit solve_residual(const Problem& pb, double l1, double beta, double tol, int max_sweeps,
                             Eigen::VectorXd theta) {
    const Eigen::MatrixXd& X = pb.X;
    const Eigen::Index n = X.rows(), p = X.cols();
    const double work = static_cast<double>(n) * static_cast<double>(p);
    Eigen::VectorXd norm2(p);  // ‖Xⱼ − x̄ⱼ‖²
#pragma omp parallel for schedule(static) if (work > kParallelWork)
    for (Eigen::Index j = 0; j < p; ++j)
        norm2(j) = (X.col(j).array() - pb.mean(j)).matrix().squaredNorm();

    Eigen::VectorXd r = pb.yc;  // (N)
    if (theta.any()) {
        r.noalias() -= X * theta;
        r.array() += pb.mean.dot(theta);
    }
    std::vector<Eigen::Index> active;
    std::vector<char> is_active(p, 0);
    for (Eigen::Index j = 0; j < p; ++j)
        if (theta(j) != 0.0) active.push_back(j), is_active[j] = 1;

    const double tol_abs = tol * pb.yy;
    Eigen::VectorXd g(p);
    ElasticNetFit fit;
    for (;;) {
        xt_times(X, r, g);
        ++fit.sweeps;
        const double r_dot_y = r.dot(pb.yc);
        fit.gap = duality_gap(g, theta, r.squaredNorm(), r_dot_y, l1, beta);
        // Admit every coordinate that violates its KKT condition |gⱼ| ≤ l1 at θⱼ = 0.
        size_t added = 0;
        for (Eigen::Index j = 0; j < p; ++j) {
            if (!is_active[j] && std::abs(g(j)) > l1 && norm2(j) > 0.0) {
                active.push_back(j);
                is_active[j] = 1;
                ++added;
            }
        }
        // Done when the gap is small and no zero coordinate violates its KKT condition.
        if (fit.gap <= tol_abs && added == 0) {
            fit.converged = true;
            break;
        }
        if (fit.sweeps >= max_sweeps) break;
        // With the working set unchanged, one more sweep before the next gap check (as
        // scikit-learn checks the gap after every sweep once the updates are small).
        const bool one_sweep = added == 0;
        while (fit.sweeps < max_sweeps) {
            double d_max = 0.0, w_max = 0.0;
            for (const Eigen::Index j : active) {
                const double old = theta(j);
                const double rho = X.col(j).dot(r) + norm2(j) * old;
                const double now = soft_threshold(rho, l1) / (norm2(j) + beta);
                if (now != old) {
                    const double d = now - old;
                    // r ← r − d(Xⱼ − x̄ⱼ)
                    r.array() -= d * (X.col(j).array() - pb.mean(j));
                    theta(j) = now;
                    d_max = std::max(d_max, std::abs(d));
                }
                w_max = std::max(w_max, std::abs(now));
            }
            ++fit.sweeps;
            if (one_sweep || w_max == 0.0 || d_max / w_max < tol) break;
        }
    }
    fit.gap *= 2.0 / static_cast<double>(n);  // gap of C = (2/n)P
    fit.model = pb.centering.model(theta);
    return fit;
}

// Covariance form: G (P, P), c = Xᵀ(y − ȳ) (P), g = c − Gθ (P) kept up to date across calls.
ElasticNetFit solve_gram(const Eigen::MatrixXd& G, const Eigen::VectorXd& c, double yy, double n,
                         double l1, double beta, double tol, int max_sweeps, Eigen::VectorXd& theta,
                         Eigen::VectorXd& g) {
    const Eigen::Index p = G.cols();
    const double tol_abs = tol * yy;
    ElasticNetFit fit;
    while (fit.sweeps < max_sweeps) {
        for (Eigen::Index j = 0; j < p; ++j) {
            const double gjj = G(j, j);
            if (gjj == 0.0) continue;
            const double old = theta(j);
            const double now = soft_threshold(g(j) + gjj * old, l1) / (gjj + beta);
            if (now != old) {
                g.noalias() -= (now - old) * G.col(j);
                theta(j) = now;
            }
        }
        ++fit.sweeps;
        // ‖r‖² = ‖y‖² − 2θᵀc + θᵀGθ = ‖y‖² − θᵀc − θᵀg, and rᵀy = ‖y‖² − θᵀc.
        const double tc = theta.dot(c);
        const double r_norm2 = std::max(0.0, yy - tc - theta.dot(g));
        fit.gap = duality_gap(g, theta, r_norm2, yy - tc, l1, beta);
        if (fit.gap <= tol_abs) {
            fit.converged = true;
            break;
        }
    }
    fit.gap *= 2.0 / n;
    return fit;
}

}  // namespace

ElasticNetFit fit_elastic_net(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                              const ElasticNetOptions& o, const Eigen::VectorXd* warm_start) {
    check_penalty(o.lambda1, o.lambda2);
    check(o.tol > 0.0, "elastic net: tol must be > 0, got ", o.tol);
    check(o.max_sweeps > 0, "elastic net: max_sweeps must be > 0");
    check(!warm_start || warm_start->size() == X.cols(), "elastic net: warm start has ",
          warm_start ? warm_start->size() : 0, " values for ", X.cols(), " columns");
    const Problem pb(X, y, o.fit_intercept);
    const double n = static_cast<double>(X.rows());
    const double l1 = 0.5 * n * o.lambda1, beta = n * o.lambda2;
    Eigen::VectorXd theta = warm_start ? *warm_start : Eigen::VectorXd::Zero(X.cols());
    if (o.precompute == Precompute::gram) {
        const Eigen::MatrixXd G = detail::centered_gram(X, pb.mean);
        const Eigen::VectorXd c = X.transpose() * pb.yc;
        Eigen::VectorXd g = c - G * theta;
        ElasticNetFit fit = solve_gram(G, c, pb.yy, n, l1, beta, o.tol, o.max_sweeps, theta, g);
        fit.model = pb.centering.model(theta);
        return fit;
    }
    return solve_residual(pb, l1, beta, o.tol, o.max_sweeps, theta);
}

ElasticNetFit fit_lasso(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                        ElasticNetOptions options) {
    options.lambda1 = lambda;
    options.lambda2 = 0.0;
    return fit_elastic_net(X, y, options);
}

std::vector<ElasticNetFit> elastic_net_path(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                                            const std::vector<double>& lambdas,
                                            const PathOptions& o) {
    check(o.l1_ratio >= 0.0 && o.l1_ratio <= 1.0, "elastic net: l1_ratio must be in [0, 1], got ",
          o.l1_ratio);
    check(o.tol > 0.0, "elastic net: tol must be > 0, got ", o.tol);
    for (double lambda : lambdas) check_penalty(o.l1_ratio * lambda, (1 - o.l1_ratio) * lambda);
    const Problem pb(X, y, o.fit_intercept);
    const double n = static_cast<double>(X.rows());
    const bool gram = o.precompute == Precompute::gram ||
                      (o.precompute == Precompute::automatic && X.rows() >= X.cols());
    std::vector<ElasticNetFit> fits;
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(X.cols());
    if (gram) {
        const Eigen::MatrixXd G = detail::centered_gram(X, pb.mean);  // (P, P)
        Eigen::VectorXd c(X.cols());                                  // (P)
        xt_times(X, pb.yc, c);
        Eigen::VectorXd g = c;  // Xᵀr at θ = 0
        for (double lambda : lambdas) {
            const double l1 = 0.5 * n * o.l1_ratio * lambda, beta = n * (1 - o.l1_ratio) * lambda;
            ElasticNetFit fit = solve_gram(G, c, pb.yy, n, l1, beta, o.tol, o.max_sweeps, theta, g);
            fit.model = pb.centering.model(theta);
            fits.push_back(std::move(fit));
        }
        return fits;
    }
    for (double lambda : lambdas) {
        const double l1 = 0.5 * n * o.l1_ratio * lambda, beta = n * (1 - o.l1_ratio) * lambda;
        fits.push_back(solve_residual(pb, l1, beta, o.tol, o.max_sweeps, theta));
        theta = fits.back().model.coef;
    }
    return fits;
}

double lambda_max(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double l1_ratio,
                  bool fit_intercept) {
    check(l1_ratio > 0.0 && l1_ratio <= 1.0, "lambda_max: l1_ratio must be in (0, 1], got ",
          l1_ratio);
    const Problem pb(X, y, fit_intercept);
    Eigen::VectorXd g(X.cols());
    xt_times(X, pb.yc, g);
    return 2.0 * g.cwiseAbs().maxCoeff() / (static_cast<double>(X.rows()) * l1_ratio);
}

std::vector<double> lambda_grid(double lambda_max, int count, double eps) {
    check(count >= 1, "lambda_grid: count must be >= 1");
    check(lambda_max > 0.0 && eps > 0.0 && eps <= 1.0,
          "lambda_grid: need lambda_max > 0 and eps in (0, 1]");
    std::vector<double> out(count);
    for (int i = 0; i < count; ++i) {
        const double t = count == 1 ? 0.0 : static_cast<double>(i) / (count - 1);
        out[i] = lambda_max * std::pow(eps, t);
    }
    return out;
}

}  // namespace gibbs::linear
