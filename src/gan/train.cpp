// GAN training runs and the trained generator as a generative model (gibbs/gan/train.hpp).
#include "gibbs/gan/train.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <span>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/metrics.hpp"
#include "gibbs/gen/run.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/io/png.hpp"
#include "gibbs/io/progress.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gan {

// ---- configuration ----

void GanConfig::resolve() {
    const bool image = gen::is_image_data(data);
    if (latent == 0) latent = image ? 64 : 8;
    if (hidden.empty())
        hidden = image ? std::vector<int64_t>{256, 512} : std::vector<int64_t>{128, 128};
    if (channels.empty()) channels = {32, 64};
}

void GanConfig::validate() const {
    gen::check_data_name(data);
    check_spec(spec());
    check(epochs >= 1, "--epochs must be >= 1, got ", epochs);
    check(batch >= 2, "--batch must be >= 2, got ", batch);
    check(std::isfinite(lr) && lr > 0, "--lr must be a positive number, got ", lr);
    check(schedule == "constant" || schedule == "cosine",
          "--schedule must be constant or cosine, got '", schedule, "'");
    check(beta1 >= 0 && beta1 < 1, "--beta1 must lie in [0, 1), got ", beta1);
    check(beta2 >= 0 && beta2 < 1, "--beta2 must lie in [0, 1), got ", beta2);
    check(label_smoothing >= 0 && label_smoothing < 1, "--label-smoothing must lie in [0, 1), got ",
          label_smoothing);
    check(d_steps >= 1, "--d-steps must be >= 1, got ", d_steps);
    check(threads >= 0, "--threads must not be negative, got ", threads);
    check(limit >= 0, "--limit must not be negative, got ", limit);
    if (gen::is_toy(data))
        check(train_size >= batch, "--train-size (", train_size, ") must be at least --batch (",
              batch, ")");
}

NetSpec GanConfig::spec() const {
    return {.arch = arch,
            .data_shape = gen::is_image_data(data) ? Shape{1, 28, 28} : Shape{2},
            .latent = latent,
            .hidden = hidden,
            .channels = channels};
}

nlohmann::json GanConfig::to_json() const {
    return {{"model", "gan"},     {"data", data},
            {"arch", arch},       {"latent", latent},
            {"hidden", hidden},   {"channels", channels},
            {"epochs", epochs},   {"batch", batch},
            {"lr", lr},           {"beta1", beta1},
            {"beta2", beta2},     {"label_smoothing", label_smoothing},
            {"d_steps", d_steps}, {"train_size", train_size},
            {"limit", limit},     {"seed", seed},
            {"threads", threads}};
}

GanConfig GanConfig::from_json(const nlohmann::json& j, const std::string& source) {
    check(j.is_object(), source, ": the GAN configuration is not a JSON object");
    check(j.value("model", std::string()) == "gan", source,
          ": not a GAN configuration (\"model\" is ", j.value("model", nlohmann::json()).dump(),
          ")");
    GanConfig c;
    try {
        c.data = j.at("data").get<std::string>();
        c.arch = j.at("arch").get<std::string>();
        c.latent = j.at("latent").get<int64_t>();
        c.hidden = j.at("hidden").get<std::vector<int64_t>>();
        c.channels = j.at("channels").get<std::vector<int64_t>>();
        c.epochs = j.at("epochs").get<int64_t>();
        c.batch = j.at("batch").get<int64_t>();
        c.lr = j.at("lr").get<double>();
        c.schedule = j.value("schedule", std::string("constant"));
        c.beta1 = j.at("beta1").get<double>();
        c.beta2 = j.at("beta2").get<double>();
        c.label_smoothing = j.at("label_smoothing").get<double>();
        c.d_steps = j.at("d_steps").get<int64_t>();
        c.train_size = j.at("train_size").get<int64_t>();
        c.limit = j.at("limit").get<int64_t>();
        c.seed = j.at("seed").get<uint64_t>();
        c.threads = j.at("threads").get<int>();
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": the GAN configuration is incomplete or malformed: ", e.what());
    }
    try {
        c.validate();
    } catch (const Error& e) {
        fail(source, ": ", e.what());
    }
    return c;
}

// ---- sampling ----

namespace {

constexpr int64_t kSampleChunk = 1000;

// G(z) for n draws z ~ N(0, I), in chunks, without a graph, batch norm in evaluation mode.
Tensor sample_generator(nn::Module& G, int64_t n, int64_t latent, Generator& gen) {
    NoGradGuard no_grad;
    const bool was_training = G.is_training();
    G.eval();
    std::vector<Tensor> parts;
    for (int64_t start = 0; start < n; start += kSampleChunk)
        parts.push_back(G(randn({std::min(kSampleChunk, n - start), latent}, gen)));
    G.train(was_training);
    return parts.size() == 1 ? parts[0].contiguous() : cat(parts, 0);
}

std::string join(const std::vector<int64_t>& v, const char* sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += sep;
        s += std::to_string(v[i]);
    }
    return s;
}

