// Boltzmann machines on the command line: `gibbs train-rbm`, `gibbs train-dbn`, `gibbs eval-rbm`
// and `gibbs sample` (the work is in run_* functions, see cli/rbm_commands.hpp).
// A training run folder holds config.json, metrics.jsonl (one JSON object per epoch),
// model.safetensors and samples.png.
#include "cli/rbm_commands.hpp"
#include "cli/generative.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "gibbs/boltzmann/data.hpp"
#include "gibbs/boltzmann/dbn.hpp"
#include "gibbs/boltzmann/partition.hpp"
#include "gibbs/io/png.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::cli {

using namespace gibbs::boltzmann;

namespace {

RbmTrainOptions trainer_options(const TrainRbmOptions& o) {
    const int methods = (o.cd > 0) + (o.pcd > 0) + (o.pt > 0);
    check(methods <= 1, "train: give at most one of --cd, --pcd and --pt");
    check(o.cd >= 0 && o.pcd >= 0 && o.pt >= 0, "train: --cd/--pcd/--pt must be positive");
    check(o.epochs >= 1, "train: --epochs must be >= 1, got ", o.epochs);
    check(o.batch >= 1, "train: --batch must be >= 1, got ", o.batch);
    check(o.lr > 0 && std::isfinite(o.lr), "train: --lr must be positive, got ", o.lr);
    check(o.momentum >= 0 && o.momentum < 1, "train: --momentum must be in [0, 1), got ",
          o.momentum);
    check(o.weight_decay >= 0, "train: --weight-decay must be >= 0, got ", o.weight_decay);
    check(o.chains >= 0, "train: --chains must be >= 0, got ", o.chains);
    check(o.sigma > 0, "train: --sigma must be positive, got ", o.sigma);
    check(!o.learn_sigma || o.visible == "gaussian",
          "train: --learn-sigma needs --visible gaussian, got --visible ", o.visible);
    check(o.sigma_lr >= 0 && std::isfinite(o.sigma_lr), "train: --sigma-lr must be >= 0, got ",
          o.sigma_lr);
    check(o.sigma_min > 0 && std::isfinite(o.sigma_min), "train: --sigma-min must be > 0, got ",
          o.sigma_min);
    Schedule schedule = Schedule::kConstant;
    if (o.schedule == "exponential")
        schedule = Schedule::kExponential;
    else if (o.schedule == "cosine")
        schedule = Schedule::kCosine;
    else
        check(o.schedule == "constant",
              "train: --schedule must be constant, exponential or "
              "cosine, got '",
              o.schedule, "'");
    RbmTrainOptions r{.batch = o.batch,
                      .lr = o.lr,
                      .momentum = o.momentum,
                      .weight_decay = o.weight_decay,
                      .schedule = schedule,
                      .gamma = o.gamma,
                      .epochs = o.epochs,
                      .seed = o.seed,
                      .learn_sigma = o.learn_sigma,
                      .sigma_lr = o.sigma_lr,
                      .sigma_min = o.sigma_min,
                      .threads = o.threads};
    r.chains = o.chains;
    if (o.pcd > 0) {
        r.method = Method::kPcd;
        r.k = o.pcd;
    } else if (o.pt > 0) {
        r.method = Method::kTempering;
        r.k = o.pt;
        r.temperatures = o.temperatures;
        r.beta_min = o.beta_min;
    } else {
        r.method = Method::kCd;
        r.k = o.cd > 0 ? o.cd : 1;
    }
    return r;
}

nlohmann::json epoch_json(const EpochStats& s) {
    auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    return {{"epoch", s.epoch},
            {"seconds", s.seconds},
            {"lr", s.lr},
            {"reconstruction_error", num(s.reconstruction_error)},
            {"pseudo_log_likelihood", num(s.pseudo_log_likelihood)},
            {"free_energy_gap", num(s.free_energy_gap)},
            {"swap_acceptance", num(s.swap_acceptance)},
            {"threads", s.threads}};
}

void write_text(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary);
        check(static_cast<bool>(out), "cannot write ", tmp);
        out << text;
        check(static_cast<bool>(out), "cannot write ", tmp);
    }
    std::filesystem::rename(tmp, path);
}

void write_samples_png(const std::string& path, const Tensor& x, int64_t height, int64_t width,
                       int64_t cols) {
    const Tensor f = x.to(DType::f32).contiguous();
    io::write_png_grid(path, f.data<float>(), f.size(0), height, width, 1, cols, 1);
}

