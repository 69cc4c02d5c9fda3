// The lowest eigenvalue (and eigenvector) of a large real symmetric matrix A that is known only
// through its product y = A x: restarted Lanczos with full reorthogonalization.
//
// Each cycle builds the Krylov basis V = [v₀ … v_{m−1}] of span{v₀, A v₀, …, A^{m−1} v₀} with the
// three-term recurrence β_k v_{k+1} = A v_k − α_k v_k − β_{k−1} v_{k−1}, orthogonalizing every new
// vector against all previous ones (Gram–Schmidt, repeated when needed), so that the
// tridiagonal T = Vᵀ A V has no spurious copies of converged eigenvalues. The lowest Ritz pair
// (θ, y) of T gives the approximation x = V y with residual ‖A x − θ x‖ = β_m |y_{m−1}|; the next
// cycle restarts from x until the residual is below tol·max(1, |θ|).
// Lanczos, J. Res. Natl. Bur. Stand. 45, 255 (1950); Parlett, The Symmetric Eigenvalue Problem.
#pragma once

#include <cstdint>
#include <functional>
#include "gibbs/physics/eigen.hpp"

namespace gibbs::physics {

// y = A x for vectors of the problem's size n.
using MatVec = std::function<void(const double* x, double* y)>;

struct LanczosOptions {
    int krylov = 60;           // Krylov vectors per cycle (memory: krylov · n doubles)
    int max_cycles = 200;      // restarts before giving up
    double tol = 1e-10;        // relative residual ‖A x − θ x‖ / max(1, |θ|)
    uint64_t seed = 1;         // the random start vector
    bool want_vector = false;  // also return the eigenvector x
};

struct LanczosResult {
    double eigenvalue = 0.0;
    Eigen::VectorXd vector;  // (n), empty unless want_vector
    double residual = 0.0;   // ‖A x − θ x‖
    int matvecs = 0;
    bool converged = false;
};

// Throws gibbs::Error if the residual is not below tol after max_cycles.
LanczosResult lanczos_lowest(int64_t n, const MatVec& matvec, const LanczosOptions& options = {});

}  // namespace gibbs::physics
