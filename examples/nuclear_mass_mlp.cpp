// Nuclear binding energies: a neural network learns what the liquid drop misses.
//
// The measured AME2016 nuclei with A >= 16 are split at random into 80% for fitting and 20% held
// out. The liquid-drop formula is fitted by OLS on the fitting nuclei only, and an MLP is trained
// on its residuals r = B − B_LD(Z, N), so the final model is B_LD + MLP(Z, N):
//   inputs  (Z − Z̄)/s_Z, (N − N̄)/s_N and the parities Z mod 2, N mod 2 (pairing),
//   network 4 → 64 → 64 → 64 → 1 with tanh, float64, full-batch Adam with cosine decay,
//   target  r / s_r (standardized on the fitting nuclei).
// Both models are judged by the RMS error of B on the held-out nuclei, in MeV.
//   build/example_nuclear_mass_mlp [mass16.txt] [--steps K] [--csv residuals.csv]
// --csv writes Z, N, parities and the liquid-drop residual of every nucleus, the table for
//   gibbs train mlp --data residuals.csv --target residual --task regression
// ctest: example_nuclear_mass_mlp --steps 300
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "gibbs/data/ame.hpp"
#include "gibbs/io/file.hpp"
#include "gibbs/linear/liquid_drop.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {

double rms(const std::vector<double>& e) {
    double s = 0;
    for (double v : e) s += v * v;
    return std::sqrt(s / static_cast<double>(e.size()));
}

double mean_of(const Eigen::VectorXi& v) { return v.cast<double>().mean(); }
double sd_of(const Eigen::VectorXi& v) {
    const Eigen::ArrayXd d = v.cast<double>().array() - mean_of(v);
    return std::sqrt((d * d).mean());
}

}  // namespace

int main(int argc, char** argv) {
    std::string path = GIBBS_SOURCE_DIR "/../shared/data/mass16.txt", csv;
    int64_t steps = 6000;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = std::stoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--csv") && i + 1 < argc)
            csv = argv[++i];
        else
            path = argv[i];
    }
    if (!std::filesystem::exists(path)) {
        // The AME tables come beside the repository (../shared/data), not with it; CTest counts
        // this exit status as a skip.
        std::fprintf(stderr, "skipped: %s not found (give the AME2016 table's path)\n",
                     path.c_str());
        return 77;
    }
    const auto [Z, N, B] = data::nuclide_columns(data::read_ame2016(path, {.min_A = 16}));
    const auto n = static_cast<int64_t>(Z.size());

    // The split: a seeded permutation, the first 80% for fitting.
    Generator gen(2016);
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[gen.integer(0, i + 1)]);
    const int64_t n_fit = n * 4 / 5;
    const auto pick = [&](int64_t begin, int64_t end) {
        Eigen::VectorXi z(end - begin), nn(end - begin);
        Eigen::VectorXd b(end - begin);
        for (int64_t k = begin; k < end; ++k)
            z[k - begin] = Z[order[k]], nn[k - begin] = N[order[k]], b[k - begin] = B[order[k]];
        return std::tuple{z, nn, b};
    };
    const auto [Zf, Nf, Bf] = pick(0, n_fit);
    const auto [Zh, Nh, Bh] = pick(n_fit, n);

    const linear::LiquidDrop ld = linear::fit_liquid_drop(Zf, Nf, Bf);
    const auto residuals = [&](const Eigen::VectorXi& z, const Eigen::VectorXi& nn,
                               const Eigen::VectorXd& b) {
        std::vector<double> r(z.size());
        for (Eigen::Index i = 0; i < z.size(); ++i) r[i] = b[i] - ld.binding(z[i], nn[i]);
        return r;
    };
    const std::vector<double> r_fit = residuals(Zf, Nf, Bf), r_held = residuals(Zh, Nh, Bh);
    const double s_r = rms(r_fit);

    const double zm = mean_of(Zf), zs = sd_of(Zf), nm = mean_of(Nf), ns = sd_of(Nf);
    const auto features = [&](const Eigen::VectorXi& z, const Eigen::VectorXi& nn) {
        std::vector<double> x;
        for (Eigen::Index i = 0; i < z.size(); ++i)
            x.insert(x.end(), {(z[i] - zm) / zs, (nn[i] - nm) / ns, static_cast<double>(z[i] % 2),
                               static_cast<double>(nn[i] % 2)});
        return Tensor::from(x, {static_cast<int64_t>(z.size()), 4}, DType::f64);
    };
    const Tensor x_fit = features(Zf, Nf), x_held = features(Zh, Nh);
    std::vector<double> y(r_fit.size());
    for (size_t i = 0; i < y.size(); ++i) y[i] = r_fit[i] / s_r;
    const Tensor y_fit = Tensor::from(y, {n_fit, 1}, DType::f64);

    if (!csv.empty()) {
        std::string text = "Z,N,Z_odd,N_odd,residual\n";
        for (int64_t k = 0; k < n; ++k) {
            const int64_t i = order[k];
            text += std::to_string(Z[i]) + "," + std::to_string(N[i]) + "," +
                    std::to_string(Z[i] % 2) + "," + std::to_string(N[i] % 2) + "," +
                    std::to_string(B[i] - ld.binding(Z[i], N[i])) + "\n";
        }
        io::write_file_atomic(csv, text);
        std::printf("wrote %s (%lld nuclei)\n", csv.c_str(), static_cast<long long>(n));
    }

    const nn::LinearOptions o{.dtype = DType::f64, .generator = &gen};
    nn::Sequential net{nn::Linear(4, 64, o),  nn::Tanh(), nn::Linear(64, 64, o), nn::Tanh(),
                       nn::Linear(64, 64, o), nn::Tanh(), nn::Linear(64, 1, o)};
    optim::Adam adam(net.parameters(), {.lr = 3e-3});
    optim::CosineAnnealingLr schedule(adam, {.t_max = steps});
    for (int64_t step = 1; step <= steps; ++step) {
        Tensor loss = nn::mse_loss(net(x_fit), y_fit);
        adam.zero_grad();
        loss.backward();
        adam.step();
        schedule.step();
        if (step % (steps / 6 > 0 ? steps / 6 : 1) == 0 || step == steps)
            std::printf("step %5lld  fit RMS of the residual %.3f MeV\n",
                        static_cast<long long>(step), std::sqrt(loss.item()) * s_r);
    }
    NoGradGuard no_grad;
    const std::vector<double> pred = net(x_held).to_vector();
    std::vector<double> err(pred.size());
    for (size_t i = 0; i < err.size(); ++i) err[i] = r_held[i] - pred[i] * s_r;

    std::printf("\nAME2016, %lld measured nuclei with A >= 16: %lld to fit, %lld held out\n",
                static_cast<long long>(n), static_cast<long long>(n_fit),
                static_cast<long long>(n - n_fit));
    std::printf("liquid drop (fitted on the fitting nuclei)  held-out RMS %.3f MeV\n", rms(r_held));
    std::printf("liquid drop + MLP on its residuals          held-out RMS %.3f MeV\n", rms(err));
    // The network must beat the formula it corrects, on nuclei it never saw.
    return rms(err) < rms(r_held) ? 0 : 1;
}