struct Prepared {
    VisibleData train;
    Tensor valid;
    nlohmann::json config;
};

Prepared prepare(const TrainRbmOptions& o, const char* command) {
    check(!o.out.empty(), command, ": --out DIR is required");
    const Visible visible = parse_visible(o.visible);
    Prepared p;
    p.train = load_visible_data(o.data, visible, data::Split::kTrain, o.tensor);
    if (!o.valid.empty())
        p.valid = load_visible_data(o.valid, visible, data::Split::kTest).x;
    else if (o.data == "fashion-mnist")
        p.valid = load_visible_data("fashion-mnist", visible, data::Split::kTest).x;
    if (p.valid.defined())
        check(p.valid.size(1) == p.train.x.size(1), command, ": validation data has ",
              p.valid.size(1), " columns, training data ", p.train.x.size(1));
    std::filesystem::create_directories(o.out);
    p.config = {{"command", command},
                {"data", o.data},
                {"visible", o.visible},
                {"epochs", o.epochs},
                {"batch", o.batch},
                {"lr", o.lr},
                {"momentum", o.momentum},
                {"weight_decay", o.weight_decay},
                {"schedule", o.schedule},
                {"gamma", o.gamma},
                {"seed", o.seed},
                {"cd", o.cd},
                {"pcd", o.pcd},
                {"pt", o.pt},
                {"chains", o.chains},
                {"temperatures", o.temperatures},
                {"beta_min", o.beta_min},
                {"sigma", o.sigma},
                {"learn_sigma", o.learn_sigma},
                {"sigma_lr", o.sigma_lr},
                {"sigma_min", o.sigma_min},
                {"weight_std", o.weight_std},
                {"samples", p.train.x.size(0)},
                {"visible_units", p.train.x.size(1)},
                {"image_shape", {p.train.height, p.train.width}}};
    return p;
}

std::string image_shape(const VisibleData& d) {
    return std::to_string(d.height) + "," + std::to_string(d.width);
}

}  // namespace

void run_train_rbm(const TrainRbmOptions& o) {
    check(o.hidden >= 1, "train-rbm: --hidden must be >= 1, got ", o.hidden);
    const RbmTrainOptions to = trainer_options(o);
    Prepared p = prepare(o, "train-rbm");
    p.config["hidden"] = o.hidden;
    p.config["method"] = method_name(to.method);
    p.config["k"] = to.k;
    write_text(o.out + "/config.json", p.config.dump(2) + "\n");
    Generator gen(o.seed);
    Rbm rbm(p.train.x.size(1), o.hidden, parse_visible(o.visible), gen,
            {.weight_std = o.weight_std, .sigma = o.sigma});
    rbm.metadata["image_shape"] = image_shape(p.train);
    rbm.metadata["method"] = method_name(to.method);
    init_visible_biases(rbm, p.train.x);
    std::string metrics;
    {
        RbmTrainer trainer(rbm, to);
        for (int64_t e = 0; e < o.epochs; ++e) {
            const EpochStats st = trainer.epoch(p.train.x, p.valid);
            metrics += epoch_json(st).dump() + "\n";
            write_text(o.out + "/metrics.jsonl", metrics);
            if (!o.quiet)
                std::printf("epoch %lld/%lld  %.2f s  recon %.4f  pll %.4f  F gap %.4f\n",
                            static_cast<long long>(st.epoch), static_cast<long long>(o.epochs),
                            st.seconds, st.reconstruction_error, st.pseudo_log_likelihood,
                            st.free_energy_gap);
            save_rbm(o.out + "/model.safetensors", rbm);
        }
    }
    Generator sg(o.seed + 1);
    Tensor x = bernoulli(Tensor::full({64, rbm.M()}, 0.5), sg);
    Tensor h;
    mcmc::block_gibbs(rbm, x, h, 1000, sg);
    write_samples_png(o.out + "/samples.png", rbm.visible_mean(h), p.train.height, p.train.width,
                      8);
    if (!o.quiet) std::printf("wrote %s/model.safetensors\n", o.out.c_str());
}

