// The reference classifier of Fréchet distances on Fashion-MNIST: training, the cached file with
// its checksum, and features and labels of image sets (gibbs/gen/frechet.hpp).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/data/loader.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

namespace fs = std::filesystem;

// x (N, 1, 28, 28) → [conv 3×3 → ReLU → maxpool 2] per entry of channels → flatten →
// Linear (F) → ReLU = f (N, F) → Linear (10) = logits. Tensor names "features.0.weight", ...,
// "head.weight", "head.bias".
struct ReferenceClassifier::Net : nn::Module {
    std::shared_ptr<nn::Sequential> features;
    std::shared_ptr<nn::Linear> head;

    Net(const ReferenceSettings& s, Generator& gen) {
        features = register_module("features", std::make_shared<nn::Sequential>());
        int64_t c = 1, side = 28;
        for (int64_t ch : s.channels) {
            features->push_back(std::make_shared<nn::Conv2d>(
                c, ch, 3, nn::Conv2dOptions{.padding = 1, .generator = &gen}));
            features->push_back(std::make_shared<nn::ReLU>());
            features->push_back(std::make_shared<nn::MaxPool2d>(2));
            c = ch;
            side /= 2;
        }
        features->push_back(std::make_shared<nn::Flatten>());
        features->push_back(std::make_shared<nn::Linear>(c * side * side, s.features,
                                                         nn::LinearOptions{.generator = &gen}));
        features->push_back(std::make_shared<nn::ReLU>());
        head = register_module("head", std::make_shared<nn::Linear>(
                                           s.features, 10, nn::LinearOptions{.generator = &gen}));
    }
    Tensor forward(const Tensor& x) override { return (*head)((*features)(x)); }
};

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kClasses = 10;
constexpr int64_t kForwardBatch = 500;

void validate(const ReferenceSettings& s) {
    check(!s.channels.empty() && s.channels.size() <= 3,
          "reference classifier: give 1 to 3 conv blocks, got ", s.channels.size());
    for (int64_t ch : s.channels)
        check(ch >= 1, "reference classifier: channels must be positive, got ", ch);
    check(s.features >= 1 && s.epochs >= 1 && s.batch >= 1 && s.lr > 0 && s.train_examples >= 0,
          "reference classifier: features, epochs, batch and lr must be positive and "
          "train_examples not negative");
}

nlohmann::json to_json(const ReferenceSettings& s) {
    return {{"channels", s.channels},
            {"features", s.features},
            {"epochs", s.epochs},
            {"batch", s.batch},
            {"lr", s.lr},
            {"seed", s.seed},
            {"train_examples", s.train_examples}};
}

ReferenceSettings settings_from_json(const std::string& text, const std::string& path) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    ReferenceSettings s;
    try {
        check(j.is_object(), "not a JSON object");
        s.channels = j.at("channels").get<std::vector<int64_t>>();
        s.features = j.at("features").get<int64_t>();
        s.epochs = j.at("epochs").get<int64_t>();
        s.batch = j.at("batch").get<int64_t>();
        s.lr = j.at("lr").get<double>();
        s.seed = j.at("seed").get<uint64_t>();
        s.train_examples = j.at("train_examples").get<int64_t>();
        validate(s);
    } catch (const std::exception& e) {
        fail(path, ": the reference classifier's settings metadata is malformed (", e.what(),
             "); delete the file and it will be rebuilt");
    }
    return s;
}

// FNV-1a, 64 bits (Fowler, Noll & Vo): h ← (h ⊕ byte) · 1099511628211 from 14695981039346656037.
struct Fnv1a {
    uint64_t h = 14695981039346656037ull;
    void add(const void* data, size_t bytes) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
    }
};

// The images as a contiguous float32 (n, 1, 28, 28) tensor, checked.
Tensor as_images(const Tensor& images) {
    const bool ok = (images.dim() == 4 && images.size(1) == 1 && images.size(2) == 28 &&
                     images.size(3) == 28) ||
                    (images.dim() == 2 && images.size(1) == 784);
    check(ok, "reference classifier: images must be (n, 1, 28, 28) or (n, 784), got ",
          images.shape());
    const Tensor x = images.to(DType::f32).contiguous().reshape({images.size(0), 1, 28, 28});
    const float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i)
        check(std::isfinite(p[i]), "reference classifier: image ", i / 784, " of ", x.size(0),
              " holds a pixel that is not finite");
    return x;
}

data::TensorDataset fashion_mnist(data::Split split, int64_t n) {
    const data::LabeledImages raw = data::load_fashion_mnist(split);
    data::TensorDataset d = data::images_dataset(raw.images, raw.labels, kClasses, false);
    return n > 0 && n < d.size() ? d.head(n) : d;
}

// Sets the OpenMP thread count for a scope.
struct ThreadScope {
    int before = omp_get_max_threads();
    explicit ThreadScope(int threads) { omp_set_num_threads(threads); }
    ~ThreadScope() { omp_set_num_threads(before); }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;
};

