// Exact ground-state energies of spin Hamiltonians; see spin_exact.hpp for the equations.
#include "gibbs/physics/spin_exact.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

namespace {

// The lowest energy of the Jordan–Wigner fermions in one parity sector (see the header).
double tfim_sector_energy(int L, double h, double J, bool even) {
    const double pi = std::numbers::pi;
    double energy = -h * L;
    double fix = std::numeric_limits<double>::infinity();  // cheapest parity change
    int occupied = 0;                                      // unpaired modes filled
    for (int n = 0; n < L; ++n) {
        const double k = even ? (2 * n + 1) * pi / L : 2 * n * pi / L;
        const double xi = 2 * h - 2 * J * std::cos(k);
        // k and 2π − k form a pair; count each pair once, at k < π.
        const bool unpaired = std::abs(std::sin(k)) < 1e-12;
        if (unpaired) {
            energy += std::min(0.0, xi);
            occupied += xi < 0;
            fix = std::min(fix, std::abs(xi));
        } else if (k < pi) {
            const double eps = 2 * std::sqrt(J * J + h * h - 2 * J * h * std::cos(k));
            energy += xi - eps;
            fix = std::min(fix, eps);
        }
    }
    // Fermion parity (−1)^N_f = P: even sector needs an even number of fermions.
    const bool parity_ok = (occupied % 2 == 0) == even;
    return parity_ok ? energy : energy + fix;
}

}  // namespace

double tfim_chain_energy(int L, double h, double J) {
    check(L >= 2, "tfim: L must be at least 2, got ", L);
    return std::min(tfim_sector_energy(L, h, J, true), tfim_sector_energy(L, h, J, false));
}

SpinBasis::SpinBasis(int sites) : n_(sites), fixed_(false) {
    check(sites >= 1 && sites <= 40, "spin basis: between 1 and 40 sites, got ", sites);
    size_ = int64_t{1} << sites;
}

SpinBasis::SpinBasis(int sites, int up) : n_(sites), fixed_(true) {
    check(sites >= 1 && sites <= 40, "spin basis: between 1 and 40 sites, got ", sites);
    check(up >= 0 && up <= sites, "spin basis: up spins must be in [0, ", sites, "], got ", up);
    std::vector<std::vector<int64_t>> C(sites + 1, std::vector<int64_t>(sites + 2, 0));
    for (int a = 0; a <= sites; ++a) {
        C[a][0] = 1;
        for (int b = 1; b <= a; ++b) C[a][b] = C[a - 1][b - 1] + C[a - 1][b];
    }
    size_ = C[sites][up];
    check(size_ <= (int64_t{1} << 31), "spin basis: sector too large (", size_, " states)");
    states_.resize(size_);
    // Gosper's hack: the next larger integer with the same number of set bits.
    uint64_t x = up == 0 ? 0 : (uint64_t{1} << up) - 1;
    for (int64_t k = 0; k < size_; ++k) {
        states_[k] = x;
        if (x == 0) break;
        const uint64_t c = x & -x, r = x + c;
        x = (((r ^ x) >> 2) / c) | r;
    }
    // Colex rank split at bit `low_bits_`: the low bits' set positions take m = 1 … k_low, the
    // high bits' continue from m = k_low + 1.
    low_bits_ = sites / 2;
    low_mask_ = (uint64_t{1} << low_bits_) - 1;
    auto partial_rank = [&](uint64_t bits, int offset, int first_m) {
        int64_t rank = 0;
        for (int m = first_m; bits; bits &= bits - 1, ++m) {
            const int c = std::countr_zero(bits) + offset;
            if (m <= c) rank += C[c][m];
        }
        return rank;
    };
    rank_low_.resize(uint64_t{1} << low_bits_);
    for (uint64_t b = 0; b < rank_low_.size(); ++b) rank_low_[b] = partial_rank(b, 0, 1);
    rank_high_.assign(low_bits_ + 1, std::vector<int64_t>(uint64_t{1} << (sites - low_bits_)));
    for (int k = 0; k <= low_bits_; ++k)
        for (uint64_t b = 0; b < rank_high_[k].size(); ++b)
            rank_high_[k][b] = partial_rank(b, low_bits_, k + 1);
}

namespace {

void unpack(uint64_t bits, int n, int8_t* s) {
    for (int i = 0; i < n; ++i) s[i] = (bits >> i & 1) ? 1 : -1;
}

}  // namespace

Eigen::MatrixXd spin_dense_hamiltonian(const SpinHamiltonian& H, const SpinBasis& basis) {
    check(basis.sites() == H.sites(), "spin basis has ", basis.sites(), " sites, Hamiltonian ",
          H.sites());
    check(basis.size() <= 4096, "spin_dense_hamiltonian: basis too large (", basis.size(), ")");
    const int64_t D = basis.size();
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(D, D);
    int8_t s[64];
    for (int64_t r = 0; r < D; ++r) {
        const uint64_t bits = basis.state(r);
        unpack(bits, H.sites(), s);
        M(r, r) += H.diagonal(s);
        H.for_each_connected(s, [&](int i, int j, double element) {
            uint64_t flipped = bits ^ (uint64_t{1} << i);
            if (j >= 0) flipped ^= uint64_t{1} << j;
            M(r, basis.index(flipped)) += element;
        });
    }
    return M;
}

void spin_matvec(const SpinHamiltonian& H, const SpinBasis& basis, const double* x, double* y) {
    const int64_t D = basis.size();
    const int n = H.sites();
#pragma omp parallel for schedule(static) if (D > 4096)
    for (int64_t r = 0; r < D; ++r) {
        int8_t s[64];
        const uint64_t bits = basis.state(r);
        unpack(bits, n, s);
        double sum = H.diagonal(s) * x[r];
        H.for_each_connected(s, [&](int i, int j, double element) {
            uint64_t flipped = bits ^ (uint64_t{1} << i);
            if (j >= 0) flipped ^= uint64_t{1} << j;
            sum += element * x[basis.index(flipped)];
        });
        y[r] = sum;
    }
}

LanczosResult spin_ground_state(const SpinHamiltonian& H, const LanczosOptions& options) {
    const int n = H.sites();
    check(n <= 28, "exact diagonalization: at most 28 spins, got ", n);
    const SpinBasis basis =
        H.system().model == SpinModel::kTfim ? SpinBasis(n) : SpinBasis(n, (n + 1) / 2);
    return lanczos_lowest(
        basis.size(), [&](const double* x, double* y) { spin_matvec(H, basis, x, y); }, options);
}

double spin_exact_energy(const SpinSystem& system) {
    if (system.model == SpinModel::kTfim && system.dim == 1)
        return tfim_chain_energy(system.L, system.h, system.J);
    return spin_ground_state(SpinHamiltonian(system)).eigenvalue;
}

}  // namespace gibbs::physics
