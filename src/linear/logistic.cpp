// Binary logistic regression by Newton/IRLS or L-BFGS (see logistic.hpp).
#include "gibbs/linear/logistic.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>

#include "gibbs/linear/lbfgs.hpp"
#include "gibbs/tensor/error.hpp"
#include "linear/logistic_detail.hpp"

namespace gibbs::linear {

namespace detail {

void check_logistic(const Eigen::MatrixXd& X, Eigen::Index n_targets, const LogisticOptions& o) {
    check(X.rows() == n_targets, "logistic: X has ", X.rows(), " rows but y has ", n_targets);
    check(X.rows() > 0, "logistic: no rows");
    check(std::isfinite(o.lambda) && o.lambda >= 0.0, "logistic: lambda must be >= 0, got ",
          o.lambda);
    check(o.tol > 0.0 && o.max_iter > 0, "logistic: tol and max_iter must be > 0");
}

Eigen::MatrixXd with_ones(const Eigen::MatrixXd& X, bool fit_intercept) {
    if (!fit_intercept) return X;
    Eigen::MatrixXd Xt(X.rows(), X.cols() + 1);  // (N, 1 + P)
    Xt.col(0).setOnes();
    Xt.rightCols(X.cols()) = X;
    return Xt;
}

}  // namespace detail

namespace {

// log(1 + e^z) without overflow.
double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
double sigmoid(double z) {
    return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

// The binary cost over parameters w = (θ₀, θ) (or θ alone), with X̃ = [1 X].
struct BinaryCost {
    const Eigen::MatrixXd& Xt;  // (N, Q)
    const Eigen::VectorXd& y;   // (N)
    double lambda;
    Eigen::Index first_penalized;  // 1 with an intercept, else 0

    double operator()(const Eigen::VectorXd& w, Eigen::VectorXd& grad, Eigen::VectorXd* p) const {
        const double n = static_cast<double>(Xt.rows());
        const Eigen::VectorXd z = Xt * w;  // (N)
        Eigen::VectorXd resid(z.size());   // σ(z) − y
        double loss = 0.0;
        for (Eigen::Index i = 0; i < z.size(); ++i) {
            loss += softplus(z(i)) - y(i) * z(i);
            resid(i) = sigmoid(z(i)) - y(i);
        }
        const auto pen = w.tail(w.size() - first_penalized);
        grad.noalias() = Xt.transpose() * resid / n;
        grad.tail(pen.size()) += 2.0 * lambda * pen;
        if (p) *p = resid + y;
        return loss / n + lambda * pen.squaredNorm();
    }
};

}  // namespace

LogisticModel fit_logistic(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const LogisticOptions& o) {
    detail::check_logistic(X, y.size(), o);
    for (Eigen::Index i = 0; i < y.size(); ++i)
        check(y(i) == 0.0 || y(i) == 1.0, "logistic: y must be 0 or 1, got ", y(i), " in row ",
              i + 1);
    const Eigen::MatrixXd Xt = detail::with_ones(X, o.fit_intercept);  // (N, Q)
    const Eigen::Index q = Xt.cols(), off = o.fit_intercept ? 1 : 0;
    const BinaryCost cost{Xt, y, o.lambda, off};
    Eigen::VectorXd w = Eigen::VectorXd::Zero(q);
    LogisticModel m;
    if (o.solver == LogisticSolver::lbfgs) {
        const LbfgsResult r =
            lbfgs([&](const Eigen::VectorXd& x, Eigen::VectorXd& g) { return cost(x, g, nullptr); },
                  w, {.max_iter = o.max_iter, .gtol = o.tol});
        w = r.x;
        m.iterations = r.iterations;
        m.converged = r.converged;
    } else {
        const double n = static_cast<double>(Xt.rows());
        Eigen::VectorXd g(q), g_try(q), p(Xt.rows()), w_try(q);
        double f = cost(w, g, &p);
        for (m.iterations = 0; m.iterations < o.max_iter; ++m.iterations) {
            if (g.lpNorm<Eigen::Infinity>() <= o.tol) {
                m.converged = true;
                break;
            }
            // H = (1/n)X̃ᵀWX̃ + 2λI (penalized block), W = diag(p(1 − p)).
            const Eigen::VectorXd sw = (p.array() * (1.0 - p.array())).sqrt();
            const Eigen::MatrixXd Xw = Xt.array().colwise() * sw.array();
            Eigen::MatrixXd H = Eigen::MatrixXd::Zero(q, q);
            H.selfadjointView<Eigen::Lower>().rankUpdate(Xw.transpose(), 1.0 / n);
            H.diagonal().tail(q - off).array() += 2.0 * o.lambda;
            const Eigen::VectorXd step = H.selfadjointView<Eigen::Lower>().ldlt().solve(-g);
            // Backtracking (Armijo) so that separable or badly scaled data cannot diverge.
            double t = 1.0, f_try = 0.0;
            const double slope = g.dot(step);
            for (int k = 0; k < 60; ++k, t *= 0.5) {
                w_try = w + t * step;
                f_try = cost(w_try, g_try, &p);
                if (f_try <= f + 1e-4 * t * slope) break;
            }
            if (!(f_try <= f)) break;  // no decrease left in floating point
            w = w_try;
            g = g_try;
            f = f_try;
        }
        if (g.lpNorm<Eigen::Infinity>() <= o.tol) m.converged = true;
    }
    m.intercept = o.fit_intercept ? w(0) : 0.0;
    m.coef = w.tail(X.cols());
    return m;
}

Eigen::VectorXd LogisticModel::decision(const Eigen::MatrixXd& X) const {
    check(X.cols() == coef.size(), "logistic: model has ", coef.size(), " features, X has ",
          X.cols());
    return (X * coef).array() + intercept;
}

Eigen::VectorXd LogisticModel::predict_proba(const Eigen::MatrixXd& X) const {
    return decision(X).unaryExpr([](double z) { return sigmoid(z); });
}

Eigen::VectorXi LogisticModel::predict(const Eigen::MatrixXd& X) const {
    return (decision(X).array() > 0.0).cast<int>();
}

Labels encode_labels(const Eigen::VectorXd& y) {
    std::map<double, int> index;
    for (Eigen::Index i = 0; i < y.size(); ++i) index.emplace(y(i), 0);
    Labels out;
    for (auto& [value, k] : index) {
        k = static_cast<int>(out.classes.size());
        out.classes.push_back(value);
    }
    out.index.resize(y.size());
    for (Eigen::Index i = 0; i < y.size(); ++i) out.index(i) = index[y(i)];
    return out;
}

}  // namespace gibbs::linear
