// Training a VAE in a run folder, the trained model behind `gibbs sample`/`gibbs eval`
// (gibbs/vae/train.hpp).
#include "gibbs/vae/train.hpp"

#include <omp.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/data/loader.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/run.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/io/file.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/io/png.hpp"
#include "gibbs/io/progress.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::vae {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

template <typename T>
T field(const nlohmann::json& j, const char* key, const std::string& source, T fallback) {
    if (!j.contains(key)) return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        fail(source, ": the field \"", key, "\" has the wrong type: ", j.at(key).dump());
    }
}

// Seeds of the streams that must not depend on the training stream (so --resume can rebuild
// them): the training and test data of a toy and a fixed binarization of the training set.
uint64_t derived_seed(uint64_t seed, uint64_t stream) {
    return seed * 0x9E3779B97F4A7C15ULL + stream;
}

struct RunData {
    Tensor train_x;                                  // (N, D) float32
    Tensor test_x;                                   // (M, D), binarized when the run is
    std::vector<int64_t> train_labels, test_labels;  // images only
};

// The one-hot labels (N, K) of a conditional VAE for the given labels, undefined otherwise.
Tensor condition(const Vae& vae, const std::vector<int64_t>& labels) {
    return vae.conditional() ? one_hot(labels, vae.classes(), vae.options().dtype) : Tensor();
}

std::vector<int64_t> slice(const std::vector<int64_t>& v, int64_t start, int64_t length) {
    return {v.begin() + start, v.begin() + start + length};
}

// with_train = false leaves train_x undefined (for the figures, which need the test set only).
RunData load_data(const VaeTrainConfig& c, const Shape& input, bool with_train = true) {
    RunData d;
    const int64_t D = input.numel();
    if (gen::is_image_data(c.data)) {
        Generator unused(0);
        if (with_train) {
            const data::TensorDataset train = gen::generative_data(c.data, false, c.limit, unused);
            d.train_x = train.x.reshape({train.size(), D});
            d.train_labels = train.labels;
        }
        const data::TensorDataset test = gen::generative_data(c.data, true, c.test_limit, unused);
        d.test_x = test.x.reshape({test.size(), D});
        d.test_labels = test.labels;
    } else {
        Generator train_gen(derived_seed(c.seed, 1)), test_gen(derived_seed(c.seed, 2));
        d.train_x = gen::generative_data(c.data, false, c.train_size, train_gen).x;
        d.test_x = gen::generative_data(c.data, true, 2000, test_gen).x;
    }
    if (c.binarize == "fixed" && with_train) {
        Generator g(derived_seed(c.seed, 3));
        d.train_x = bernoulli(d.train_x, g);
    }
    if (c.binarize != "none") d.test_x = binarize_test(d.test_x);
    return d;
}

// The test ELBO in nats per example: −(1/M) Σ_n [−log p(x_n|z_n) + KL_n], one ε each
// (conditional: given the labels, log p(x_n|z_n, y_n) and KL(q(z|x_n, y_n) ‖ p(z))).
double test_elbo(Vae& vae, const Tensor& x, const std::vector<int64_t>& labels, Generator& gen) {
    NoGradGuard no_grad;
    const int64_t M = x.size(0), B = 1000;
    double sum = 0;
    for (int64_t i = 0; i < M; i += B) {
        const int64_t b = std::min(B, M - i);
        const Tensor y = vae.conditional() ? condition(vae, slice(labels, i, b)) : Tensor();
        sum += vae.elbo_given(x.narrow(0, i, b), y, gen).elbo() * static_cast<double>(b);
    }
    return sum / static_cast<double>(M);
}

double mean_iw(Vae& vae, const Tensor& x, const std::vector<int64_t>& labels, int64_t k,
               Generator& gen) {
    const std::vector<double> l = vae.iw_log_likelihood_given(x, condition(vae, labels), k, gen);
    return std::accumulate(l.begin(), l.end(), 0.0) / static_cast<double>(l.size());
}