void run_train_dbn(const TrainRbmOptions& o) {
    check(!o.layers.empty(), "train-dbn: --layers needs at least one hidden size");
    for (int64_t s : o.layers) check(s >= 1, "train-dbn: --layers sizes must be >= 1, got ", s);
    Prepared p = prepare(o, "train-dbn");
    p.config["layers"] = o.layers;
    write_text(o.out + "/config.json", p.config.dump(2) + "\n");
    DbnTrainOptions dopt{
        .rbm = trainer_options(o), .visible = parse_visible(o.visible), .weight_std = o.weight_std};
    std::string metrics;
    Dbn dbn = train_dbn(p.train.x, o.layers, dopt, [&](int64_t layer, const EpochStats& st) {
        nlohmann::json j = epoch_json(st);
        j["layer"] = layer;
        metrics += j.dump() + "\n";
        write_text(o.out + "/metrics.jsonl", metrics);
        if (!o.quiet)
            std::printf("layer %lld epoch %lld  %.2f s  recon %.4f\n",
                        static_cast<long long>(layer), static_cast<long long>(st.epoch), st.seconds,
                        st.reconstruction_error);
    });
    dbn.layers[0].metadata["image_shape"] = image_shape(p.train);
    save_dbn(o.out + "/model.safetensors", dbn);
    Generator sg(o.seed + 1);
    write_samples_png(o.out + "/samples.png", dbn_sample(dbn, 64, 1000, sg), p.train.height,
                      p.train.width, 8);
    if (!o.quiet) std::printf("wrote %s/model.safetensors\n", o.out.c_str());
}

void run_eval_rbm(const EvalRbmOptions& o) {
    check(o.logz == "exact" || o.logz == "ais", "eval-rbm: --logz must be exact or ais, got '",
          o.logz, "'");
    const Rbm rbm = load_rbm(o.model);
    Tensor test, train;
    if (!o.data.empty()) {
        test = load_visible_data(o.data, rbm.visible(), data::Split::kTest).x;
        check(test.size(1) == rbm.M(), "eval-rbm: --data has ", test.size(1),
              " columns, the model has ", rbm.M(), " visible units");
        if (o.logz == "ais" && o.data == "fashion-mnist")
            train = load_visible_data(o.data, rbm.visible(), data::Split::kTrain).x;
    }
    nlohmann::json j = {{"model", o.model},
                        {"visible_units", rbm.M()},
                        {"hidden_units", rbm.N()},
                        {"method", o.logz}};
    double log_z = 0;
    if (o.logz == "exact") {
        log_z = log_z_exact(rbm);
        j["logz"] = log_z;
    } else {
        AisOptions ao{.distributions = o.ais_distributions, .runs = o.ais_runs, .seed = o.seed};
        // The base model's visible marginals from the training data (else the test data):
        // base rates (binary) or means (Gaussian); none: uniform (binary) or the model's a.
        const Tensor& base = train.defined() ? train : test;
        if (base.defined()) {
            if (rbm.visible() == Visible::kBinary)
                ao.base_rates = base_rates(base);
            else
                ao.base_means = column_means(base);
        }
        const AisResult r = ais_log_z(rbm, ao);
        log_z = r.log_z;
        j["logz"] = r.log_z;
        j["logz_low"] = std::isfinite(r.log_z_low) ? nlohmann::json(r.log_z_low) : nlohmann::json();
        j["logz_high"] = r.log_z_high;
        j["ais_distributions"] = o.ais_distributions;
        j["ais_runs"] = o.ais_runs;
    }
    if (test.defined()) {
        j["loglik"] = mean_log_likelihood(rbm, test, log_z);
        j["data"] = o.data;
        j["data_rows"] = test.size(0);
    }
    if (o.json) {
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("RBM %s: %lld visible, %lld hidden\n", o.model.c_str(),
                static_cast<long long>(rbm.M()), static_cast<long long>(rbm.N()));
    if (o.logz == "exact") {
        std::printf("log Z (exact)        %.6f\n", log_z);
    } else {
        std::printf(
            "log Z (AIS, %lld x %lld)  %.4f  [%s, %.4f] (±3 sigma)\n",
            static_cast<long long>(o.ais_runs), static_cast<long long>(o.ais_distributions), log_z,
            j["logz_low"].is_null() ? "-inf" : std::to_string(j["logz_low"].get<double>()).c_str(),
            j["logz_high"].get<double>());
    }
    if (test.defined())
        std::printf("mean log-likelihood  %.4f nats over %lld rows of %s\n",
                    j["loglik"].get<double>(), static_cast<long long>(test.size(0)),
                    o.data.c_str());
}

void run_sample(const SampleOptions& o) {
    if (const auto model = load_generative(o.model)) {
        run_generative_sample(
            *model,
            {.model = o.model,
             .n = o.n,
             .cols = o.cols,
             .seed = o.seed,
             .out = o.out,
             .sample = {.sampler = o.sampler, .steps = o.steps, .eta = o.eta, .label = o.label}});
        return;
    }
    check(!o.out.empty(), "sample: --out FILE.png is required");
    check(o.n >= 1, "sample: --n must be >= 1, got ", o.n);
    check(o.gibbs_steps >= 0, "sample: --gibbs-steps must be >= 0, got ", o.gibbs_steps);
    check(o.cols >= 1, "sample: --cols must be >= 1");
    const io::SafetensorsFile f = io::read_safetensors(o.model);
    const auto it = f.metadata.find("model");
    const std::string kind = it == f.metadata.end() ? "rbm" : it->second;
    Generator gen(o.seed);
    Tensor x;
    std::map<std::string, std::string> meta;
    if (kind == "ising") {
        // Configurations from `gibbs ising --out`: draw the first n lattices.
        VisibleData d = load_visible_data(o.model, Visible::kBinary);
        x = d.x.narrow(0, 0, std::min<int64_t>(o.n, d.x.size(0)));
        meta["image_shape"] = image_shape(d);
    } else if (kind == "dbn") {
        const Dbn dbn = load_dbn(o.model);
        x = dbn_sample(dbn, o.n, o.gibbs_steps, gen);
        meta = dbn.layers[0].metadata;
    } else {
        const Rbm rbm = load_rbm(o.model).to(DType::f32);
        Tensor v = rbm.visible() == Visible::kBinary
                       ? bernoulli(Tensor::full({o.n, rbm.M()}, 0.5), gen)
                       : randn({o.n, rbm.M()}, gen);
        Tensor h;
        mcmc::block_gibbs(rbm, v, h, std::max<int64_t>(o.gibbs_steps, 1), gen);
        x = rbm.visible_mean(h);
        meta = rbm.metadata;
    }
    const int64_t M = x.size(1);
    int64_t height = 1, width = M;
    const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(M))));
    if (side * side == M) height = width = side;
    if (meta.count("image_shape")) {
        int64_t h = 0, w = 0;
        if (std::sscanf(meta["image_shape"].c_str(), "%ld,%ld", &h, &w) == 2 && h * w == M) {
            height = h;
            width = w;
        }
    }
    write_samples_png(o.out, x, height, width, o.cols);
    std::printf("wrote %lld samples (%lld x %lld) to %s\n", static_cast<long long>(x.size(0)),
                static_cast<long long>(height), static_cast<long long>(width), o.out.c_str());
}

