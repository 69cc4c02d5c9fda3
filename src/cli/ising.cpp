// `gibbs ising`: samples the 2-D Ising model on an L × L torus with Metropolis or Wolff, prints
// <e>, <|m|>, C and χ with error bars beside Kaufman's exact finite-lattice values (and, for
// L <= 4, exact enumeration), and optionally saves the sampled configurations for training.
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/physics/ising.hpp"
#include "gibbs/tensor/error.hpp"

namespace {

struct IsingOptions {
    int L = 0;
    double T = 0;
    std::size_t sweeps = 10000;
    std::size_t thermalize = 1000;
    std::string sampler = "wolff";
    uint64_t seed = 0;
    bool json = false;
    std::string out;
    std::size_t save_every = 1;
    std::string dtype = "uint8";
};

std::string full_precision(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

// Writes the kept configurations, (samples, N) as 0/1 in uint8 or float32, with the measured
// e and |m| of each, to a safetensors file.
void save_configurations(const IsingOptions& o, const gibbs::physics::IsingRunResult& r) {
    using gibbs::io::make_raw_tensor;
    const int64_t N = static_cast<int64_t>(o.L) * o.L;
    const int64_t samples = static_cast<int64_t>(r.configurations.size()) / N;
    gibbs::io::SafetensorsFile file;
    if (o.dtype == "uint8") {
        file.tensors.emplace_back("configurations",
                                  make_raw_tensor<uint8_t>({samples, N}, r.configurations));
    } else {
        const std::vector<float> values(r.configurations.begin(), r.configurations.end());
        file.tensors.emplace_back("configurations", make_raw_tensor<float>({samples, N}, values));
    }
    std::vector<double> e, m;  // (samples): the measured observables of the kept sweeps
    for (int64_t k = 0; k < samples; ++k) {
        const std::size_t sweep = static_cast<std::size_t>(k + 1) * o.save_every - 1;
        e.push_back(r.energy_series[sweep]);
        m.push_back(r.abs_magnetization_series[sweep]);
    }
    file.tensors.emplace_back("energy_per_spin", make_raw_tensor<double>({samples}, e));
    file.tensors.emplace_back("abs_magnetization", make_raw_tensor<double>({samples}, m));
    file.metadata = {{"model", "ising"},
                     {"L", std::to_string(o.L)},
                     {"T", full_precision(o.T)},
                     {"J", "1"},
                     {"sampler", o.sampler},
                     {"seed", std::to_string(o.seed)},
                     {"thermalize", std::to_string(o.thermalize)},
                     {"sweeps", std::to_string(o.sweeps)},
                     {"save_every", std::to_string(o.save_every)},
                     {"spin_encoding", "0 = -1, 1 = +1, row-major (L, L)"}};
    gibbs::io::write_safetensors(o.out, file);
}

void run_ising(const IsingOptions& o) {
    using namespace gibbs::physics;
    gibbs::check(o.L >= 2, "ising: --L must be at least 2, got ", o.L);
    gibbs::check(o.L <= 46340, "ising: --L must be at most 46340, got ", o.L);
    gibbs::check(o.T > 0 && std::isfinite(o.T), "ising: --T must be a positive temperature, got ",
                 o.T);
    gibbs::check(o.sweeps >= 4, "ising: --sweeps must be at least 4, got ", o.sweeps);
    gibbs::check(o.sampler == "wolff" || o.sampler == "metropolis",
                 "ising: --sampler must be wolff or metropolis, got '", o.sampler, "'");
    gibbs::check(o.dtype == "uint8" || o.dtype == "float32",
                 "ising: --dtype must be uint8 or float32, got '", o.dtype, "'");
    gibbs::check(o.save_every >= 1, "ising: --save-every must be at least 1");
    if (!o.out.empty()) {
        const double bytes =
            static_cast<double>(o.sweeps / o.save_every) * o.L * o.L * (o.dtype == "uint8" ? 1 : 4);
        gibbs::check(bytes <= 4e9, "ising: --out would hold ", bytes / 1e9,
                     " GB of configurations; raise --save-every or lower --sweeps");
    }
    const IsingRunResult r = ising_run(
        o.L, o.T,
        {.sampler = o.sampler == "wolff" ? IsingSampler::kWolff : IsingSampler::kMetropolis,
         .thermalization = o.thermalize,
         .sweeps = o.sweeps,
         .keep_every = o.out.empty() ? 0 : o.save_every,
         .seed = o.seed});
    const IsingExact exact = ising_exact(o.L, o.T);
    const bool enumerable = o.L <= 4;
    const IsingEnumeration en = enumerable ? ising_enumerate(o.L, o.T) : IsingEnumeration{};
    if (!o.out.empty()) save_configurations(o, r);

    if (o.json) {
        nlohmann::json j = {
            {"L", o.L},
            {"T", o.T},
            {"sampler", o.sampler},
            {"seed", o.seed},
            {"thermalize", o.thermalize},
            {"sweeps", o.sweeps},
            {"energy_per_spin", r.energy_per_spin.mean},
            {"energy_err", r.energy_per_spin.error},
            {"energy_tau", r.energy_per_spin.tau},
            {"abs_magnetization", r.abs_magnetization.mean},
            {"abs_magnetization_err", r.abs_magnetization.error},
            {"abs_magnetization_tau", r.abs_magnetization.tau},
            {"specific_heat", r.specific_heat.mean},
            {"specific_heat_err", r.specific_heat.error},
            {"susceptibility", r.susceptibility.mean},
            {"susceptibility_err", r.susceptibility.error},
            {"exact_log_z", exact.log_z},
            {"exact_energy_per_spin", exact.energy_per_spin},
            {"exact_specific_heat", exact.specific_heat},
            {"onsager_energy_per_spin", onsager_energy_per_spin(o.T)},
            {"onsager_spontaneous_magnetization", onsager_spontaneous_magnetization(o.T)},
        };
        if (enumerable) {
            j["exact_abs_magnetization"] = en.abs_magnetization;
            j["exact_susceptibility"] = en.susceptibility;
        }
        if (o.sampler == "metropolis") {
            j["acceptance"] = r.acceptance;
        } else {
            j["clusters_per_sweep"] = r.clusters_per_sweep;
            j["mean_cluster_size"] = r.mean_cluster_size;
        }
        if (!o.out.empty()) j["out"] = o.out;
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("2-D Ising model, L = %d (N = %d), T = %.6g, %s: %zu sweeps after %zu, seed %llu\n",
                o.L, o.L * o.L, o.T, o.sampler.c_str(), o.sweeps, o.thermalize,
                static_cast<unsigned long long>(o.seed));
    std::printf("%-20s %26s %12s %16s\n", "", "estimate ± error", "tau_int", "exact (L x L)");
    auto row = [](const char* name, const gibbs::mcmc::Estimate& e, bool has_exact, double x) {
        std::printf("%-20s %13.6f ± %-10.6f %12.2f ", name, e.mean, e.error, e.tau);
        if (has_exact)
            std::printf("%16.6f\n", x);
        else
            std::printf("%16s\n", "-");
    };
    row("energy per spin", r.energy_per_spin, true, exact.energy_per_spin);
    row("|m| per spin", r.abs_magnetization, enumerable, en.abs_magnetization);
    row("specific heat", r.specific_heat, true, exact.specific_heat);
    row("susceptibility", r.susceptibility, enumerable, en.susceptibility);
    std::printf("infinite lattice (Onsager): u = %.6f, spontaneous |m| = %.6f\n",
                onsager_energy_per_spin(o.T), onsager_spontaneous_magnetization(o.T));
    if (o.sampler == "metropolis")
        std::printf("acceptance %.4f\n", r.acceptance);
    else
        std::printf("%zu clusters per sweep, mean cluster size %.1f\n", r.clusters_per_sweep,
                    r.mean_cluster_size);
    if (!o.out.empty()) {
        std::printf("wrote %zu configurations to %s\n", r.configurations.size() / (o.L * o.L),
                    o.out.c_str());
    }
}

}  // namespace

GIBBS_COMMAND(ising) {
    auto o = std::make_shared<IsingOptions>();
    auto* sub = app.add_subcommand(
        "ising",
        "Sample the 2-D Ising model (periodic L x L, J = 1) and compare with exact results");
    sub->add_option("--L", o->L, "Linear lattice size (N = L*L spins)")->required();
    sub->add_option("--T", o->T, "Temperature (k_B = 1); T_c = 2.269185")->required();
    sub->add_option("--sweeps,--samples", o->sweeps, "Measured sweeps")->capture_default_str();
    sub->add_option("--thermalize", o->thermalize, "Sweeps discarded first")->capture_default_str();
    sub->add_option("--sampler", o->sampler, "wolff or metropolis")->capture_default_str();
    sub->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    sub->add_flag("--json", o->json, "Print one JSON object");
    sub->add_option("--out", o->out,
                    "Write the sampled configurations (samples, L*L) as 0/1 to a safetensors file");
    sub->add_option("--save-every", o->save_every, "With --out: keep every k-th sweep")
        ->capture_default_str();
    sub->add_option("--dtype", o->dtype, "With --out: uint8 or float32")->capture_default_str();
    sub->callback([o] { run_ising(*o); });
}
