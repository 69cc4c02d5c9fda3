// Metropolis sampling of |ψ|² for the RBM wave function and the local energy of spin
// Hamiltonians; see vmc_spin.hpp.
#include "gibbs/physics/vmc_spin.hpp"

#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

namespace {

int hidden_units(const SpinHamiltonian& H, const SpinVmcOptions& o) {
    check(o.alpha > 0, "vmc: alpha must be positive, got ", o.alpha);
    if (o.symmetric) {
        check(o.alpha == std::round(o.alpha),
              "vmc: a symmetric RBM needs an integer alpha (filters), got ", o.alpha);
        return static_cast<int>(o.alpha) * H.translations();
    }
    return std::max(1, static_cast<int>(std::lround(o.alpha * H.sites())));
}

}  // namespace

SpinVmc::SpinVmc(const SpinHamiltonian& H, const SpinVmcOptions& options)
    : H_(H), options_(options), rbm_(H.sites(), hidden_units(H, options)) {
    check(options.chains >= 1, "vmc: chains must be at least 1, got ", options.chains);
    check(options.sweeps >= 1, "vmc: sweeps must be at least 1, got ", options.sweeps);
    check(options.thermalize >= 0 && options.discard >= 0, "vmc: negative thermalization");
    const int N = H.sites(), M = rbm_.hidden();
    Generator gen(options.seed);
    if (options.symmetric) {
        // Free parameters [a, b_f (α), w_f(i) (α×N)]; hidden unit (f, t) = f·T + t.
        const int T = H.translations(), filters = M / T;
        free_ = Eigen::VectorXd::Zero(1 + filters + filters * N);
        tie_.assign(rbm_.size(), 0);
        for (int i = 0; i < N; ++i) tie_[i] = 0;
        for (int f = 0; f < filters; ++f)
            for (int t = 0; t < T; ++t) {
                const int j = f * T + t;
                tie_[N + j] = 1 + f;
                for (int i = 0; i < N; ++i)
                    tie_[N + M + H.translate(t, i) * M + j] = 1 + filters + f * N + i;
            }
        for (int k = 0; k < free_.size(); ++k) free_[k] = gen.normal(0.0, options.init_sd);
    } else {
        free_.resize(rbm_.size());
        for (auto& v : free_) v = gen.normal(0.0, options.init_sd);
    }
    set_parameters(free_);
    // Chains start from random configurations; Heisenberg in the sector Σ sᵢ = 0 (or 1).
    for (int c = 0; c < options.chains; ++c) {
        gens_.push_back(gen.split());
        Generator& g = gens_.back();
        std::vector<int8_t> s(N);
        if (H.system().model == SpinModel::kHeisenberg) {
            const int up = (N + 1) / 2;
            for (int i = 0; i < N; ++i) s[i] = i < up ? 1 : -1;
            for (int i = N - 1; i > 0; --i) std::swap(s[i], s[g.integer(0, i + 1)]);
        } else {
            for (int i = 0; i < N; ++i) s[i] = g.bernoulli(0.5) ? 1 : -1;
        }
        s_.push_back(std::move(s));
    }
}

void SpinVmc::set_parameters(const Eigen::VectorXd& p) {
    check(p.size() == free_.size(), "vmc: expected ", free_.size(), " parameters, got ", p.size());
    free_ = p;
    if (tie_.empty()) {
        rbm_.set_parameters(p);
        return;
    }
    Eigen::VectorXd full(rbm_.size());
    for (int k = 0; k < full.size(); ++k) full[k] = p[tie_[k]];
    rbm_.set_parameters(full);
}

void SpinVmc::reduce(const double* O_full, double* O) const {
    if (tie_.empty()) {
        std::copy(O_full, O_full + rbm_.size(), O);
        return;
    }
    std::fill(O, O + free_.size(), 0.0);
    for (size_t k = 0; k < tie_.size(); ++k) O[tie_[k]] += O_full[k];
}

double SpinVmc::local_energy(const int8_t* s, const double* t) const {
    double e = H_.diagonal(s);
    H_.for_each_connected(
        s, [&](int i, int j, double element) { e += element * rbm_.ratio(s, t, i, j); });
    return e;
}

VmcBatch SpinVmc::sample(int samples, bool derivatives) {
    const int C = options_.chains, N = H_.sites(), M = rbm_.hidden();
    check(samples >= C, "vmc: need at least one sample per chain (", C, " chains), got ", samples);
    const bool exchange = H_.system().model == SpinModel::kHeisenberg;
    VmcBatch batch;
    batch.chains = C;
    batch.energy.resize(samples);
    if (derivatives) batch.O.resize(samples, parameter_count());
    const int burn = thermalized_ ? options_.discard : options_.thermalize;
    thermalized_ = true;
    std::vector<long> accepted(C, 0), proposed(C, 0);
    // NOTE: each chain owns its generator, so the result does not depend on the thread count.
    const double work = static_cast<double>(samples) * options_.sweeps * N * M;
#pragma omp parallel for schedule(static) if (C > 1 && work > 2e5)
    for (int c = 0; c < C; ++c) {
        const int first = c * (samples / C) + std::min(c, samples % C);
        const int count = samples / C + (c < samples % C);
        Generator& g = gens_[c];
        int8_t* s = s_[c].data();
        std::vector<double> theta(M), t(M), O_full(derivatives ? rbm_.size() : 0);
        Eigen::VectorXd O_row(derivatives ? parameter_count() : 0);
        rbm_.angles(s, theta.data(), t.data());
        auto sweep = [&]() {
            for (int move = 0; move < N; ++move) {
                const int i = static_cast<int>(g.integer(0, N));
                int j = -1;
                if (exchange) {
                    do j = static_cast<int>(g.integer(0, N));
                    while (s[j] == s[i]);
                }
                const double r = rbm_.ratio(s, t.data(), i, j);
                ++proposed[c];
                if (r * r >= 1.0 || g.uniform() < r * r) {
                    rbm_.flip(s, theta.data(), t.data(), i);
                    if (j >= 0) rbm_.flip(s, theta.data(), t.data(), j);
                    ++accepted[c];
                }
            }
        };
        for (int k = 0; k < burn; ++k) sweep();
        for (int k = 0; k < count; ++k) {
            for (int w = 0; w < options_.sweeps; ++w) sweep();
            batch.energy[first + k] = local_energy(s, t.data());
            if (derivatives) {
                rbm_.log_derivatives(s, t.data(), O_full.data());
                reduce(O_full.data(), O_row.data());
                batch.O.row(first + k) = O_row.transpose();
            }
        }
    }
    long acc = 0, prop = 0;
    for (int c = 0; c < C; ++c) acc += accepted[c], prop += proposed[c];
    batch.acceptance = prop > 0 ? static_cast<double>(acc) / prop : 0.0;
    return batch;
}

}  // namespace gibbs::physics
