// The EBM training loop and the trained model (gibbs/ebm/train.hpp).
#include "gibbs/ebm/train.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/io/progress.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::ebm {

// ---- configuration ----

EbmConfig EbmConfig::defaults(const std::string& data) {
    EbmConfig c;
    c.data = data;
    if (gen::is_image_data(data)) {
        c.epochs = 1;
        c.batch = 32;
        c.lr = 5e-4;
        c.lr_decay = "none";
        c.buffer = 10000;
        c.sample_init = "noise";
        c.channels = {16, 32, 32};
        c.langevin_steps = 10;
        c.step_size = 20.0;  // (ε/2)·∇E = 10·∇E, Du & Mordatch's λ = 10
        c.noise = 0.001;     // σ√ε ≈ 0.0045, their noise 0.005
        c.grad_clip = 0.01;
        c.alpha = 1.0;
        c.train_size = 0;
        c.sample_steps = 200;
    }
    return c;
}

bool EbmConfig::image() const { return gen::is_image_data(data); }

namespace {

mcmc::LangevinKind langevin_kind(const std::string& name) {
    return name == "mala" ? mcmc::LangevinKind::mala : mcmc::LangevinKind::ula;
}

}  // namespace

SgldOptions EbmConfig::sgld() const {
    return {.steps = langevin_steps,
            .langevin = {.kind = langevin_kind(sampler),
                         .step_size = step_size,
                         .noise_scale = noise,
                         .grad_clip = grad_clip,
                         .lo = lo(),
                         .hi = hi()},
            .reinit = reinit};
}

double EbmConfig::lr_at(int64_t t, int64_t T) const {
    if (lr_decay != "cosine" || T <= 0) return lr;
    const double u = std::min(1.0, static_cast<double>(t) / static_cast<double>(T));
    return lr_min + 0.5 * (lr - lr_min) * (1.0 + std::cos(M_PI * u));
}

EnergyNetOptions EbmConfig::net() const {
    return {.image = image(), .hidden = hidden, .channels = channels};
}

void EbmConfig::validate() const {
    gen::check_data_name(data);
    check(epochs >= 1, "train ebm: --epochs must be at least 1, got ", epochs);
    check(batch >= 1, "train ebm: --batch must be at least 1, got ", batch);
    check(std::isfinite(lr) && lr > 0, "train ebm: --lr must be positive, got ", lr);
    check(langevin_steps >= 1, "train ebm: --langevin-steps must be at least 1, got ",
          langevin_steps);
    check(std::isfinite(step_size) && step_size > 0,
          "train ebm: --step-size must be positive, got ", step_size);
    check(std::isfinite(noise) && noise >= 0, "train ebm: --noise must not be negative, got ",
          noise);
    check(std::isfinite(grad_clip) && grad_clip >= 0,
          "train ebm: --grad-clip must not be negative (0: none), got ", grad_clip);
    check(buffer >= 1, "train ebm: --buffer must be at least 1, got ", buffer);
    check(reinit >= 0 && reinit <= 1, "train ebm: --reinit must be in [0, 1], got ", reinit);
    check(std::isfinite(alpha) && alpha >= 0, "train ebm: --alpha must not be negative, got ",
          alpha);
    check(train_size >= 0, "train ebm: --train-size must not be negative, got ", train_size);
    check(train_size >= batch || (image() && train_size == 0), "train ebm: --train-size (",
          train_size, ") must be at least --batch (", batch, ")");
    check(sample_steps >= 1, "train ebm: --sample-steps must be at least 1, got ", sample_steps);
    check(sampler == "ula" || sampler == "mala", "train ebm: --sampler must be ula or mala, got '",
          sampler, "'");
    check(sample_sampler == "ula" || sample_sampler == "mala",
          "train ebm: --sample-sampler must be ula or mala, got '", sample_sampler, "'");
    check(sampler == "ula" || noise > 0, "train ebm: --sampler mala needs --noise > 0");
    check(sample_init == "noise" || sample_init == "buffer",
          "train ebm: --sample-init must be noise or buffer, got '", sample_init, "'");
    check(lr_decay == "none" || lr_decay == "cosine",
          "train ebm: --lr-decay must be none or cosine, got '", lr_decay, "'");
    check(std::isfinite(lr_min) && lr_min >= 0 && lr_min <= lr,
          "train ebm: --lr-min must be in [0, --lr], got ", lr_min);
    check(std::isfinite(sample_step_size) && sample_step_size >= 0,
          "train ebm: --sample-step-size must not be negative (0: --step-size), got ",
          sample_step_size);
    check(threads >= 0 && threads <= 1024, "train ebm: --threads must be between 0 and 1024, got ",
          threads);
    if (image()) {
        check(channels.size() == 3, "train ebm: --channels needs three numbers c1,c2,c3, got ",
              channels.size());
    } else {
        check(!hidden.empty(), "train ebm: --hidden needs at least one width");
    }
    for (int64_t v : hidden) check(v >= 1, "train ebm: --hidden widths must be positive, got ", v);
    for (int64_t v : channels) check(v >= 1, "train ebm: --channels must be positive, got ", v);
}