void write_samples_png(const std::string& path, nn::Module& G, const GanConfig& c) {
    Generator zgen(c.seed ^ 0x5a5a5a5a5a5a5a5aULL);  // the same z after every epoch
    if (gen::is_toy(c.data)) {
        gen::write_scatter_png(path, sample_generator(G, 2000, c.latent, zgen));
        return;
    }
    const Tensor x = sample_generator(G, 64, c.latent, zgen);  // (64, 1, 28, 28)
    io::write_png_grid(path, x.data<float>(), 64, 28, 28, 1, 8, 1);
}

}  // namespace

GanModel::GanModel(GanConfig config, std::shared_ptr<nn::Sequential> generator)
    : config_(std::move(config)), G_(std::move(generator)) {
    G_->eval();
}

std::unique_ptr<GanModel> GanModel::load(const io::Checkpoint& checkpoint) {
    GanConfig c = GanConfig::from_json(gen::generative_config(checkpoint, "gan"), checkpoint.path);
    Generator init(c.seed);
    auto G = make_generator(c.spec(), init);
    io::load_module_state(*G, checkpoint.with_prefix("generator."), checkpoint.path);
    return std::make_unique<GanModel>(std::move(c), std::move(G));
}

std::string GanModel::describe() const {
    const NetSpec s = config_.spec();
    if (s.arch == "dcgan")
        return "DCGAN generator " + std::to_string(s.latent) + " -> (" +
               std::to_string(s.channels[1]) + ",7,7) -> (" + std::to_string(s.channels[0]) +
               ",14,14) -> (1,28,28) on " + config_.data;
    return "GAN generator " + std::to_string(s.latent) + "-" + join(s.hidden, "-") + "-" +
           std::to_string(s.data_shape.numel()) + " on " + config_.data;
}

Tensor GanModel::sample(int64_t n, Generator& gen, const gen::SampleOptions& options) {
    check(n >= 1, describe(), ": the number of samples must be >= 1, got ", n);
    check(options.sampler.empty() || options.sampler == "gan", describe(),
          ": a GAN samples G(z) directly; --sampler '", options.sampler, "' does not apply");
    check(options.label < 0, describe(), ": the GAN is unconditional; --label does not apply");
    return sample_generator(*G_, n, config_.latent, gen);
}

// ---- training ----

