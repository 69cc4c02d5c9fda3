// Timings of the gibbs side of bench/linear_vs_sklearn.py: a Lasso fit, a Lasso path of 100 λ
// and a Ridge fit on n = 5000, p = 1000 data. Reads the data that the script writes (int64 n, p,
// then X column-major and y, float64), or makes its own with gibbs::Generator when given none.
// Run: ./build/bench_linear_bench [data.bin] [repeats]
// Prints "name seconds nonzero" lines, the best of `repeats` runs each.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "gibbs/linear/elastic_net.hpp"
#include "gibbs/linear/ridge.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs::linear;

namespace {

void load(const std::string& path, Eigen::MatrixXd& X, Eigen::VectorXd& y) {
    std::ifstream in(path, std::ios::binary);
    gibbs::check(in.good(), path, ": cannot open");
    int64_t n = 0, p = 0;
    in.read(reinterpret_cast<char*>(&n), 8).read(reinterpret_cast<char*>(&p), 8);
    X.resize(n, p);
    y.resize(n);
    in.read(reinterpret_cast<char*>(X.data()), 8 * n * p)
        .read(reinterpret_cast<char*>(y.data()), 8 * n);
    gibbs::check(in.good(), path, ": truncated");
}

// X standard normal, 50 nonzero coefficients ±(1..2), noise sd 1.
void generate(Eigen::MatrixXd& X, Eigen::VectorXd& y) {
    gibbs::Generator gen(0);
    X.resize(5000, 1000);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = gen.normal();
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(1000);
    for (int j = 0; j < 50; ++j) beta(j * 20) = (j % 2 ? -1 : 1) * gen.uniform(1.0, 2.0);
    y = X * beta;
    for (Eigen::Index i = 0; i < y.size(); ++i) y(i) += gen.normal();
}

double best_of(int repeats, const std::function<void()>& f) {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    if (argc > 1 && std::string(argv[1]) != "-")
        load(argv[1], X, y);
    else
        generate(X, y);
    const int repeats = argc > 2 ? std::stoi(argv[2]) : 5;
    const double n = static_cast<double>(X.rows());

    // scikit-learn Lasso(alpha=0.01) ↔ λ = 2·alpha; default tol 1e-4 means the same gap criterion.
    ElasticNetFit lasso;
    const double t_lasso = best_of(repeats, [&] { lasso = fit_lasso(X, y, 0.02); });
    std::printf("lasso_fit %.6f %ld\n", t_lasso,
                static_cast<long>((lasso.model.coef.array() != 0).count()));

    // lasso_path on centered data, 100 alphas from alpha_max down to 1e-3·alpha_max.
    std::vector<ElasticNetFit> path;
    const double t_path = best_of(repeats, [&] {
        const std::vector<double> grid = lambda_grid(lambda_max(X, y, 1.0, false), 100, 1e-3);
        path = elastic_net_path(X, y, grid, {.fit_intercept = false});
    });
    std::printf("lasso_path %.6f %ld\n", t_path,
                static_cast<long>((path.back().model.coef.array() != 0).count()));

    // Ridge(alpha=1.0) ↔ λ = alpha/n.
    LinearModel ridge;
    const double t_ridge = best_of(repeats, [&] { ridge = fit_ridge(X, y, {.lambda = 1.0 / n}); });
    std::printf("ridge_fit %.6f %ld\n", t_ridge, static_cast<long>(ridge.coef.size()));
    return 0;
}