nlohmann::json EbmConfig::to_json() const {
    return {{"model", "ebm"},
            {"data", data},
            {"epochs", epochs},
            {"batch", batch},
            {"lr", lr},
            {"hidden", hidden},
            {"channels", channels},
            {"langevin_steps", langevin_steps},
            {"step_size", step_size},
            {"noise", noise},
            {"grad_clip", grad_clip},
            {"buffer", buffer},
            {"reinit", reinit},
            {"alpha", alpha},
            {"train_size", train_size},
            {"sample_steps", sample_steps},
            {"sampler", sampler},
            {"lr_decay", lr_decay},
            {"lr_min", lr_min},
            {"sample_sampler", sample_sampler},
            {"sample_step_size", sample_step_size},
            {"sample_init", sample_init},
            {"seed", seed},
            {"threads", threads}};
}

EbmConfig EbmConfig::from_json(const nlohmann::json& j, const std::string& source) {
    check(j.is_object() && j.value("model", std::string()) == "ebm", source,
          ": not the configuration of an EBM run");
    EbmConfig c;
    try {
        c.data = j.at("data").get<std::string>();
        c.epochs = j.at("epochs").get<int64_t>();
        c.batch = j.at("batch").get<int64_t>();
        c.lr = j.at("lr").get<double>();
        c.hidden = j.at("hidden").get<std::vector<int64_t>>();
        c.channels = j.at("channels").get<std::vector<int64_t>>();
        c.langevin_steps = j.at("langevin_steps").get<int64_t>();
        c.step_size = j.at("step_size").get<double>();
        c.noise = j.at("noise").get<double>();
        c.grad_clip = j.at("grad_clip").get<double>();
        c.buffer = j.at("buffer").get<int64_t>();
        c.reinit = j.at("reinit").get<double>();
        c.alpha = j.at("alpha").get<double>();
        c.train_size = j.at("train_size").get<int64_t>();
        c.sample_steps = j.at("sample_steps").get<int64_t>();
        // Absent from runs made before these options existed: their values then.
        c.sampler = j.value("sampler", std::string("ula"));
        c.lr_decay = j.value("lr_decay", std::string("none"));
        c.lr_min = j.value("lr_min", 0.0);
        c.sample_sampler = j.value("sample_sampler", std::string("ula"));
        c.sample_step_size = j.value("sample_step_size", 0.0);
        c.sample_init = j.value("sample_init", std::string("noise"));
        c.seed = j.at("seed").get<uint64_t>();
        c.threads = j.at("threads").get<int>();
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": bad EBM configuration: ", e.what());
    }
    c.validate();
    return c;
}

// ---- training ----

namespace {

Shape example_shape(const EbmConfig& c) { return c.image() ? Shape{1, 28, 28} : Shape{2}; }

}  // namespace