std::string format_double(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

const std::string kDeleteHint = "; delete the file and it will be rebuilt on the next use";

}  // namespace

std::string describe(const ReferenceSettings& s) {
    std::string ch;
    for (int64_t c : s.channels) ch.append(ch.empty() ? "" : ",").append(std::to_string(c));
    return cat("CNN ", ch, "-", s.features, ", ", s.epochs, " epochs of Adam (lr ", s.lr,
               ", batch ", s.batch, ") on ",
               s.train_examples > 0 ? std::to_string(s.train_examples) : std::string("60000"),
               " images, seed ", s.seed);
}

ReferenceClassifier ReferenceClassifier::build(const ReferenceSettings& s) {
    validate(s);
    const auto start = Clock::now();
    ThreadScope one_thread(1);
    Generator master(s.seed);
    Generator init = master.split();
    const uint64_t shuffle_seed = master.split().next();

    ReferenceClassifier r;
    r.settings_ = s;
    r.net_ = std::make_shared<Net>(s, init);
    Net& net = *r.net_;
    const data::TensorDataset train = fashion_mnist(data::Split::kTrain, s.train_examples);
    data::DataLoader loader(train, {.batch_size = s.batch, .shuffle = true, .seed = shuffle_seed});
    optim::Adam opt(net.parameters(), {.lr = s.lr});
    // η(t) = η₀ (1 + cos(π t / T)) / 2 over the T steps of the run.
    optim::CosineAnnealingLr schedule(opt, {.t_max = s.epochs * loader.batches_per_epoch()});
    net.train();
    for (int64_t epoch = 1; epoch <= s.epochs; ++epoch) {
        int64_t step = 0;
        for (const data::Batch& b : loader.epoch()) {
            ++step;
            const Tensor loss = nn::cross_entropy(net(b.x), b.labels);
            check(std::isfinite(loss.item()), "reference classifier: the loss is ", loss.item(),
                  " at epoch ", epoch, ", step ", step, " (", gen::describe(s), ")");
            opt.zero_grad();
            loss.backward();
            opt.step();
            schedule.step();
        }
    }
    net.eval();
    const data::TensorDataset test = fashion_mnist(data::Split::kTest, 0);
    r.test_accuracy_ = r.accuracy(test.x, test.labels);
    r.build_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
}

std::string ReferenceClassifier::checksum() const {
    Fnv1a h;
    for (const auto& [name, t] : net_->state()) {
        const Tensor c = t.contiguous();
        h.add(name.data(), name.size() + 1);  // with its terminating 0
        for (int64_t d : c.shape()) h.add(&d, sizeof d);
        h.add(c.raw_data(), static_cast<size_t>(c.numel()) * itemsize(c.dtype()));
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(h.h));
    return buf;
}

std::string ReferenceClassifier::describe() const {
    char acc[32];
    std::snprintf(acc, sizeof acc, "%.4f", test_accuracy_);
    return cat("reference classifier ", kReferenceVersion, ": ", gen::describe(settings_),
               "; test accuracy ", acc);
}

void ReferenceClassifier::save(const std::string& path) const {
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) {
        std::error_code ec;
        fs::create_directories(parent, ec);
        check(!ec && fs::is_directory(parent), path, ": cannot create the folder ", parent.string(),
              ": ", ec.message());
    }
    io::save_checkpoint(path, net_->state(),
                        {{"gibbs.reference", kReferenceVersion},
                         {"gibbs.reference.settings", to_json(settings_).dump()},
                         {"gibbs.reference.test_accuracy", format_double(test_accuracy_)},
                         {"gibbs.reference.build_seconds", format_double(build_seconds_)},
                         {"gibbs.reference.checksum", checksum()}});
}

ReferenceClassifier ReferenceClassifier::load(const std::string& path) {
    io::Checkpoint ck;
    try {
        ck = io::load_checkpoint(path);
    } catch (const Error& e) {
        fail(e.what(), kDeleteHint);
    }
    const auto meta = [&](const std::string& key) -> std::string {
        const auto it = ck.metadata.find(key);
        check(it != ck.metadata.end(), path, ": no \"", key,
              "\" metadata: not a reference classifier saved by gibbs", kDeleteHint);
        return it->second;
    };
    const std::string version = meta("gibbs.reference");
    check(version == kReferenceVersion, path, ": a reference classifier of version ", version,
          ", this gibbs uses ", kReferenceVersion, kDeleteHint);
    ReferenceClassifier r;
    r.settings_ = settings_from_json(meta("gibbs.reference.settings"), path);
    Generator unused(0);
    r.net_ = std::make_shared<Net>(r.settings_, unused);
    try {
        io::load_module_state(*r.net_, ck.tensors, path);
    } catch (const Error& e) {
        fail(e.what(), kDeleteHint);
    }
    r.net_->eval();
    const std::string expected = meta("gibbs.reference.checksum");
    check(r.checksum() == expected, path, ": the tensors' checksum ", r.checksum(),
          " differs from the recorded ", expected, ": the file is corrupted or was edited",
          kDeleteHint);
    try {
        r.test_accuracy_ = std::stod(meta("gibbs.reference.test_accuracy"));
        r.build_seconds_ = std::stod(meta("gibbs.reference.build_seconds"));
    } catch (const std::logic_error&) {
        fail(path, ": the test accuracy or build time metadata is not a number", kDeleteHint);
    }
    return r;
}

