// Nuclear binding energies from the AME2016 table: the liquid-drop formula by OLS, then Ridge
// and Lasso over a polynomial in (Z, N) with λ chosen by 5-fold cross-validation.
// Run: ./build/example_nuclear_masses [path/to/mass16.txt]   (default ../shared/data/mass16.txt)
#include <cmath>
#include <cstdio>
#include <string>

#include "gibbs/data/ame.hpp"
#include "gibbs/linear/cv.hpp"
#include "gibbs/linear/liquid_drop.hpp"
#include "gibbs/linear/ridge.hpp"

using namespace gibbs::linear;

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : GIBBS_SOURCE_DIR "/../shared/data/mass16.txt";
    // Measured nuclei only (no '#' estimates), from ¹⁶O on: the liquid drop ignores the shell
    // structure that dominates the lightest nuclei.
    const auto nuclei = gibbs::data::read_ame2016(path, {.min_A = 16});
    const auto [Z, N, B] = gibbs::data::nuclide_columns(nuclei);
    const Eigen::Index n = Z.size();
    const LiquidDrop ld = fit_liquid_drop(Z, N, B);
    std::printf("AME2016, %ld measured nuclei with A >= 16\n\n", static_cast<long>(n));
    std::printf("liquid drop by OLS     a_V %.3f  a_S %.3f  a_C %.4f  a_A %.3f  a_P %.3f MeV\n",
                ld.a_V, ld.a_S, ld.a_C, ld.a_A, ld.a_P);
    std::printf("                       RMS error %.3f MeV\n\n", ld.rms);

    // Polynomial design in (Z, N) up to degree 6; columns standardized inside each fold.
    const Design d = polynomial_features(Z.cast<double>(), N.cast<double>(), 6);
    gibbs::Generator gen(2016);
    const std::vector<double> ridge_grid = lambda_grid(1e-1, 40, 1e-14);
    const LambdaCv rcv = cv_ridge(d.X, B, ridge_grid, 5, gen);
    const double lmax = lambda_max(Standardizer::fit(d.X).transform(d.X), B);
    const LambdaCv lcv = cv_elastic_net(d.X, B, lambda_grid(lmax, 30, 1e-7), 5, gen,
                                        {.tol = 1e-9, .max_sweeps = 100000});

    const Standardizer s = Standardizer::fit(d.X);
    const Eigen::MatrixXd Xs = s.transform(d.X);
    const auto rms = [&](const LinearModel& m) {
        return std::sqrt((m.predict(Xs) - B).squaredNorm() / static_cast<double>(n));
    };
    const LinearModel ridge = RidgePath(Xs, B).fit(rcv.best_lambda());
    const ElasticNetFit lasso =
        fit_lasso(Xs, B, lcv.best_lambda(), {.tol = 1e-9, .max_sweeps = 100000});
    std::printf("polynomial in (Z, N), degree 6, %ld columns, 5-fold CV\n",
                static_cast<long>(d.X.cols()));
    std::printf("%-8s %12s %14s %14s %10s\n", "model", "lambda", "CV RMS (MeV)", "fit RMS (MeV)",
                "nonzero");
    std::printf("%-8s %12.3g %14.3f %14.3f %10ld\n", "ridge", rcv.best_lambda(),
                std::sqrt(rcv.mse[rcv.best]), rms(ridge), static_cast<long>(d.X.cols()));
    std::printf("%-8s %12.3g %14.3f %14.3f %10ld\n", "lasso", lcv.best_lambda(),
                std::sqrt(lcv.mse[lcv.best]), rms(lasso.model),
                static_cast<long>((lasso.model.coef.array() != 0.0).count()));
    return 0;
}
