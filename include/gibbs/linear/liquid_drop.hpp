// The liquid-drop model (semi-empirical mass formula; von Weizsäcker, Z. Phys. 96, 431 (1935);
// Bethe & Bacher, Rev. Mod. Phys. 8, 82 (1936)) as a linear regression of the binding energy:
//
//   B(Z, N) = a_V A − a_S A^{2/3} − a_C Z(Z−1)/A^{1/3} − a_A (N−Z)²/A + a_P δ(Z, N)/A^{1/2},
//
// A = Z + N, δ = +1 for even Z and even N, −1 for odd Z and odd N, 0 for odd A. The columns of
// the design carry the signs, so every fitted coefficient is positive in MeV.
#pragma once

#include <string>
#include <vector>

#include "gibbs/linear/design.hpp"

namespace gibbs::linear {

// Columns: A, −A^{2/3}, −Z(Z−1)/A^{1/3}, −(N−Z)²/A, δ/A^{1/2}; names "volume", "surface",
// "coulomb", "asymmetry", "pairing".
Design liquid_drop_design(const Eigen::VectorXi& Z, const Eigen::VectorXi& N);

struct LiquidDrop {
    double a_V = 0, a_S = 0, a_C = 0, a_A = 0, a_P = 0;  // MeV
    double rms = 0.0;                                    // MeV, of B over the fitted nuclei
    // B(Z, N) in MeV.
    double binding(int Z, int N) const;
};

// Ordinary least squares of B (MeV) on the five columns, with no intercept.
LiquidDrop fit_liquid_drop(const Eigen::VectorXi& Z, const Eigen::VectorXi& N,
                           const Eigen::VectorXd& B);

}  // namespace gibbs::linear