bool all_finite(const nn::Module& m) {
    for (const Tensor& p : m.parameters())
        for (double v : p.to_vector())
            if (!std::isfinite(v)) return false;
    return true;
}

VaeTrainResult run_training(gen::GenerativeRun& run, const VaeTrainConfig& c,
                            const VaeTrainOptions& o, const RunData* loaded = nullptr) {
    const auto start = Clock::now();
    if (c.threads > 0) omp_set_num_threads(c.threads);
    Generator gen(c.seed);
    VaeOptions vo = vae_options(c);
    vo.generator = &gen;
    auto vae = std::make_shared<Vae>(vo);
    optim::Adam opt(vae->parameters(), {.lr = c.lr});
    if (run.resumed()) {
        run.restore(*vae);
        run.restore(opt);
        opt.set_lr(c.lr);
        gen.set_state(run.generator_state());
    }
    const RunData d = loaded ? *loaded : load_data(c, vo.input);
    const int64_t N = d.train_x.size(0), M = d.test_x.size(0);
    check(N >= 1, "train vae: no training examples");
    const int64_t batches = (N + c.batch - 1) / c.batch;
    std::FILE* log = o.quiet ? nullptr : o.log;
    if (log) {
        std::fprintf(log,
                     "%s %s, %" PRId64 " parameters, on %s: %" PRId64 " train, %" PRId64
                     " test; adam lr %g, batch %" PRId64 ", %" PRId64 " epochs, %d threads\n",
                     run.resumed() ? "resuming" : "training", vae->describe().c_str(),
                     vae->parameter_count(), c.data.c_str(), N, M, c.lr, c.batch, c.epochs,
                     omp_get_max_threads());
        std::fflush(log);
    }
    VaeTrainResult result;
    result.epochs = run.epoch();
    if (run.resumed()) {
        const auto records = io::read_metrics(run.path("metrics.jsonl"));
        if (!records.empty()) result.test_elbo = records.back().value("test_elbo", 0.0);
    }
    for (int64_t epoch = run.epoch() + 1; epoch <= c.epochs; ++epoch) {
        const auto epoch_start = Clock::now();
        io::ProgressBar bar(N, {.label = cat("epoch ", epoch, "/", c.epochs), .quiet = o.quiet});
        const std::vector<int64_t> order = randperm(N, gen);
        double loss_sum = 0, recon_sum = 0, kl_sum = 0;
        vae->train();
        for (int64_t step = 0; step < batches; ++step) {
            const int64_t i0 = step * c.batch, b = std::min(c.batch, N - i0);
            const auto rows = std::span(order).subspan(i0, b);
            Tensor x = data::gather_rows(d.train_x, rows);  // (B, D)
            if (c.binarize == "dynamic") x = bernoulli(x, gen);
            Tensor y;  // (B, K) one-hot, conditional only
            if (vae->conditional()) {
                std::vector<int64_t> labels(b);
                for (int64_t i = 0; i < b; ++i) labels[i] = d.train_labels[rows[i]];
                y = condition(*vae, labels);
            }
            const ElboTerms t = vae->elbo_given(x, y, gen);
            const double loss = t.loss.item();
            if (!std::isfinite(loss)) {
                bar.finish();
                fail("train vae: the loss is ", loss, " at epoch ", epoch, ", step ", step + 1,
                     " of ", batches, "; training stopped. ",
                     epoch > 1 ? cat("The last good checkpoint (epoch ", epoch - 1, ") stays in ",
                                     run.path("checkpoint.safetensors"))
                               : std::string("No epoch finished, so no checkpoint was saved"),
                     ". A smaller --lr may help.");
            }
            opt.zero_grad();
            t.loss.backward();
            opt.step();
            loss_sum += loss * static_cast<double>(b);
            recon_sum += t.reconstruction.item() * static_cast<double>(b);
            kl_sum += t.kl.item() * static_cast<double>(b);
            if (bar.enabled()) {
                bar.set_postfix(cat("loss ", loss_sum / static_cast<double>(i0 + b)));
                bar.advance(b);
            }
        }
        bar.finish();
        const double train_seconds = seconds_since(epoch_start);
        check(all_finite(*vae), "train vae: the parameters are no longer finite after epoch ",
              epoch, "; training stopped");
        vae->eval();
        Generator eval_gen(derived_seed(c.seed, 100 + static_cast<uint64_t>(epoch)));
        const double elbo = test_elbo(*vae, d.test_x, d.test_labels, eval_gen);
        check(std::isfinite(elbo), "train vae: the test ELBO is ", elbo, " after epoch ", epoch);
        nlohmann::json record = {{"epoch", epoch},
                                 {"train_loss", loss_sum / static_cast<double>(N)},
                                 {"train_reconstruction", recon_sum / static_cast<double>(N)},
                                 {"train_kl", kl_sum / static_cast<double>(N)},
                                 {"test_elbo", elbo},
                                 {"train_seconds", train_seconds},
                                 {"samples_per_second", static_cast<double>(N) / train_seconds}};
        if (epoch == c.epochs && c.iw_samples > 0) {
            const auto iw_start = Clock::now();
            Generator iw_gen(derived_seed(c.seed, 99));
            result.log_likelihood_iw = mean_iw(*vae, d.test_x, d.test_labels, c.iw_samples, iw_gen);
            record["log_likelihood_iw"] = result.log_likelihood_iw;
            record["iw_samples"] = c.iw_samples;
            record["iw_seconds"] = seconds_since(iw_start);
        }
        record["seconds"] = seconds_since(epoch_start);
        const io::NamedTensors state = vae->state();
        run.save(epoch, "vae", state, {{"model.", state}, {"optimizer.", opt.state()}}, gen);
        run.log(record);
        if (log) {
            std::fprintf(log,
                         "epoch %" PRId64 "/%" PRId64
                         ": loss %.3f (reconstruction %.3f, KL %.3f), test ELBO %.3f nats, "
                         "%.1f s\n",
                         epoch, c.epochs, loss_sum / N, recon_sum / N, kl_sum / N, elbo,
                         record["seconds"].get<double>());
            if (record.contains("log_likelihood_iw"))
                std::fprintf(log, "test log p(x) >= %.3f nats (IWAE, k = %" PRId64 ")\n",
                             result.log_likelihood_iw, c.iw_samples);
            std::fflush(log);
        }
        result.epochs = epoch;
        result.test_elbo = elbo;
    }
    VaeModel model(c, vae);
    vae->eval();
    write_vae_figures(model, run.dir(), c.seed);
    result.seconds = seconds_since(start);
    return result;
}

}  // namespace

