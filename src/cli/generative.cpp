// `gibbs sample` and `gibbs eval` for generative models (src/cli/generative.hpp).
#include "cli/generative.hpp"

#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/quality.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/io/file.hpp"
#include "gibbs/io/png.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/train/config.hpp"

namespace gibbs::cli {

std::map<std::string, GenerativeLoader>& generative_registry() {
    static std::map<std::string, GenerativeLoader> registry;
    return registry;
}

std::unique_ptr<gen::GenerativeModel> load_generative(const std::string& path) {
    // The metadata first: other files (RBMs, Ising configurations) may hold integer tensors.
    const io::SafetensorsFile f = io::read_safetensors(path);
    const auto it = f.metadata.find("gibbs.model");
    if (it == f.metadata.end()) return nullptr;
    const auto loader = generative_registry().find(it->second);
    if (loader == generative_registry().end()) return nullptr;
    return loader->second(io::load_checkpoint(path));
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void write_csv(const std::string& path, const Tensor& x) {
    const Tensor f = x.to(DType::f64).contiguous();
    const int64_t n = f.size(0), d = f.numel() / std::max<int64_t>(n, 1);
    std::string text;
    for (int64_t j = 0; j < d; ++j) text += (j ? ",x" : "x") + std::to_string(j);
    text += "\n";
    char buf[32];
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < d; ++j) {
            std::snprintf(buf, sizeof buf, "%s%.9g", j ? "," : "", f.data<double>()[i * d + j]);
            text += buf;
        }
        text += "\n";
    }
    io::write_file_atomic(path, text);
}

}  // namespace

void run_generative_sample(gen::GenerativeModel& model, const GenerativeSampleOptions& o) {
    check(!o.out.empty(), "sample: --out FILE is required (.png, .csv or .safetensors)");
    check(o.n >= 1, "sample: --n must be >= 1, got ", o.n);
    check(o.cols >= 1, "sample: --cols must be >= 1, got ", o.cols);
    const int64_t K = model.classes();
    check(o.sample.label < 0 || K > 0, "sample: --label ", o.sample.label,
          " needs a class-conditional model; ", model.describe(), " is unconditional");
    check(o.sample.label < K, "sample: --label ", o.sample.label, " is not a class of ",
          model.describe(), " (0..", K - 1, ")");
    // A class-conditional model without --label: --n rounded up to a multiple of the K classes,
    // drawn in class order (the model's label −1), one grid row per class.
    const bool by_class = K > 0 && o.sample.label < 0;
    const int64_t n = by_class ? (o.n + K - 1) / K * K : o.n;
    const int64_t cols = by_class ? n / K : o.cols;
    Generator gen(o.seed);
    Tensor x;
    {
        NoGradGuard no_grad;
        x = model.sample(n, gen, o.sample).to(DType::f32).contiguous();
    }
    if (ends_with(o.out, ".csv")) {
        write_csv(o.out, x);
    } else if (ends_with(o.out, ".safetensors")) {
        io::save_checkpoint(o.out, {{"samples", x}},
                            {{"gibbs.model", model.kind()}, {"source", o.model}});
    } else if (x.dim() == 2 && x.size(1) == 2) {
        gen::write_scatter_png(o.out, x);
    } else {
        check(x.dim() == 4, model.describe(), ": samples of shape ", x.shape(),
              " are not images; write them with --out FILE.csv");
        io::write_png_grid(o.out, x.data<float>(), x.size(0), x.size(2), x.size(3),
                           static_cast<int>(x.size(1)), cols, 1);
    }
    std::printf("wrote %lld samples of %s to %s\n", static_cast<long long>(x.size(0)),
                model.describe().c_str(), o.out.c_str());
}

void run_generative_eval(gen::GenerativeModel& model, const GenerativeEvalOptions& o) {
    check(o.n >= 2, "eval: --n must be at least 2, got ", o.n);
    check(o.eval_n >= 0, "eval: --eval-n must not be negative, got ", o.eval_n);
    const std::string data = o.data.empty() ? model.data() : o.data;
    check(gen::is_image_data(data) == gen::is_image_data(model.data()), "eval: ", model.describe(),
          " was trained on ", model.data(), " and cannot be compared with ", data);
    Generator gen(o.seed);
    nlohmann::json j =
        gen::sample_quality(model, data, gen, {.n = o.n, .eval_n = o.eval_n, .sample = o.sample});
    j["path"] = o.model;
    if (o.json) {
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("%s on %s\n", model.describe().c_str(), data.c_str());
    for (const auto& [key, value] : j.items())
        if (key != "path" && key != "model" && key != "data")
            std::printf("  %-26s %s\n", key.c_str(), value.dump().c_str());
}

void check_resume_options(const CLI::App& sub, std::span<const char* const> allowed,
                          const std::string& command, const std::string& resume,
                          const std::string& out) {
    for (const CLI::Option* opt : sub.get_options()) {
        if (opt->count() == 0 || opt->get_name() == "--help") continue;
        bool ok = false;
        for (const char* name : allowed) ok |= opt->check_name(name);
        check(ok, command, ": ", opt->get_name(), " cannot change when resuming; the run in ",
              resume, " fixes it in config.json");
    }
    check(out.empty() ||
              std::filesystem::weakly_canonical(out) == std::filesystem::weakly_canonical(resume),
          command, ": --resume ", resume,
          " continues in that folder; leave out --out or give the same folder");
}

std::vector<int64_t> parse_layer_sizes(const std::string& text, const char* option) {
    check(!text.empty(), option, " must be positive integers separated by commas, got ''");
    return train::parse_sizes(text, option);
}

}  // namespace gibbs::cli
