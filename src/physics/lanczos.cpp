// Restarted Lanczos with full reorthogonalization; see lanczos.hpp for the equations.
#include "gibbs/physics/lanczos.hpp"

#include <algorithm>
#include <cmath>

#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::physics {

LanczosResult lanczos_lowest(int64_t n, const MatVec& matvec, const LanczosOptions& options) {
    check(n >= 1, "lanczos: the matrix size must be positive, got ", n);
    check(options.krylov >= 2, "lanczos: krylov must be at least 2, got ", options.krylov);
    const int m = static_cast<int>(std::min<int64_t>(options.krylov, n));
    Eigen::MatrixXd V(n, m + 1);  // (n, m+1) Krylov basis
    Eigen::VectorXd w(n), x(n);
    Eigen::VectorXd alpha(m), beta(m);
    Generator gen(options.seed);
    for (int64_t i = 0; i < n; ++i) x[i] = gen.normal();
    x.normalize();

    LanczosResult result;
    for (int cycle = 0; cycle < options.max_cycles; ++cycle) {
        V.col(0) = x;
        int k = 0;  // size of the tridiagonal built in this cycle
        for (; k < m; ++k) {
            matvec(V.col(k).data(), w.data());
            ++result.matvecs;
            alpha[k] = V.col(k).dot(w);
            // Three-term recurrence, then full reorthogonalization w ← w − V (Vᵀ w) against every
            // earlier vector; a second pass only when the first removed most of w (Daniel,
            // Gragg, Kaufman & Stewart 1976: "twice is enough").
            w -= alpha[k] * V.col(k);
            if (k > 0) w -= beta[k - 1] * V.col(k - 1);
            for (int pass = 0; pass < 2; ++pass) {
                const double before = w.norm();
                const Eigen::VectorXd c = V.leftCols(k + 1).transpose() * w;  // (k+1)
                w.noalias() -= V.leftCols(k + 1) * c;
                if (w.norm() > 0.7 * before) break;
            }
            beta[k] = w.norm();
            // NOTE: β_k ≈ 0 means the Krylov space is invariant: the Ritz values are exact.
            if (beta[k] <= 1e-14 * std::max(1.0, std::abs(alpha[k])) || k + 1 == n) {
                ++k;
                beta[k - 1] = 0.0;
                break;
            }
            V.col(k + 1) = w / beta[k];
        }
        Eigen::MatrixXd T = Eigen::MatrixXd::Zero(k, k);  // (k, k) tridiagonal Vᵀ A V
        for (int i = 0; i < k; ++i) {
            T(i, i) = alpha[i];
            if (i + 1 < k) T(i, i + 1) = T(i + 1, i) = beta[i];
        }
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(T);
        const double theta = eig.eigenvalues()[0];
        const Eigen::VectorXd y = eig.eigenvectors().col(0);  // (k)
        x.noalias() = V.leftCols(k) * y;
        x.normalize();
        result.eigenvalue = theta;
        result.residual = std::abs(beta[k - 1] * y[k - 1]);
        if (result.residual <= options.tol * std::max(1.0, std::abs(theta))) {
            result.converged = true;
            break;
        }
    }
    check(result.converged, "lanczos: no convergence after ", options.max_cycles,
          " cycles (residual ", result.residual, "); raise max_cycles or krylov");
    if (options.want_vector) result.vector = x;
    return result;
}

}  // namespace gibbs::physics
