// Multinomial (softmax) regression by Newton's method or L-BFGS (see logistic.hpp). Parameters
// are held as W̃ = [bᵀ; Θ] (Q, K), Q = 1 + P with an intercept, flattened column by column.
#include <Eigen/Dense>
#include <cmath>

#include "gibbs/linear/lbfgs.hpp"
#include "gibbs/linear/logistic.hpp"
#include "gibbs/tensor/error.hpp"
#include "linear/logistic_detail.hpp"

namespace gibbs::linear {

namespace {

// Row-wise softmax of Z in place; returns Σᵢ logsumexp(zᵢ).
double softmax_rows(Eigen::MatrixXd& Z) {
    double total = 0.0;
    for (Eigen::Index i = 0; i < Z.rows(); ++i) {
        const double mx = Z.row(i).maxCoeff();  // NOTE: shift by the max so exp cannot overflow
        Z.row(i).array() = (Z.row(i).array() - mx).exp();
        const double s = Z.row(i).sum();
        Z.row(i) /= s;
        total += mx + std::log(s);
    }
    return total;
}

struct SoftmaxCost {
    const Eigen::MatrixXd& Xt;  // (N, Q)
    const Eigen::VectorXi& labels;
    Eigen::Index K;
    double lambda;
    Eigen::Index off;  // 1 with an intercept

    // Returns C; writes ∇C (Q·K) and, if asked, the probabilities P (N, K).
    double operator()(const Eigen::VectorXd& w, Eigen::VectorXd& grad, Eigen::MatrixXd* P) const {
        const Eigen::Index n = Xt.rows(), q = Xt.cols();
        const Eigen::Map<const Eigen::MatrixXd> W(w.data(), q, K);  // (Q, K)
        Eigen::MatrixXd Z = Xt * W;                                 // (N, K) logits
        double loss = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) loss -= Z(i, labels(i));
        loss += softmax_rows(Z);                                      // Z now holds P
        for (Eigen::Index i = 0; i < n; ++i) Z(i, labels(i)) -= 1.0;  // P − Y
        Eigen::Map<Eigen::MatrixXd> G(grad.data(), q, K);
        G.noalias() = Xt.transpose() * Z / static_cast<double>(n);
        G.bottomRows(q - off) += 2.0 * lambda * W.bottomRows(q - off);
        if (P) {
            *P = Z;
            for (Eigen::Index i = 0; i < n; ++i) (*P)(i, labels(i)) += 1.0;
        }
        return loss / static_cast<double>(n) + lambda * W.bottomRows(q - off).squaredNorm();
    }
};

}  // namespace

SoftmaxModel fit_softmax(const Eigen::MatrixXd& X, const Eigen::VectorXi& labels,
                         const LogisticOptions& o) {
    detail::check_logistic(X, labels.size(), o);
    check(labels.minCoeff() >= 0, "softmax: labels must be >= 0");
    const Eigen::Index K = labels.maxCoeff() + 1;
    check(K >= 2, "softmax: need at least 2 classes");
    const Eigen::MatrixXd Xt = detail::with_ones(X, o.fit_intercept);  // (N, Q)
    const Eigen::Index n = Xt.rows(), q = Xt.cols(), off = o.fit_intercept ? 1 : 0;
    const SoftmaxCost cost{Xt, labels, K, o.lambda, off};
    Eigen::VectorXd w = Eigen::VectorXd::Zero(q * K);
    SoftmaxModel m;
    if (o.solver == LogisticSolver::lbfgs) {
        const LbfgsResult r =
            lbfgs([&](const Eigen::VectorXd& x, Eigen::VectorXd& g) { return cost(x, g, nullptr); },
                  w, {.max_iter = o.max_iter, .gtol = o.tol});
        w = r.x;
        m.iterations = r.iterations;
        m.converged = r.converged;
    } else {
        Eigen::VectorXd g(q * K), g_try(q * K), w_try(q * K);
        Eigen::MatrixXd P(n, K);
        double f = cost(w, g, &P);
        Eigen::MatrixXd H(q * K, q * K);
        for (m.iterations = 0; m.iterations < o.max_iter; ++m.iterations) {
            if (g.lpNorm<Eigen::Infinity>() <= o.tol) {
                m.converged = true;
                break;
            }
            // Block (k, l) of the Hessian: (1/n) X̃ᵀ diag(pₖ ⊙ (δₖₗ − pₗ)) X̃ + 2λδₖₗ I.
            for (Eigen::Index k = 0; k < K; ++k) {
                for (Eigen::Index l = 0; l <= k; ++l) {
                    Eigen::ArrayXd v = -P.col(k).array() * P.col(l).array();
                    if (k == l) v += P.col(k).array();
                    const Eigen::MatrixXd B = Xt.transpose() * (Xt.array().colwise() * v).matrix() /
                                              static_cast<double>(n);
                    H.block(k * q, l * q, q, q) = B;
                    H.block(l * q, k * q, q, q) = B.transpose();
                }
                H.block(k * q + off, k * q + off, q - off, q - off).diagonal().array() +=
                    2.0 * o.lambda;
            }
            // NOTE: shifting every intercept by the same constant leaves C unchanged, so H is
            // singular along e = (1 at each intercept). ∇C ⊥ e, and adding eeᵀ/K makes H
            // invertible without changing the step in the directions that matter.
            if (off)
                for (Eigen::Index k = 0; k < K; ++k)
                    for (Eigen::Index l = 0; l < K; ++l) H(k * q, l * q) += 1.0 / K;
            const Eigen::VectorXd step = H.ldlt().solve(-g);
            double t = 1.0, f_try = 0.0;
            const double slope = g.dot(step);
            for (int s = 0; s < 60; ++s, t *= 0.5) {
                w_try = w + t * step;
                f_try = cost(w_try, g_try, &P);
                if (f_try <= f + 1e-4 * t * slope) break;
            }
            if (!(f_try <= f)) break;
            w = w_try;
            g = g_try;
            f = f_try;
        }
        if (g.lpNorm<Eigen::Infinity>() <= o.tol) m.converged = true;
    }
    const Eigen::Map<const Eigen::MatrixXd> W(w.data(), q, K);
    m.coef = W.bottomRows(X.cols());
    m.intercept = off ? Eigen::VectorXd(W.row(0).transpose()) : Eigen::VectorXd::Zero(K);
    m.intercept.array() -= m.intercept.mean();
    return m;
}

Eigen::MatrixXd SoftmaxModel::predict_proba(const Eigen::MatrixXd& X) const {
    check(X.cols() == coef.rows(), "softmax: model has ", coef.rows(), " features, X has ",
          X.cols());
    Eigen::MatrixXd Z = (X * coef).rowwise() + intercept.transpose();  // (N, K)
    softmax_rows(Z);
    return Z;
}

Eigen::VectorXi SoftmaxModel::predict(const Eigen::MatrixXd& X) const {
    const Eigen::MatrixXd P = predict_proba(X);
    Eigen::VectorXi out(P.rows());
    for (Eigen::Index i = 0; i < P.rows(); ++i) P.row(i).maxCoeff(&out(i));
    return out;
}

}  // namespace gibbs::linear