void add_train_rbm_options(CLI::App* sub, TrainRbmOptions& o, bool dbn) {
    sub->add_option("--data", o.data, "fashion-mnist or a safetensors file of (samples, units)")
        ->capture_default_str();
    sub->add_option("--tensor", o.tensor, "Tensor to read from a --data file");
    sub->add_option("--valid", o.valid,
                    "Validation data for the free-energy gap (default: fashion-mnist test split)");
    if (dbn)
        sub->add_option("--layers", o.layers, "Hidden layer sizes, e.g. 500,500,2000")
            ->delimiter(',')
            ->required();
    else
        sub->add_option("--hidden", o.hidden, "Hidden units N")->capture_default_str();
    sub->add_option("--visible", o.visible, "binary or gaussian")->capture_default_str();
    sub->add_option("--cd", o.cd, "CD-k (default CD-1)");
    sub->add_option("--pcd", o.pcd, "Persistent CD-k");
    sub->add_option("--pt", o.pt, "Parallel tempering with k Gibbs sweeps per update");
    sub->add_option("--chains", o.chains, "PCD/PT persistent chains (default: batch size)");
    sub->add_option("--temperatures", o.temperatures, "PT: number of temperatures")
        ->capture_default_str();
    sub->add_option("--beta-min", o.beta_min, "PT: smallest inverse temperature")
        ->capture_default_str();
    sub->add_option("--epochs", o.epochs, "Epochs (per layer for a DBN)")->capture_default_str();
    sub->add_option("--batch", o.batch, "Minibatch size")->capture_default_str();
    sub->add_option("--lr", o.lr, "Learning rate")->capture_default_str();
    sub->add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
    sub->add_option("--weight-decay", o.weight_decay, "L2 weight decay on W")
        ->capture_default_str();
    sub->add_option("--schedule", o.schedule, "constant, exponential or cosine (per epoch)")
        ->capture_default_str();
    sub->add_option("--gamma", o.gamma, "Exponential schedule factor")->capture_default_str();
    sub->add_option("--sigma", o.sigma,
                    "Gaussian visible units: sigma (the initial one with "
                    "--learn-sigma)")
        ->capture_default_str();
    sub->add_flag("--learn-sigma", o.learn_sigma,
                  "Gaussian visible units: learn sigma (through log sigma^2)");
    sub->add_option("--sigma-lr", o.sigma_lr, "Learning rate of log sigma^2 (0: --lr)")
        ->capture_default_str();
    sub->add_option("--sigma-min", o.sigma_min,
                    "Floor on a learned sigma (pixels without variance would drive it to 0)")
        ->capture_default_str();
    sub->add_option("--init-std", o.weight_std, "Initial weights ~ N(0, s^2)")
        ->capture_default_str();
    sub->add_option("--seed", o.seed, "Random seed")->capture_default_str();
    sub->add_option("--threads", o.threads, "Threads (0: OpenMP's count, OMP_NUM_THREADS)")
        ->capture_default_str();
    sub->add_option("--out", o.out, "Run folder")->required();
    sub->add_flag("--quiet", o.quiet, "Print nothing per epoch");
}