nlohmann::json to_json(const VaeTrainConfig& c) {
    return {{"model", "vae"},
            {"data", c.data},
            {"arch", c.arch},
            {"hidden", c.hidden},
            {"channels", c.channels},
            {"latent", c.latent},
            {"decoder", c.decoder},
            {"sigma", c.sigma},
            {"beta", c.beta},
            {"conditional", c.conditional},
            {"binarize", c.binarize},
            {"epochs", c.epochs},
            {"batch", c.batch},
            {"lr", c.lr},
            {"seed", c.seed},
            {"threads", c.threads},
            {"limit", c.limit},
            {"test_limit", c.test_limit},
            {"train_size", c.train_size},
            {"iw_samples", c.iw_samples}};
}

VaeTrainConfig vae_config_from_json(const nlohmann::json& j, const std::string& source) {
    check(j.is_object(), source, ": the VAE config is not a JSON object");
    VaeTrainConfig c;
    c.data = field(j, "data", source, c.data);
    c.arch = field(j, "arch", source, c.arch);
    c.hidden = field(j, "hidden", source, c.hidden);
    c.channels = field(j, "channels", source, c.channels);
    c.latent = field(j, "latent", source, c.latent);
    c.decoder = field(j, "decoder", source, c.decoder);
    c.sigma = field(j, "sigma", source, c.sigma);
    c.beta = field(j, "beta", source, c.beta);
    c.conditional = field(j, "conditional", source, c.conditional);
    c.binarize = field(j, "binarize", source, c.binarize);
    c.epochs = field(j, "epochs", source, c.epochs);
    c.batch = field(j, "batch", source, c.batch);
    c.lr = field(j, "lr", source, c.lr);
    c.seed = field(j, "seed", source, c.seed);
    c.threads = field(j, "threads", source, c.threads);
    c.limit = field(j, "limit", source, c.limit);
    c.test_limit = field(j, "test_limit", source, c.test_limit);
    c.train_size = field(j, "train_size", source, c.train_size);
    c.iw_samples = field(j, "iw_samples", source, c.iw_samples);
    validate(c);
    return c;
}