void ReferenceClassifier::forward(const Tensor& images, Tensor* features, Tensor* logits) const {
    const Tensor x = as_images(images);  // (n, 1, 28, 28)
    const int64_t n = x.size(0), F = settings_.features;
    if (features) *features = Tensor::empty({n, F});
    if (logits) *logits = Tensor::empty({n, kClasses});
    NoGradGuard no_grad;
    const bool was_training = net_->is_training();
    net_->eval();
    for (int64_t start = 0; start < n; start += kForwardBatch) {
        const int64_t b = std::min(kForwardBatch, n - start);
        const Tensor f = (*net_->features)(x.narrow(0, start, b));  // (b, F)
        if (features) features->narrow(0, start, b).copy_(f);
        if (logits) logits->narrow(0, start, b).copy_((*net_->head)(f));
    }
    net_->train(was_training);
}

Tensor ReferenceClassifier::features(const Tensor& images) const {
    Tensor f;
    forward(images, &f, nullptr);
    return f.to(DType::f64);
}

std::vector<int64_t> ReferenceClassifier::predict(const Tensor& images) const {
    Tensor logits;
    forward(images, nullptr, &logits);
    const float* p = logits.data<float>();
    std::vector<int64_t> labels(logits.size(0));
    for (size_t i = 0; i < labels.size(); ++i)
        labels[i] = std::max_element(p + i * kClasses, p + (i + 1) * kClasses) - (p + i * kClasses);
    return labels;
}

double ReferenceClassifier::accuracy(const Tensor& images,
                                     const std::vector<int64_t>& labels) const {
    check(images.dim() >= 1 && images.size(0) == static_cast<int64_t>(labels.size()),
          "reference classifier: ", labels.size(), " labels for images ", images.shape());
    check(!labels.empty(), "reference classifier: the accuracy of no images");
    const std::vector<int64_t> guess = predict(images);
    int64_t correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) correct += guess[i] == labels[i];
    return static_cast<double>(correct) / static_cast<double>(labels.size());
}

GaussianMoments ReferenceClassifier::moments(const Tensor& images) const {
    return gaussian_moments(features(images));
}

double ReferenceClassifier::frechet_distance(const Tensor& images_a, const Tensor& images_b) const {
    return gen::frechet_distance(moments(images_a), moments(images_b));
}

std::string cache_dir() {
    const auto env = [](const char* name) -> std::string {
        const char* v = std::getenv(name);
        return v ? v : "";
    };
    if (const std::string d = env("GIBBS_CACHE_DIR"); !d.empty()) return d;
    if (const std::string d = env("XDG_CACHE_HOME"); !d.empty())
        return (fs::path(d) / "gibbs").string();
    const std::string home = env("HOME");
    check(!home.empty(),
          "the gibbs cache folder: set GIBBS_CACHE_DIR (neither XDG_CACHE_HOME nor HOME is set)");
    return (fs::path(home) / ".cache" / "gibbs").string();
}

std::string reference_path() {
    return (fs::path(cache_dir()) /
            (std::string("reference-") + kReferenceVersion + ".safetensors"))
        .string();
}

ReferenceClassifier load_or_build_reference(const ReferenceSettings& settings,
                                            const std::string& path_or_default, std::FILE* log) {
    const std::string path = path_or_default.empty() ? reference_path() : path_or_default;
    if (fs::exists(path)) {
        ReferenceClassifier r = ReferenceClassifier::load(path);
        check(r.settings() == settings, path, ": the reference classifier there was built as ",
              describe(r.settings()), ", not as ", describe(settings), kDeleteHint);
        return r;
    }
    if (log) {
        std::fprintf(log,
                     "gibbs: building the reference classifier for Fréchet distances (%s, one "
                     "thread%s), saving it to %s\n",
                     describe(settings).c_str(),
                     settings == ReferenceSettings{} ? "; about a minute on an idle core" : "",
                     path.c_str());
        std::fflush(log);
    }
    ReferenceClassifier r = ReferenceClassifier::build(settings);
    r.save(path);
    if (log) {
        std::fprintf(log, "gibbs: reference classifier built in %.1f s, test accuracy %.4f\n",
                     r.build_seconds(), r.test_accuracy());
        std::fflush(log);
    }
    return r;
}

}  // namespace gibbs::gen
