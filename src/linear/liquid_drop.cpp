// The semi-empirical mass formula fitted by OLS (see liquid_drop.hpp).
#include "gibbs/linear/liquid_drop.hpp"

#include <cmath>

#include "gibbs/linear/ols.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::linear {

namespace {
double pairing(int Z, int N) {
    if ((Z + N) % 2 == 1) return 0.0;
    return Z % 2 == 0 ? 1.0 : -1.0;
}
Eigen::RowVectorXd row(int Z, int N) {
    const double A = Z + N;
    Eigen::RowVectorXd r(5);
    r << A, -std::pow(A, 2.0 / 3.0), -Z * (Z - 1.0) / std::cbrt(A),
        -static_cast<double>((N - Z) * (N - Z)) / A, pairing(Z, N) / std::sqrt(A);
    return r;
}
}  // namespace

Design liquid_drop_design(const Eigen::VectorXi& Z, const Eigen::VectorXi& N) {
    check(Z.size() == N.size(), "liquid_drop_design: ", Z.size(), " values of Z, ", N.size(),
          " of N");
    Design d;
    d.X.resize(Z.size(), 5);
    for (Eigen::Index i = 0; i < Z.size(); ++i) {
        check(Z(i) >= 0 && N(i) >= 0 && Z(i) + N(i) > 0, "liquid_drop_design: bad nucleus Z=", Z(i),
              " N=", N(i));
        d.X.row(i) = row(Z(i), N(i));
    }
    d.names = {"volume", "surface", "coulomb", "asymmetry", "pairing"};
    return d;
}

double LiquidDrop::binding(int Z, int N) const {
    return row(Z, N).dot(Eigen::Vector<double, 5>(a_V, a_S, a_C, a_A, a_P));
}

LiquidDrop fit_liquid_drop(const Eigen::VectorXi& Z, const Eigen::VectorXi& N,
                           const Eigen::VectorXd& B) {
    const Design d = liquid_drop_design(Z, N);
    check(B.size() == Z.size(), "fit_liquid_drop: ", B.size(), " energies for ", Z.size(),
          " nuclei");
    check(B.size() >= 5, "fit_liquid_drop: need at least 5 nuclei, got ", B.size());
    const OlsFit f = fit_ols(d.X, B, {.fit_intercept = false});
    const Eigen::VectorXd& c = f.model.coef;
    LiquidDrop ld{c(0), c(1), c(2), c(3), c(4), 0.0};
    ld.rms = std::sqrt((d.X * c - B).squaredNorm() / static_cast<double>(B.size()));
    return ld;
}

}  // namespace gibbs::linear