void validate(VaeTrainConfig& c) {
    gen::check_data_name(c.data);
    const bool images = gen::is_image_data(c.data);
    check(c.arch == "mlp" || c.arch == "conv", "train vae: --arch must be mlp or conv, got '",
          c.arch, "'");
    check(images || c.arch == "mlp", "train vae: --arch conv needs images; --data ", c.data,
          " is 2-D points");
    if (c.decoder.empty()) c.decoder = images ? "bernoulli" : "gaussian";
    check(c.decoder == "bernoulli" || c.decoder == "gaussian",
          "train vae: --decoder must be bernoulli or gaussian, got '", c.decoder, "'");
    check(images || c.decoder == "gaussian",
          "train vae: --decoder bernoulli needs values in "
          "[0, 1]; --data ",
          c.data, " is points in the plane: use --decoder gaussian");
    check(!c.conditional || images, "train vae: --conditional needs labelled data; --data ", c.data,
          " is points in the plane without class labels (use --data fashion-mnist)");
    check(c.binarize == "none" || c.binarize == "dynamic" || c.binarize == "fixed",
          "train vae: --binarize must be none, dynamic or fixed, got '", c.binarize, "'");
    check(c.binarize == "none" || (images && c.decoder == "bernoulli"),
          "train vae: --binarize needs images and the Bernoulli decoder");
    check(!c.hidden.empty() || c.arch == "mlp", "train vae: --arch conv needs one --hidden width");
    check(c.epochs >= 1, "train vae: --epochs must be >= 1, got ", c.epochs);
    check(c.batch >= 1, "train vae: --batch must be >= 1, got ", c.batch);
    check(c.lr > 0 && std::isfinite(c.lr), "train vae: --lr must be a positive number, got ", c.lr);
    check(c.threads >= 0 && c.threads <= 1024,
          "train vae: --threads must be between 0 and 1024, "
          "got ",
          c.threads);
    check(c.limit >= 0 && c.test_limit >= 0, "train vae: --limit and --test-limit must be >= 0");
    check(c.train_size >= 1, "train vae: --train-size must be >= 1, got ", c.train_size);
    check(c.iw_samples >= 0, "train vae: --iw-samples must be >= 0, got ", c.iw_samples);
    validate(vae_options(c));
}

VaeOptions vae_options(const VaeTrainConfig& c) {
    VaeOptions o;
    o.input = gen::is_image_data(c.data) ? Shape{1, 28, 28} : Shape{2};
    o.arch = c.arch == "conv" ? Arch::conv : Arch::mlp;
    o.hidden = c.hidden;
    o.channels = c.channels;
    o.latent = c.latent;
    o.likelihood = c.decoder == "gaussian" ? Likelihood::gaussian : Likelihood::bernoulli;
    o.sigma = c.sigma;
    o.beta = c.beta;
    o.classes = c.conditional ? kImageClasses : 0;
    return o;
}

Tensor binarize_test(const Tensor& pixels) {
    Generator g(kTestBinarizationSeed);
    return bernoulli(pixels.contiguous(), g);
}