EbmTrainResult train_ebm(gen::GenerativeRun& run, bool quiet) {
    const EbmConfig c = EbmConfig::from_json(run.config(), run.path("config.json"));
    if (c.threads > 0) omp_set_num_threads(c.threads);
    Generator gen(c.seed);
    EbmModel model(c, gen);
    EnergyNet& net = model.net();
    optim::Adam optimizer(net.parameters(), {.lr = c.lr, .beta1 = 0.0, .beta2 = 0.999});
    ReplayBuffer buffer(example_shape(c), c.buffer, c.lo(), c.hi(), gen);
    // Images are loaded once; a toy density is drawn afresh each epoch.
    data::TensorDataset images;
    if (c.image()) images = gen::generative_data(c.data, /*test=*/false, c.train_size, gen);
    if (run.resumed()) {
        run.restore(net);
        run.restore(optimizer);
        const io::NamedTensors saved = run.tensors("buffer.");
        check(saved.size() == 1 && saved[0].first == "x", run.path("checkpoint.safetensors"),
              ": no replay buffer (buffer.x) in the checkpoint");
        buffer.load(saved[0].second, run.path("checkpoint.safetensors"));
        gen.set_state(run.generator_state());
        optimizer.set_lr(c.lr);  // --lr may change on resuming
    }
    const SgldOptions sgld = c.sgld();
    EbmTrainResult result;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t epoch = run.epoch() + 1; epoch <= c.epochs; ++epoch) {
        const auto epoch_start = std::chrono::steady_clock::now();
        Tensor x;  // this epoch's examples, in order
        if (c.image()) {
            x = index_select(images.x, 0, randperm(images.size(), gen));
        } else {
            x = gen::sample_toy(c.data, c.train_size, gen);
        }
        const int64_t N = x.size(0), steps = N / c.batch;  // a last partial batch is dropped
        const int64_t total = steps * c.epochs;            // the schedule's horizon
        char label[48];
        std::snprintf(label, sizeof label, "epoch %lld/%lld", static_cast<long long>(epoch),
                      static_cast<long long>(c.epochs));
        io::ProgressBar bar(steps, {.label = label, .quiet = quiet});
        StepStats mean{.loss = 0, .e_pos = 0, .e_neg = 0, .acceptance = 0};
        for (int64_t s = 0; s < steps; ++s) {
            const Tensor batch = x.narrow(0, s * c.batch, c.batch).contiguous();
            StepStats st;
            optimizer.set_lr(c.lr_at((epoch - 1) * steps + s, total));
            try {
                st = train_step(net, optimizer, batch, buffer, sgld, c.alpha, gen);
            } catch (const Error& e) {
                const std::string kept =
                    epoch > 1 ? " keeps its last good checkpoint (epoch " +
                                    std::to_string(epoch - 1) + ")"
                              : " has no checkpoint yet (one is saved after each epoch)";
                fail("train ebm: epoch ", epoch, " step ", s + 1, ": ", e.what(), "; ", run.dir(),
                     kept, "; try a smaller --step-size or --lr, or a larger --alpha");
            }
            mean.loss += st.loss / steps, mean.e_pos += st.e_pos / steps;
            mean.e_neg += st.e_neg / steps, mean.acceptance += st.acceptance / steps;
            char post[96];
            std::snprintf(post, sizeof post, "loss %.4f  E+ %.3f  E- %.3f", st.loss, st.e_pos,
                          st.e_neg);
            bar.set_postfix(post);
            bar.advance();
        }
        bar.finish();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
        run.log({{"epoch", epoch},
                 {"loss", mean.loss},
                 {"energy_pos", mean.e_pos},
                 {"energy_neg", mean.e_neg},
                 {"steps", steps},
                 {"seconds", seconds}});
        // The model file carries the buffer only when sampling starts from it (an image buffer
        // is tens of MB).
        io::NamedTensors model_tensors = net.state();
        if (c.sample_init == "buffer") model_tensors.emplace_back("replay.x", buffer.x());
        run.save(epoch, "ebm", model_tensors,
                 {{"model.", net.state()},
                  {"optimizer.", optimizer.state()},
                  {"buffer.", {{"x", buffer.x()}}}},
                 gen);
        if (!quiet)
            std::printf("epoch %lld/%lld: loss %.4f, E(x+) %.4f, E(x-) %.4f, %.1f s\n",
                        static_cast<long long>(epoch), static_cast<long long>(c.epochs), mean.loss,
                        mean.e_pos, mean.e_neg, seconds);
        std::fflush(stdout);
        result.last = mean;
        result.epochs = epoch;
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

// ---- the trained model ----

EbmModel::EbmModel(const EbmConfig& config, Generator& gen) : config_(config) {
    config_.validate();
    net_ = std::make_shared<EnergyNet>(config_.net(), gen);
}

std::unique_ptr<EbmModel> EbmModel::load(const io::Checkpoint& checkpoint) {
    const EbmConfig c =
        EbmConfig::from_json(gen::generative_config(checkpoint, "ebm"), checkpoint.path);
    Generator init;  // the saved tensors replace the initialization
    auto model = std::make_unique<EbmModel>(c, init);
    io::NamedTensors net_tensors;
    for (const auto& [name, t] : checkpoint.tensors) {
        if (name == "replay.x") {
            check(t.dim() == example_shape(c).size() + 1 && t.dtype() == DType::f32 &&
                      t.shape().back() == example_shape(c).back(),
                  checkpoint.path, ": the replay buffer replay.x is ", t.shape(),
                  ", not chains of float32 examples");
            model->chains_ = t;
        } else {
            net_tensors.emplace_back(name, t);
        }
    }
    io::load_module_state(*model->net_, net_tensors, checkpoint.path);
    return model;
}

std::string EbmModel::describe() const {
    std::string s = config_.image() ? "EBM CNN 1" : "EBM MLP 2";
    for (int64_t w : config_.image() ? config_.channels : config_.hidden) {
        s += '-';
        s += std::to_string(w);
    }
    s += "-1 on ";
    s += config_.data;
    return s;
}

Tensor EbmModel::sample(int64_t n, Generator& gen, const gen::SampleOptions& options) {
    check(n >= 1, "ebm sample: n must be at least 1, got ", n);
    mcmc::LangevinOptions lo = config_.sgld().langevin;
    lo.kind = langevin_kind(config_.sample_sampler);
    if (config_.sample_step_size > 0) lo.step_size = config_.sample_step_size;
    if (options.sampler == "mala")
        lo.kind = mcmc::LangevinKind::mala;
    else if (options.sampler == "langevin" || options.sampler == "ula")
        lo.kind = mcmc::LangevinKind::ula;
    else
        check(options.sampler.empty(), "ebm sample: --sampler must be ula (langevin) or mala, got ",
              options.sampler);
    const int64_t steps = options.steps > 0 ? options.steps : config_.sample_steps;
    const ReplayBuffer box(example_shape(config_), 1, config_.lo(), config_.hi(), gen);
    // Starting points: the saved replay buffer's chains in a random order (each used once while
    // n ≤ capacity, then again), or uniform noise on the box.
    const bool from_buffer = config_.sample_init == "buffer" && chains_.defined();
    std::vector<int64_t> order;
    if (from_buffer) {
        const std::vector<int64_t> perm = randperm(chains_.size(0), gen);
        for (int64_t i = 0; i < n; ++i) order.push_back(perm[i % chains_.size(0)]);
    }
    FrozenParameters frozen(*net_);
    // Chains in chunks, so that image sampling keeps its memory bounded.
    const int64_t chunk = config_.image() ? 256 : 4096;
    std::vector<Tensor> parts;
    for (int64_t start = 0; start < n; start += chunk) {
        const int64_t m = std::min(chunk, n - start);
        Tensor x;
        if (from_buffer) {
            const std::vector<int64_t> rows(order.begin() + start, order.begin() + start + m);
            x = index_select(chains_, 0, rows).contiguous();
        } else {
            x = box.noise(m, gen);
        }
        mcmc::langevin(x, energy_fn(*net_), steps, lo, gen);
        parts.push_back(x);
    }
    return parts.size() == 1 ? parts[0] : cat(parts, 0);
}

nlohmann::json EbmModel::evaluate(const Tensor& x, Generator& gen, const gen::SampleOptions&) {
    NoGradGuard no_grad;
    const ReplayBuffer box(example_shape(config_), 1, config_.lo(), config_.hi(), gen);
    double e_data = 0, e_noise = 0;
    const int64_t N = x.size(0), chunk = 512;
    for (int64_t s = 0; s < N; s += chunk) {
        const int64_t m = std::min(chunk, N - s);
        e_data += (*net_)(x.narrow(0, s, m).contiguous()).sum().item() / N;
        e_noise += (*net_)(box.noise(m, gen)).sum().item() / N;
    }
    return {{"energy_data", e_data}, {"energy_noise", e_noise}};
}

}  // namespace gibbs::ebm
