// One Ising Markov chain: thermalize, then measure e and |m| once per sweep, and estimate
// <e>, <|m|> (blocking), C = N(<e²> - <e>²)/T² and χ = N(<m²> - <|m|>²)/T (block jackknife,
// with blocks as long as the blocking analysis of the series involved says they must be).
#include <algorithm>
#include <cmath>

#include "gibbs/physics/ising.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

namespace {

// The block jackknife estimate of f(<a>, <b>), with blocks as long as the longest block that
// Jonsson's test chose for a and for b.
mcmc::Estimate fluctuation(const std::vector<double>& a, const std::vector<double>& b, double scale,
                           std::size_t& block) {
    const mcmc::BlockingAnalysis ba = mcmc::blocking_analysis(a), bb = mcmc::blocking_analysis(b);
    block = std::max(ba.block_size(), bb.block_size());
    const std::size_t n_blocks = std::max<std::size_t>(2, a.size() / block);
    mcmc::Estimate est = mcmc::jackknife(
        {std::span<const double>(a), std::span<const double>(b)}, n_blocks,
        [scale](std::span<const double> m) { return scale * (m[1] - m[0] * m[0]); });
    const double n = static_cast<double>(a.size());
    auto tau = [n](const mcmc::BlockingAnalysis& x) {
        return x.variance > 0 ? x.var_of_mean[x.level] * n / x.variance : 1.0;
    };
    est.tau = std::max(tau(ba), tau(bb));
    return est;
}

}  // namespace

IsingRunResult ising_run(int L, double T, const IsingRunOptions& options) {
    check(L >= 2, "ising_run: lattice size L must be at least 2, got ", L);
    check(T > 0 && std::isfinite(T), "ising_run: temperature T must be positive, got ", T);
    check(options.sweeps >= 4, "ising_run: need at least 4 measured sweeps, got ", options.sweeps);
    Generator gen(options.seed);
    IsingLattice lattice(L);
    const std::size_t N = lattice.size();
    const double n_spins = static_cast<double>(N);

    IsingRunResult out;
    out.L = L;
    out.T = T;
    std::vector<double>& e = out.energy_series;
    std::vector<double>& m_abs = out.abs_magnetization_series;
    e.reserve(options.sweeps);
    m_abs.reserve(options.sweeps);
    std::vector<double> e2, m2;  // e², m² per sweep
    e2.reserve(options.sweeps);
    m2.reserve(options.sweeps);
    if (options.keep_every > 0) out.configurations.reserve(options.sweeps / options.keep_every * N);

    auto measure = [&](std::size_t sweep) {
        const double energy = lattice.energy_per_spin();
        const double m = lattice.magnetization_per_spin();
        e.push_back(energy);
        e2.push_back(energy * energy);
        m_abs.push_back(std::fabs(m));
        m2.push_back(m * m);
        if (options.keep_every > 0 && (sweep + 1) % options.keep_every == 0) {
            for (int8_t v : lattice.spins()) out.configurations.push_back(v > 0 ? 1 : 0);
        }
    };

    if (options.sampler == IsingSampler::kMetropolis) {
        const Metropolis metropolis(T);
        for (std::size_t t = 0; t < options.thermalization; ++t) metropolis.sweep(lattice, gen);
        std::size_t accepted = 0;
        for (std::size_t t = 0; t < options.sweeps; ++t) {
            accepted += metropolis.sweep(lattice, gen);
            measure(t);
        }
        out.acceptance = static_cast<double>(accepted) / (n_spins * options.sweeps);
    } else {
        Wolff wolff(T);
        // Thermalize with clusters until thermalization × N spins have been flipped (at least N,
        // to learn the mean cluster size). NOTE: the number of clusters per measured sweep is then
        // fixed: stopping a sweep at a flip count would pick the measurement times by the
        // cluster sizes, and bias the measured states.
        const std::size_t target = std::max<std::size_t>(options.thermalization, 1) * N;
        std::size_t flipped = 0, clusters = 0;
        while (flipped < target) {
            flipped += wolff.step(lattice, gen);
            ++clusters;
        }
        std::size_t per_sweep = options.clusters_per_sweep;
        if (per_sweep == 0) {
            const double mean_size = static_cast<double>(flipped) / static_cast<double>(clusters);
            per_sweep = std::max<std::size_t>(1, std::llround(n_spins / mean_size));
        }
        out.clusters_per_sweep = per_sweep;
        std::size_t measured_flips = 0;
        for (std::size_t t = 0; t < options.sweeps; ++t) {
            for (std::size_t c = 0; c < per_sweep; ++c) measured_flips += wolff.step(lattice, gen);
            measure(t);
        }
        out.mean_cluster_size =
            static_cast<double>(measured_flips) / static_cast<double>(per_sweep * options.sweeps);
    }

    out.energy_per_spin = mcmc::blocking(e);
    out.abs_magnetization = mcmc::blocking(m_abs);
    std::size_t block_e = 0, block_m = 0;
    out.specific_heat = fluctuation(e, e2, n_spins / (T * T), block_e);
    out.susceptibility = fluctuation(m_abs, m2, n_spins / T, block_m);
    out.jackknife_block = std::max(block_e, block_m);
    return out;
}

}  // namespace gibbs::physics