VaeTrainResult train_vae(const VaeTrainConfig& config, const VaeTrainOptions& o) {
    check(!o.out.empty(), "train vae: give the run folder with --out DIR");
    if (o.resume) return resume_vae(o.out, nlohmann::json::object(), o);
    VaeTrainConfig c = config;
    validate(c);
    const RunData d = load_data(c, vae_options(c).input);  // bad data leaves no folder behind
    gen::GenerativeRun run = gen::GenerativeRun::create(o.out, to_json(c));
    return run_training(run, c, o, &d);
}

VaeTrainResult resume_vae(const std::string& dir, const nlohmann::json& changes,
                          const VaeTrainOptions& o) {
    gen::GenerativeRun run = gen::GenerativeRun::resume(dir);
    check(run.config().value("model", std::string()) == "vae", "train vae: --resume ", dir,
          ": the run there is not a VAE");
    if (!changes.empty()) run.update_config(changes);
    const VaeTrainConfig c = vae_config_from_json(run.config(), run.path("config.json"));
    return run_training(run, c, o);
}

VaeModel::VaeModel(const VaeTrainConfig& config, std::shared_ptr<Vae> vae)
    : config_(config), vae_(std::move(vae)) {}

namespace {

// The labels of n samples: all `label`, or with label −1 blocks in class order.
std::vector<int64_t> sample_labels(int64_t n, int64_t classes, int64_t label) {
    check(label >= -1 && label < classes, "sample vae: --label ", label, " is not a class 0..",
          classes - 1, " (or -1 for all classes)");
    std::vector<int64_t> labels(n, label);
    if (label < 0)  // blocks in class order: example i of n has class ⌊i K / n⌋
        for (int64_t i = 0; i < n; ++i) labels[i] = i * classes / n;
    return labels;
}

}  // namespace

Tensor VaeModel::sample(int64_t n, Generator& gen, const gen::SampleOptions& options) {
    check(n >= 1, "sample vae: the number of samples must be >= 1, got ", n);
    Tensor m;  // (n, D)
    if (vae_->conditional()) {
        m = vae_->sample_means_given(
            one_hot(sample_labels(n, classes(), options.label), classes(), vae_->options().dtype),
            gen);
    } else {
        check(options.label < 0, "sample vae: --label ", options.label,
              " needs a class-conditional model; ", describe(), " is unconditional");
        m = vae_->sample_means(n, gen);
    }
    m = m.to(DType::f32);
    Shape shape = vae_->options().input;
    shape.insert(0, n);
    return m.reshape(shape);
}

nlohmann::json VaeModel::evaluate(const Tensor& x, Generator& gen,
                                  const gen::SampleOptions& options) {
    check(!vae_->conditional(), "eval vae: ", describe(),
          " is class-conditional: its ELBO needs the labels of the data");
    return evaluate_labelled(x, {}, gen, options);
}

nlohmann::json VaeModel::evaluate_labelled(const Tensor& x, const std::vector<int64_t>& labels,
                                           Generator& gen, const gen::SampleOptions& options) {
    check(!vae_->conditional() || static_cast<int64_t>(labels.size()) == x.size(0),
          "eval vae: ", labels.size(), " labels for ", x.size(0), " examples");
    check(options.steps >= 0, "eval vae: --steps (the importance samples k) must be >= 1");
    const int64_t k = options.steps > 0 ? options.steps : kDefaultIwSamples;
    vae_->eval();
    Tensor xf = x.to(vae_->options().dtype).reshape({x.size(0), vae_->input_dim()});
    if (config_.binarize != "none") xf = binarize_test(xf);
    nlohmann::json j;
    j["elbo"] = test_elbo(*vae_, xf, labels, gen);
    j["log_likelihood_iw"] = mean_iw(*vae_, xf, labels, k, gen);
    j["conditional"] = vae_->conditional();
    j["iw_samples"] = k;
    j["binarized"] = config_.binarize != "none";
    return j;
}

