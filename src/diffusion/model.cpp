// The diffusion model behind `gibbs sample` and `gibbs eval` (gibbs/diffusion/ddpm.hpp): the
// configuration, the denoiser factory, sampling and the bound in the data's own layout.
#include <cstdio>
#include <string>

#include "gibbs/diffusion/ddpm.hpp"
#include "gibbs/diffusion/mlp_denoiser.hpp"
#include "gibbs/diffusion/unet.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {

std::shared_ptr<Denoiser> make_denoiser(const nlohmann::json& c, Generator& gen) {
    const std::string kind = c.value("denoiser", "mlp");
    if (kind == "mlp") {
        int64_t dim = 1;
        for (int64_t d : c.at("shape").get<std::vector<int64_t>>()) dim *= d;
        return std::make_shared<MlpDenoiser>(
            MlpDenoiserOptions{.dim = dim,
                               .embedding = c.value("embedding", int64_t{16}),
                               .hidden = c.value("hidden", std::vector<int64_t>{128, 128, 128})},
            gen);
    }
    if (kind == "unet") {  // --channels 32,64,64: base 32, multipliers 1, 2, 2 (unet.hpp)
        const auto shape = c.at("shape").get<std::vector<int64_t>>();
        check(shape.size() == 3, "--denoiser unet needs images (channels, height, width); --data ",
              c.value("data", std::string("?")), " has points of ",
              shape.size() == 1 ? shape[0] : 0, " values: use --denoiser mlp");
        UNetOptions o =
            unet_options_for_channels(c.at("channels").get<std::vector<int64_t>>(), shape.at(0));
        o.generator = &gen;
        return std::make_shared<UNet>(o);
    }
    fail("--denoiser ", kind, " is not built into this gibbs (known: mlp, unet)");
}

nlohmann::json complete_config(nlohmann::json c) {
    check(c.contains("data"), "train ddpm: give --data (", "a toy name or fashion-mnist)");
    const std::string data = c.at("data");
    gen::check_data_name(data);
    const bool images = gen::is_image_data(data);
    c["model"] = "ddpm";
    c["shape"] = images ? std::vector<int64_t>{1, 28, 28} : std::vector<int64_t>{2};
    const auto positive = [&](const char* key, const char* option) {
        check(c.at(key).get<double>() > 0, "train ddpm: ", option, " must be positive, got ",
              c.at(key).dump());
    };
    positive("T", "--steps");
    positive("epochs", "--epochs");
    positive("batch", "--batch");
    positive("lr", "--lr");
    positive("embedding", "--embedding");
    check(c.at("embedding").get<int64_t>() % 2 == 0, "train ddpm: --embedding must be even, got ",
          c.at("embedding").get<int64_t>());
    const double ema = c.at("ema");
    check(ema >= 0 && ema < 1, "train ddpm: --ema must be in [0, 1), got ", ema);
    check(images || c.at("train_size").get<int64_t>() >= 1,
          "train ddpm: --train-size must be positive, got ", c.at("train_size").dump());
    check(c.at("limit").get<int64_t>() >= 0, "train ddpm: --limit must not be negative");
    (void)NoiseSchedule::make(c.at("schedule"), c.at("T"));
    const std::string kind = c.at("denoiser");
    check(kind == "mlp" || kind == "unet", "train ddpm: --denoiser must be mlp or unet, got '",
          kind, "'");
    for (int64_t h : c.at("hidden").get<std::vector<int64_t>>())
        check(h >= 1, "train ddpm: --hidden widths must be positive, got ", h);
    return c;
}

DdpmModel::DdpmModel(nlohmann::json config, std::shared_ptr<Denoiser> net)
    : config_(std::move(config)),
      net_(std::move(net)),
      schedule_(NoiseSchedule::make(config_.at("schedule"), config_.at("T"))) {}

std::unique_ptr<DdpmModel> DdpmModel::load(const io::Checkpoint& checkpoint) {
    const nlohmann::json c = gen::generative_config(checkpoint, "ddpm");
    Generator gen(0);
    std::shared_ptr<Denoiser> net = make_denoiser(c, gen);
    io::load_module_state(*net, checkpoint.tensors, checkpoint.path);
    net->eval();
    return std::make_unique<DdpmModel>(c, net);
}

bool DdpmModel::images() const { return gen::is_image_data(data()); }

std::string DdpmModel::describe() const {
    std::string net = config_.value("denoiser", "mlp");
    if (net == "mlp") {
        net = "MLP";
        for (int64_t h : config_.at("hidden").get<std::vector<int64_t>>())
            net += (net == "MLP" ? " " : "-") + std::to_string(h);
    }
    return "DDPM on " + data() + ", " + schedule_.name() +
           " schedule, T = " + std::to_string(schedule_.T()) + ", " + net + " denoiser";
}

Tensor DdpmModel::sample(int64_t n, Generator& gen, const gen::SampleOptions& o) {
    const Shape shape(config_.at("shape").get<std::vector<int64_t>>());
    const SamplerOptions so{.sampler = o.sampler.empty() ? "ddpm" : o.sampler,
                            .steps = o.steps,
                            .eta = o.eta,
                            .clip = images() ? 1.0 : 0.0};
    Tensor x = diffusion::sample(*net_, schedule_, shape, n, gen, so);
    if (!images()) return x;
    // [−1, 1] -> [0, 1].
    float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) p[i] = std::clamp(0.5f * (p[i] + 1.0f), 0.0f, 1.0f);
    return x;
}

nlohmann::json DdpmModel::evaluate(const Tensor& x, Generator& gen, const gen::SampleOptions& o) {
    Tensor x0 = x.to(DType::f64).contiguous();
    if (images()) {
        // Pixels k/255 -> 2k/255 − 1, the grid of the discretized decoder.
        double* p = x0.data<double>();
        for (int64_t i = 0; i < x0.numel(); ++i) p[i] = std::round(p[i] * 255) / 127.5 - 1;
    }
    const bool tilde = o.sampler == "ddpm-tilde";
    // Toys: every t of every example; images: 4 random t per example (a U-Net evaluation each).
    const BoundResult b = variational_bound(*net_, schedule_, x0, gen,
                                            {.tilde_variance = tilde,
                                             .discrete = images(),
                                             .t_samples = images() ? 4 : 0,
                                             .batch = images() ? 256 : 4096});
    nlohmann::json j = {{"bound_nats", b.nats},
                        {"bound_nats_se", b.nats_se},
                        {"prior_nats", b.prior},
                        {"bound_method", b.method},
                        {"bound_variance", tilde ? "beta_tilde" : "beta"},
                        {"bound_examples", b.examples}};
    if (b.method == "exact sum over t") j["decoder_nats"] = b.decoder;
    if (images()) {
        j["bits_per_dim"] = b.bits_per_dim;
        j["bits_per_dim_se"] = b.nats_se / (b.dims * std::log(2.0));
    } else {
        j["nll_bound_nats"] = b.nats;
    }
    return j;
}

}  // namespace gibbs::diffusion
