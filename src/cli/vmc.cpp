// `gibbs vmc`: variational Monte Carlo with Boltzmann-machine wave functions, for spin chains
// (transverse-field Ising, Heisenberg) and particles in a harmonic trap. Prints the energy per
// iteration, then the final energy with its blocking error, the variance of E_L and the exact
// value where known; --out DIR keeps config.json, metrics.jsonl (one line per iteration),
// result.json and parameters.safetensors.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.hpp"
#include "gibbs/io/file.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/physics/spin_exact.hpp"
#include "gibbs/physics/trap_vmc.hpp"
#include "gibbs/physics/vmc_spin.hpp"
#include "gibbs/tensor/error.hpp"

namespace {

struct VmcCliOptions {
    std::string system = "tfim";
    int L = 20, dim = 0;  // dim 0: 1 for spins, 2 for the trap
    double h = 1.0, J = 1.0;
    int particles = 2;
    double omega = 1.0;
    bool interacting = false, jastrow = false, symmetric = false, train_sigma = false;
    double alpha = 1.0;
    int hidden = 0;  // trap: overrides alpha
    std::string sampler = "metropolis", optimizer = "sr";
    double lr = 0.0, shift = 0.0;  // 0: the optimizer's default
    double decay = 0.0;
    double shift_decay = 1.0, shift_min = 0.0, max_step = 0.0;  // SR shift schedule, trust region
    double sigma_max = 0.0, init_sd = 0.01;                     // trap
    std::string init = "gaussian";                              // trap: gaussian or pairs
    std::string init_from;  // parameters.safetensors of an earlier --out run: continue from it
    int iterations = 300, samples = 1000, eval_samples = 0, chains = 4, every = 1;
    double dt = 0.3, step = 1.0, sigma = 0.0;
    uint64_t seed = 1;
    bool json = false;
    std::string out;
};

double exact_energy(const VmcCliOptions& o, gibbs::physics::SpinSystem* spin) {
    using namespace gibbs::physics;
    if (spin) {
        const int sites = spin->dim == 1 ? spin->L : spin->L * spin->L;
        if (spin->model == SpinModel::kTfim && spin->dim == 1)
            return tfim_chain_energy(spin->L, spin->h, spin->J);
        return sites <= 20 ? spin_exact_energy(*spin) : std::nan("");
    }
    return trap_exact_energy(
        {.particles = o.particles, .dim = o.dim, .omega = o.omega, .interacting = o.interacting});
}

void run_vmc(VmcCliOptions o) {
    using namespace gibbs::physics;
    using gibbs::check;
    const bool trap = o.system == "trap";
    if (o.dim == 0) o.dim = trap ? 2 : 1;
    check(o.iterations >= 0, "vmc: --iterations must be non-negative, got ", o.iterations);
    check(o.samples >= 16, "vmc: --samples must be at least 16, got ", o.samples);
    check(o.every >= 1, "vmc: --every must be at least 1, got ", o.every);
    if (o.eval_samples == 0) o.eval_samples = 10 * o.samples;
    check(o.eval_samples >= 16, "vmc: --eval-samples must be at least 16, got ", o.eval_samples);
    VmcOptimizerOptions opt{.kind = parse_vmc_optimizer(o.optimizer)};
    if (o.lr > 0)
        opt.lr = o.lr;
    else if (opt.kind == VmcOptimizerKind::kAdam)
        opt.lr = 0.01;
    check(o.lr >= 0, "vmc: --lr must be positive, got ", o.lr);
    check(o.shift >= 0, "vmc: --shift must be non-negative, got ", o.shift);
    if (o.shift > 0) opt.sr.shift = o.shift;
    check(o.decay >= 0, "vmc: --decay must be non-negative, got ", o.decay);
    opt.decay = o.decay;
    opt.shift_decay = o.shift_decay;
    opt.shift_min = o.shift_min;
    opt.max_step = o.max_step;

    std::unique_ptr<VmcModel> model;
    std::unique_ptr<SpinSystem> spin;
    if (trap) {
        const TrapSystem sys{
            .particles = o.particles, .dim = o.dim, .omega = o.omega, .interacting = o.interacting};
        const int hidden =
            o.hidden > 0
                ? o.hidden
                : std::max(1, static_cast<int>(std::lround(o.alpha * o.particles * o.dim)));
        model =
            std::make_unique<TrapVmc>(sys, TrapVmcOptions{.rbm = {.hidden = hidden,
                                                                  .sigma = o.sigma,
                                                                  .jastrow = o.jastrow,
                                                                  .train_sigma = o.train_sigma,
                                                                  .init_sd = o.init_sd,
                                                                  .sigma_max = o.sigma_max,
                                                                  .init = parse_trap_init(o.init)},
                                                          .sampler = parse_trap_sampler(o.sampler),
                                                          .step = o.step,
                                                          .dt = o.dt,
                                                          .chains = o.chains,
                                                          .seed = o.seed});
        if (o.shift == 0) opt.sr.shift = 1e-3;
    } else {
        check(o.sampler == "metropolis", "vmc: --sampler ", o.sampler,
              " is for --system trap; spins use metropolis");
        check(!o.jastrow && !o.interacting,
              "vmc: --jastrow and --interacting are for --system trap");
        spin = std::make_unique<SpinSystem>(SpinSystem{
            .model = parse_spin_model(o.system), .L = o.L, .dim = o.dim, .J = o.J, .h = o.h});
        model = std::make_unique<SpinVmc>(
            SpinHamiltonian(*spin),
            SpinVmcOptions{
                .alpha = o.alpha, .symmetric = o.symmetric, .chains = o.chains, .seed = o.seed});
    }
    if (!o.init_from.empty()) {
        // Continue from the parameters of an earlier run (same system and ansatz), e.g. a last
        // stage with a smaller learning rate and more samples.
        const gibbs::io::SafetensorsFile file = gibbs::io::read_safetensors(o.init_from);
        const gibbs::io::RawTensor* t = file.find("parameters");
        check(t != nullptr && t->dtype == "F64" && t->numel() == model->parameter_count(),
              "vmc: --init-from ", o.init_from, " needs an F64 tensor 'parameters' of ",
              model->parameter_count(), " values (the same system, --hidden and flags)");
        Eigen::VectorXd p(model->parameter_count());
        std::memcpy(p.data(), t->data.data(), sizeof(double) * p.size());
        model->set_parameters(p);
    }
    const double exact = exact_energy(o, spin.get());
    if (!o.out.empty()) std::filesystem::create_directories(o.out);
    const nlohmann::json config = {{"system", o.system},
                                   {"L", o.L},
                                   {"dim", o.dim},
                                   {"h", o.h},
                                   {"J", o.J},
                                   {"particles", o.particles},
                                   {"omega", o.omega},
                                   {"interacting", o.interacting},
                                   {"jastrow", o.jastrow},
                                   {"train_sigma", o.train_sigma},
                                   {"symmetric", o.symmetric},
                                   {"alpha", o.alpha},
                                   {"hidden", o.hidden},
                                   {"sampler", o.sampler},
                                   {"optimizer", o.optimizer},
                                   {"lr", opt.lr},
                                   {"decay", opt.decay},
                                   {"shift", opt.sr.shift},
                                   {"shift_decay", opt.shift_decay},
                                   {"shift_min", opt.shift_min},
                                   {"max_step", opt.max_step},
                                   {"sigma", o.sigma},
                                   {"sigma_max", o.sigma_max},
                                   {"init", o.init},
                                   {"init_sd", o.init_sd},
                                   {"init_from", o.init_from},
                                   {"iterations", o.iterations},
                                   {"samples", o.samples},
                                   {"eval_samples", o.eval_samples},
                                   {"chains", o.chains},
                                   {"seed", o.seed},
                                   {"parameters", model->parameter_count()}};
    if (!o.out.empty()) gibbs::io::write_file_atomic(o.out + "/config.json", config.dump(2) + "\n");

    std::string metrics;
    VmcOptimizer optimizer(model->parameter_count(), opt);
    const auto start = std::chrono::steady_clock::now();
    vmc_optimize(*model, optimizer, o.iterations, o.samples, [&](const VmcIteration& it) {
        const nlohmann::json line = {
            {"iteration", it.iteration},     {"energy", it.energy.mean},
            {"energy_err", it.energy.error}, {"variance", it.energy.variance},
            {"acceptance", it.acceptance},   {"seconds", it.seconds}};
        metrics += line.dump() + "\n";
        if (!o.json && (it.iteration % o.every == 0 || it.iteration + 1 == o.iterations))
            std::printf("iter %5d  E = %.6f ± %.6f  var = %.3e  acc = %.2f  %.1f s\n", it.iteration,
                        it.energy.mean, it.energy.error, it.energy.variance, it.acceptance,
                        it.seconds);
    });
    const VmcEnergy e = vmc_energy(model->sample(o.eval_samples, false));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json result = {{"system", o.system},
                             {"energy", e.mean},
                             {"eval_samples", o.eval_samples},
                             {"energy_err", e.error},
                             {"variance", e.variance},
                             {"tau", e.tau},
                             {"parameters", model->parameter_count()},
                             {"seconds", seconds}};
    if (std::isfinite(exact)) {
        result["exact"] = exact;
        result["relative_error"] = std::abs((e.mean - exact) / exact);
    }
    if (!o.out.empty()) {
        gibbs::io::write_file_atomic(o.out + "/metrics.jsonl", metrics);
        gibbs::io::write_file_atomic(o.out + "/result.json", result.dump(2) + "\n");
        const Eigen::VectorXd p = model->parameters();
        gibbs::io::SafetensorsFile file;
        file.tensors.emplace_back("parameters",
                                  gibbs::io::make_raw_tensor<double>(
                                      {p.size()}, std::span<const double>(p.data(), p.size())));
        file.metadata = {{"system", o.system},
                         {"layout", trap          ? "[a (N*dim), b (M), W (N*dim x M, row-major), "
                                                    "(rho = log(1/sigma^2) if train_sigma), "
                                                    "(beta, log gamma if jastrow)]"
                                    : o.symmetric ? "[a, b (alpha), w (alpha x N)]"
                                                  : "[a (N), b (M), W (N x M, row-major)]"},
                         {"config", config.dump()}};
        gibbs::io::write_safetensors(o.out + "/parameters.safetensors", file);
    }
    if (o.json) {
        std::printf("%s\n", result.dump().c_str());
        return;
    }
    std::printf("energy   = %.8f ± %.8f  (blocking, %d samples, tau = %.2f)\n", e.mean, e.error,
                o.eval_samples, e.tau);
    std::printf("variance = %.6e\n", e.variance);
    if (std::isfinite(exact))
        std::printf("exact    = %.8f  (relative error %.3e)\n", exact,
                    std::abs((e.mean - exact) / exact));
    if (trap) std::printf("sigma    = %.6f\n", static_cast<const TrapVmc&>(*model).rbm().sigma());
    std::printf("%d parameters, %.1f s\n", model->parameter_count(), seconds);
}

}  // namespace