TrainResult train(GanConfig c, const TrainOptions& o) {
    using Clock = std::chrono::steady_clock;
    check(!o.out.empty(), "train gan: give the run folder with --out DIR");
    if (!o.resume) {
        c.resolve();
        c.validate();
    }
    // Fashion-MNIST is read before the run folder is made, so that a missing data set leaves none.
    data::TensorDataset images;
    auto load_images = [&] {
        Generator unused(0);
        if (gen::is_image_data(c.data))
            images = gen::generative_data(c.data, /*test=*/false, c.limit, unused);
    };
    if (!o.resume) load_images();
    check(o.resume || !gen::is_image_data(c.data) || images.size() >= c.batch,
          "train gan: ", images.size(), " training images (--limit) are fewer than --batch ",
          c.batch);
    gen::GenerativeRun run = o.resume ? gen::GenerativeRun::resume(o.out)
                                      : gen::GenerativeRun::create(o.out, c.to_json());
    if (o.resume) {
        c = GanConfig::from_json(run.config(), run.path("config.json"));
        nlohmann::json changes = nlohmann::json::object();
        if (o.epochs > 0) changes["epochs"] = c.epochs = o.epochs;
        if (o.threads >= 0) changes["threads"] = c.threads = o.threads;
        if (!changes.empty()) run.update_config(changes);
        load_images();
    }
    const bool toy = gen::is_toy(c.data);
    if (c.threads > 0) omp_set_num_threads(c.threads);
    const int64_t N = toy ? c.train_size : images.size();
    check(N >= c.batch, "train gan: ", N, " training examples are fewer than --batch ", c.batch);
    const int64_t steps = N / c.batch;

    Generator gen(c.seed);
    const NetSpec spec = c.spec();
    auto G = make_generator(spec, gen);
    auto D = make_discriminator(spec, gen);
    const optim::AdamOptions adam{.lr = c.lr, .beta1 = c.beta1, .beta2 = c.beta2};
    optim::Adam opt_g(G->parameters(), adam);
    optim::Adam opt_d(D->parameters(), adam);
    if (run.resumed()) {
        run.restore(*G, "generator.");
        run.restore(*D, "discriminator.");
        run.restore(opt_g, "optimizer_g.");
        run.restore(opt_d, "optimizer_d.");
        gen.set_state(run.generator_state());
    }
    // Per-step cosine annealing, positioned at the run's step count when resuming.
    std::vector<std::unique_ptr<optim::CosineAnnealingLr>> schedules;
    if (c.schedule == "cosine")
        for (optim::Optimizer* opt :
             {static_cast<optim::Optimizer*>(&opt_g), static_cast<optim::Optimizer*>(&opt_d)}) {
            schedules.push_back(std::make_unique<optim::CosineAnnealingLr>(
                *opt, optim::CosineAnnealingLrOptions{.t_max = c.epochs * steps}));
            schedules.back()->seek(run.epoch() * steps);
        }
    const StepOptions step_options{
        .latent = c.latent, .label_smoothing = c.label_smoothing, .d_steps = c.d_steps};

    TrainResult result;
    result.epochs = run.epoch();
    const auto start = Clock::now();
    for (int64_t epoch = run.epoch() + 1; epoch <= c.epochs; ++epoch) {
        const auto epoch_start = Clock::now();
        Tensor X;                    // toys: (N, 2) fresh draws
        std::vector<int64_t> order;  // images: this epoch's order
        if (toy)
            X = gen::sample_toy(c.data, N, gen);
        else
            order = randperm(N, gen);
        io::ProgressBar bar(
            steps, {.label = "epoch " + std::to_string(epoch) + "/" + std::to_string(c.epochs),
                    .quiet = o.quiet});
        StepStats sum;
        for (int64_t step = 0; step < steps; ++step) {
            const Tensor x =
                toy ? X.narrow(0, step * c.batch, c.batch)
                    : images.select(std::span(order).subspan(step * c.batch, c.batch)).x;
            const StepStats s = train_step(*G, *D, opt_g, opt_d, x, gen, step_options);
            for (auto& schedule : schedules) schedule->step();
            for (const auto& [name, value] :
                 {std::pair{"discriminator", s.d_loss}, std::pair{"generator", s.g_loss}})
                check(std::isfinite(value), "train gan: epoch ", epoch, ", step ", step + 1,
                      ": the ", name, " loss is ", value, "; the run in ", o.out,
                      " keeps its last finished epoch (", epoch - 1,
                      "); try a lower --lr or --label-smoothing 0.1");
            sum.d_loss += s.d_loss, sum.g_loss += s.g_loss;
            sum.d_real += s.d_real, sum.d_fake += s.d_fake;
            char postfix[80];
            std::snprintf(postfix, sizeof postfix, "d %.3f  g %.3f", s.d_loss, s.g_loss);
            bar.set_postfix(postfix);
            bar.advance();
        }
        bar.finish();
        const double n = static_cast<double>(steps);
        nlohmann::json record = {{"epoch", epoch},           {"steps", steps},
                                 {"d_loss", sum.d_loss / n}, {"g_loss", sum.g_loss / n},
                                 {"d_real", sum.d_real / n}, {"d_fake", sum.d_fake / n}};
        if (toy) {
            // A separate generator, so that the figure does not change the run's random stream.
            Generator eval_gen(c.seed + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(epoch));
            const Tensor samples = sample_generator(*G, 1000, c.latent, eval_gen);
            record["energy_distance"] =
                gen::energy_distance(samples, gen::sample_toy(c.data, 1000, eval_gen));
        }
        record["seconds"] = std::chrono::duration<double>(Clock::now() - epoch_start).count();

        io::NamedTensors model = io::prefixed(G->state(), "generator.");
        for (auto& entry : io::prefixed(D->state(), "discriminator.")) model.push_back(entry);
        run.save(epoch, "gan", model,
                 {{"generator.", G->state()},
                  {"discriminator.", D->state()},
                  {"optimizer_g.", opt_g.state()},
                  {"optimizer_d.", opt_d.state()}},
                 gen);
        run.log(record);
        write_samples_png(run.path("samples.png"), *G, c);
        if (!o.quiet) {
            std::fprintf(o.log,
                         "epoch %lld/%lld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f",
                         static_cast<long long>(epoch), static_cast<long long>(c.epochs),
                         record["d_loss"].get<double>(), record["g_loss"].get<double>(),
                         record["d_real"].get<double>(), record["d_fake"].get<double>());
            if (toy)
                std::fprintf(o.log, "  energy distance %.5f",
                             record["energy_distance"].get<double>());
            std::fprintf(o.log, "  %.1f s\n", record["seconds"].get<double>());
            std::fflush(o.log);
        }
        result.epochs = epoch;
        result.last = record;
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

}  // namespace gibbs::gan