std::unique_ptr<VaeModel> load_vae(const io::Checkpoint& checkpoint) {
    const VaeTrainConfig c =
        vae_config_from_json(gen::generative_config(checkpoint, "vae"), checkpoint.path);
    Generator g(0);
    VaeOptions o = vae_options(c);
    o.generator = &g;
    auto vae = std::make_shared<Vae>(o);
    io::load_module_state(*vae, checkpoint.tensors, checkpoint.path);
    vae->eval();
    return std::make_unique<VaeModel>(c, vae);
}

void write_vae_figures(VaeModel& model, const std::string& dir, uint64_t seed, int64_t steps) {
    namespace fs = std::filesystem;
    const auto path = [&](const char* file) { return (fs::path(dir) / file).string(); };
    Vae& vae = model.vae();
    NoGradGuard no_grad;
    Generator gen(seed);
    const bool images = gen::is_image_data(model.data());
    if (!images) {
        gen::write_scatter_png(path("samples.png"), model.sample(2000, gen, {}));
    } else {
        // Conditional: one row of 8 per class.
        const int64_t n = vae.conditional() ? 8 * vae.classes() : 64;
        const Tensor s = model.sample(n, gen, {}).contiguous();  // (n, 1, 28, 28)
        io::write_png_grid(path("samples.png"), s.data<float>(), n, 28, 28, 1, 8, 1);
    }
    const RunData d = load_data(model.config(), vae.options().input, /*with_train=*/false);
    const int64_t M = d.test_x.size(0);
    if (images && M >= 16) {
        const Tensor grid =
            vae.interpolate(
                   d.test_x.narrow(0, 0, 8), d.test_x.narrow(0, 8, 8), steps,
                   vae.conditional() ? condition(vae, slice(d.test_labels, 0, 8)) : Tensor(),
                   vae.conditional() ? condition(vae, slice(d.test_labels, 8, 8)) : Tensor())
                .to(DType::f32)
                .contiguous();  // (8·steps, D)
        io::write_png_grid(path("interpolation.png"), grid.data<float>(), 8 * steps, 28, 28, 1,
                           steps, 1);
    }
    if (vae.latent() != 2) return;
    const Tensor z =
        vae.encode(d.test_x, condition(vae, d.test_labels)).mu.to(DType::f64).contiguous();  // (M,
                                                                                             // 2)
    const double* zp = z.data<double>();
    std::string csv = images ? "z1,z2,label\n" : "z1,z2\n";
    char buf[64];
    for (int64_t n = 0; n < M; ++n) {
        if (images)
            std::snprintf(buf, sizeof buf, "%.6g,%.6g,%" PRId64 "\n", zp[2 * n], zp[2 * n + 1],
                          d.test_labels[n]);
        else
            std::snprintf(buf, sizeof buf, "%.6g,%.6g\n", zp[2 * n], zp[2 * n + 1]);
        csv += buf;
    }
    io::write_file_atomic(path("latent.csv"), csv);
    if (!images) {
        gen::write_scatter_png(path("latent.png"), z, 4.0);
        return;
    }
    // One P×P panel per class on [−4, 4]²: white, each point darkening its pixel.
    constexpr int64_t P = 96, K = 10;
    constexpr double kExtent = 4.0;
    std::vector<float> panels(K * P * P, 1.0f);
    for (int64_t n = 0; n < M; ++n) {
        const int64_t c = d.test_labels[n];
        const double u = (zp[2 * n] + kExtent) / (2 * kExtent);
        const double v = (kExtent - zp[2 * n + 1]) / (2 * kExtent);
        if (c < 0 || c >= K || u < 0 || u >= 1 || v < 0 || v >= 1) continue;
        float& px = panels[(c * P + static_cast<int64_t>(v * P)) * P + static_cast<int64_t>(u * P)];
        px = std::max(0.0f, px - 0.34f);
    }
    io::write_png_grid(path("latent.png"), panels.data(), K, P, P, 1, 5, 2);
}

}  // namespace gibbs::vae