void add_eval_rbm_options(CLI::App* sub, EvalRbmOptions& o) {
    sub->add_option("--model", o.model, "RBM checkpoint (.safetensors)")->required();
    sub->add_option("--logz", o.logz, "exact or ais")->capture_default_str();
    sub->add_option("--data", o.data,
                    "fashion-mnist (test split) or a file: also print the mean log-likelihood");
    sub->add_option("--ais-distributions", o.ais_distributions, "AIS: intermediate distributions K")
        ->capture_default_str();
    sub->add_option("--ais-runs", o.ais_runs, "AIS: runs R")->capture_default_str();
    sub->add_option("--seed", o.seed, "Random seed")->capture_default_str();
    sub->add_flag("--json", o.json, "Print one JSON object");
}

}  // namespace gibbs::cli

GIBBS_COMMAND(train_rbm) {
    auto o = std::make_shared<gibbs::cli::TrainRbmOptions>();
    auto* sub = app.add_subcommand("train-rbm", "Train an RBM (CD-k, PCD-k or parallel tempering)");
    gibbs::cli::add_train_rbm_options(sub, *o, false);
    sub->callback([o] { gibbs::cli::run_train_rbm(*o); });
}

GIBBS_COMMAND(train_dbn) {
    auto o = std::make_shared<gibbs::cli::TrainRbmOptions>();
    auto* sub = app.add_subcommand("train-dbn", "Train a deep belief network greedily");
    gibbs::cli::add_train_rbm_options(sub, *o, true);
    sub->callback([o] { gibbs::cli::run_train_dbn(*o); });
}

GIBBS_COMMAND(eval_rbm) {
    auto o = std::make_shared<gibbs::cli::EvalRbmOptions>();
    auto* sub = app.add_subcommand("eval-rbm", "log Z (exact or AIS) and log-likelihood of an RBM");
    gibbs::cli::add_eval_rbm_options(sub, *o);
    sub->callback([o] { gibbs::cli::run_eval_rbm(*o); });
}

GIBBS_COMMAND(sample) {
    auto o = std::make_shared<gibbs::cli::SampleOptions>();
    auto* sub = app.add_subcommand(
        "sample", "Draw samples from a generative model (RBM, DBN, EBM, VAE, GAN, DDPM)");
    sub->add_option("--model", o->model, "A model.safetensors, or Ising configurations")
        ->required();
    sub->add_option("--n", o->n, "Number of samples")->capture_default_str();
    sub->add_option("--gibbs-steps", o->gibbs_steps, "Block-Gibbs sweeps")->capture_default_str();
    sub->add_option("--cols", o->cols, "Grid columns")->capture_default_str();
    sub->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    sub->add_option("--sampler", o->sampler,
                    "EBM: langevin or mala; DDPM: ddpm, ddpm-tilde or ddim (default: the model's)");
    sub->add_option("--steps", o->steps, "Sampler steps (0: the model's default)")
        ->capture_default_str();
    sub->add_option("--eta", o->eta, "DDIM: eta (0: deterministic)")->capture_default_str();
    sub->add_option("--label", o->label, "Class-conditional models: the class (-1: in turn)")
        ->capture_default_str();
    sub->add_option("--out", o->out,
                    "PNG file (image grid, or a picture of 2-D points); .csv or .safetensors: "
                    "the sample values")
        ->required();
    sub->callback([o] { gibbs::cli::run_sample(*o); });
}
