// The bias–variance trade-off of polynomial OLS fits, estimated by the bootstrap on a held-out
// test set: f(x) = exp(−x²) + 1.5·exp(−(x − 2)²), y = f(x) + ε, ε ~ N(0, 0.1²), n = 100.
// Prints error = bias² + variance per degree and writes the table as CSV for the classic plot.
// Run: ./build/example_bias_variance [out.csv]   (default bias_variance.csv)
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "gibbs/linear/design.hpp"
#include "gibbs/linear/ols.hpp"
#include "gibbs/linear/resampling.hpp"

using namespace gibbs::linear;

int main(int argc, char** argv) {
    const std::string out_path = argc > 1 ? argv[1] : "bias_variance.csv";
    const int n = 100, max_degree = 14, B = 200;
    gibbs::Generator gen(2018);
    Eigen::VectorXd x(n), y(n);
    for (int i = 0; i < n; ++i) {
        x(i) = gen.uniform(-3.0, 3.0);
        y(i) = std::exp(-x(i) * x(i)) + 1.5 * std::exp(-std::pow(x(i) - 2.0, 2)) +
               gen.normal(0.0, 0.1);
    }
    const Split split = train_test_split(n, 0.2, gen);
    std::ofstream csv(out_path);
    csv << "degree,error,bias2,variance\n";
    std::printf("%6s %12s %12s %12s\n", "degree", "error", "bias^2", "variance");
    for (int p = 1; p <= max_degree; ++p) {
        const Eigen::MatrixXd X = polynomial_features(x, p).X;  // (N, p)
        const Fitter ols = [](const Eigen::MatrixXd& Xb, const Eigen::VectorXd& yb) {
            return fit_ols(Xb, yb).model;
        };
        const BiasVariance bv =
            bias_variance(ols, take_rows(X, split.train), take_rows(y, split.train),
                          take_rows(X, split.test), take_rows(y, split.test), B, gen);
        std::printf("%6d %12.5f %12.5f %12.5f\n", p, bv.error, bv.bias2, bv.variance);
        csv << p << ',' << bv.error << ',' << bv.bias2 << ',' << bv.variance << '\n';
    }
    std::printf("\nwrote %s\n", out_path.c_str());
    return 0;
}