GIBBS_COMMAND(vmc) {
    auto o = std::make_shared<VmcCliOptions>();
    auto* sub = app.add_subcommand(
        "vmc", "Variational Monte Carlo with RBM wave functions (spin chains, trapped particles)");
    sub->add_option("--system", o->system, "tfim, heisenberg or trap")->capture_default_str();
    sub->add_option("--L", o->L, "spins per side")->capture_default_str();
    sub->add_option("--dim", o->dim,
                    "lattice (1 chain, 2 square) or trap dimension (default 1 / 2)");
    sub->add_option("--h", o->h, "transverse field (tfim)")->capture_default_str();
    sub->add_option("--J", o->J, "coupling")->capture_default_str();
    sub->add_option("--particles", o->particles, "trap: number of particles")
        ->capture_default_str();
    sub->add_option("--omega", o->omega, "trap: frequency")->capture_default_str();
    sub->add_flag("--interacting", o->interacting, "trap: Coulomb repulsion 1/r_ij");
    sub->add_flag("--jastrow", o->jastrow, "trap: times the Pade-Jastrow factor");
    sub->add_flag("--symmetric", o->symmetric, "spins: translation-invariant RBM");
    sub->add_option("--alpha", o->alpha, "hidden units per visible unit")->capture_default_str();
    sub->add_option("--hidden", o->hidden, "trap: hidden units (overrides --alpha)");
    sub->add_option("--sampler", o->sampler, "metropolis or importance (trap)")
        ->capture_default_str();
    sub->add_option("--optimizer", o->optimizer, "sr, adam or sgd")->capture_default_str();
    sub->add_option("--lr", o->lr, "learning rate (default 0.05; adam 0.01)");
    sub->add_option("--decay", o->decay, "learning rate lr/(1 + decay*t)")->capture_default_str();
    sub->add_option("--shift", o->shift, "SR diagonal shift (default 0.01; trap 0.001)");
    sub->add_option("--shift-decay", o->shift_decay,
                    "SR shift schedule max(shift*b^t, shift-min): the factor b in (0, 1]")
        ->capture_default_str();
    sub->add_option("--shift-min", o->shift_min, "SR shift schedule: the floor")
        ->capture_default_str();
    sub->add_option("--max-step", o->max_step, "clip the parameter step to this norm (0: off)")
        ->capture_default_str();
    sub->add_option("--iterations", o->iterations, "optimization steps")->capture_default_str();
    sub->add_option("--samples", o->samples, "samples per step")->capture_default_str();
    sub->add_option("--eval-samples", o->eval_samples,
                    "samples of the final estimate (default 10x)");
    sub->add_option("--chains", o->chains, "Markov chains")->capture_default_str();
    sub->add_option("--dt", o->dt, "trap importance sampling: time step")->capture_default_str();
    sub->add_option("--step", o->step, "trap brute-force Metropolis: step")->capture_default_str();
    sub->add_option("--sigma", o->sigma, "trap: RBM width (default 1/sqrt(omega))");
    sub->add_flag("--train-sigma", o->train_sigma,
                  "trap: make the RBM width variational (starting at --sigma)");
    sub->add_option("--sigma-max", o->sigma_max,
                    "trap --train-sigma: project sigma <= sigma-max (0: no bound)")
        ->capture_default_str();
    sub->add_option("--init", o->init,
                    "trap: gaussian (a, b, W ~ N(0, init-sd^2)) or pairs (opposite-weight "
                    "hidden pairs, the non-interacting ground state to second order)")
        ->capture_default_str();
    sub->add_option("--init-sd", o->init_sd, "trap: sd of the random initial parameters")
        ->capture_default_str();
    sub->add_option("--init-from", o->init_from,
                    "start from DIR/parameters.safetensors of an earlier --out run");
    sub->add_option("--every", o->every, "print every k-th iteration")->capture_default_str();
    sub->add_option("--seed", o->seed, "random seed")->capture_default_str();
    sub->add_flag("--json", o->json, "print one JSON object (quiet otherwise)");
    sub->add_option("--out", o->out, "folder for config, metrics, result and parameters");
    sub->callback([o] { run_vmc(*o); });
}
