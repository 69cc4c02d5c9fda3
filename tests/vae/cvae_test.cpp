// The class-conditional VAE: q(z|x, y) and p(x|z, y) with the one-hot label y joined to both
// networks. Gradients against finite differences in float64, the decoder's dependence on the
// label on a two-class data set with a known answer, the IWAE bound with labels, save and load,
// and `gibbs train vae --conditional`, `gibbs sample --label`, `gibbs eval` end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>

#include "common/run_cli.hpp"
#include "common/temp_dir.hpp"
#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/metrics.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/error.hpp"
#include "gibbs/vae/train.hpp"
#include "gibbs/vae/vae.hpp"

namespace gibbs::vae {
namespace {

using gibbs::test::run_cli;
using gibbs::testing::read_text;
using gibbs::testing::TempDir;
namespace fs = std::filesystem;

double mean_of(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

TEST(Cvae, OneHotRowsAndBadLabels) {
    const Tensor y = one_hot({2, 0, 1}, 3, DType::f64);
    EXPECT_EQ(y.shape(), (Shape{3, 3}));
    EXPECT_EQ(y.to_vector(), (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
    EXPECT_THROW(one_hot({3}, 3), Error);
    EXPECT_THROW(one_hot({-1}, 3), Error);
}

// ∂(loss)/∂θ of the conditional ELBO by backward against central differences, float64, fixed ε
// and labels, every parameter (the encoder's weights on y and the decoder's weights on y too).
void check_conditional_gradient(VaeOptions o, const Tensor& x, const Tensor& y) {
    Generator gen(6);
    o.dtype = DType::f64;
    o.generator = &gen;
    Vae vae(o);
    const Tensor eps = randn({x.size(0), o.latent}, gen, DType::f64);
    vae.zero_grad();
    vae.elbo_given(x, y, eps).loss.backward();
    const double h = 1e-6;
    int64_t checked = 0;
    for (auto& [name, p] : vae.named_parameters()) {
        const std::vector<double> analytic = p.grad().to_vector();
        double* v = p.data<double>();
        for (int64_t i = 0; i < p.numel(); ++i) {
            NoGradGuard no_grad;
            const double saved = v[i];
            v[i] = saved + h;
            const double plus = vae.elbo_given(x, y, eps).loss.item();
            v[i] = saved - h;
            const double minus = vae.elbo_given(x, y, eps).loss.item();
            v[i] = saved;
            const double numeric = (plus - minus) / (2 * h);
            EXPECT_NEAR(analytic[i], numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
                << name << "[" << i << "]";
            ++checked;
        }
    }
    EXPECT_EQ(checked, vae.parameter_count());
}

TEST(Cvae, ElboGradientMatchesFiniteDifferencesMlp) {
    Generator gen(8);
    check_conditional_gradient(
        {.input = {5}, .hidden = {4}, .latent = 2, .beta = 0.7, .classes = 3},
        rand({4, 5}, gen, DType::f64), one_hot({0, 2, 1, 2}, 3, DType::f64));
}

TEST(Cvae, ElboGradientMatchesFiniteDifferencesGaussianAndConv) {
    Generator gen(9);
    check_conditional_gradient({.input = {2},
                                .hidden = {4, 3},
                                .latent = 2,
                                .likelihood = Likelihood::gaussian,
                                .classes = 2},
                               randn({3, 2}, gen, DType::f64), one_hot({1, 0, 1}, 2, DType::f64));
    check_conditional_gradient({.input = {1, 4, 4},
                                .arch = Arch::conv,
                                .hidden = {3},
                                .channels = {2, 2},
                                .latent = 2,
                                .classes = 2},
                               rand({2, 1, 4, 4}, gen, DType::f64), one_hot({1, 0}, 2, DType::f64));
}

// The decoder through its join [z, y], by gradcheck with respect to z.
TEST(Cvae, DecoderGradientInZ) {
    Generator gen(10);
    Vae vae({.input = {6},
             .hidden = {5},
             .latent = 3,
             .classes = 4,
             .dtype = DType::f64,
             .generator = &gen});
    const Tensor y = one_hot({3, 1}, 4, DType::f64);
    const auto r =
        autograd::gradcheck([&](const std::vector<Tensor>& in) { return vae.decode(in[0], y); },
                            {randn({2, 3}, gen, DType::f64)});
    EXPECT_TRUE(r.ok) << r.message;
}

// With k = 1 the importance weight is the one-sample ELBO estimate, and the bound given the
// true label y differs from the bound given another label (the networks read y).
TEST(Cvae, ImportanceWeightsUseTheLabels) {
    Generator gen(2);
    Vae vae({.input = {5},
             .hidden = {6},
             .latent = 3,
             .classes = 2,
             .dtype = DType::f64,
             .generator = &gen});
    const Tensor x = rand({4, 5}, gen, DType::f64);
    const Tensor y = one_hot({0, 1, 1, 0}, 2, DType::f64),
                 other = one_hot({1, 0, 0, 1}, 2, DType::f64);
    const Tensor eps = randn({1, 4, 3}, gen, DType::f64);
    const std::vector<double> lw = vae.log_weights_given(x, y, eps).to_vector();
    NoGradGuard no_grad;
    const auto [mu, logvar] = vae.encode(x, y);
    const Tensor e = eps.reshape({4, 3});
    const Tensor z = mu + exp(logvar * 0.5) * e;
    const std::vector<double> lpx = vae.log_likelihood(x, vae.decode(z, y)).to_vector();
    for (int64_t n = 0; n < 4; ++n) {
        double log_pz_over_q = 0;  // the log 2π terms cancel
        for (int64_t l = 0; l < 3; ++l)
            log_pz_over_q += -0.5 * z.at({n, l}) * z.at({n, l}) +
                             0.5 * e.at({n, l}) * e.at({n, l}) + 0.5 * logvar.at({n, l});
        EXPECT_NEAR(lw[n], lpx[n] + log_pz_over_q, 1e-10) << "example " << n;
    }
    const std::vector<double> lw_other = vae.log_weights_given(x, other, eps).to_vector();
    for (int64_t n = 0; n < 4; ++n) EXPECT_GT(std::abs(lw[n] - lw_other[n]), 1e-6);
    // Missing or misshapen labels are errors that name the shape.
    EXPECT_THROW(vae.log_weights(x, eps), Error);
    EXPECT_THROW(vae.encode(x, one_hot({0, 1}, 2, DType::f64)), Error);
    EXPECT_THROW(vae.sample_means(3, gen), Error);
}

// A two-class data set with a known answer: class 0 images all 0, class 1 images all 1. After a
// few hundred Adam steps the conditional decoder's mean at z ~ N(0, I) is ≈ 0 for y = 0 and ≈ 1
// for y = 1; an unconditional VAE cannot tell which class to draw.
TEST(Cvae, SamplesFollowTheLabelOnATwoClassSet) {
    Generator gen(4);
    const int64_t N = 64, D = 16;
    std::vector<int64_t> labels(N);
    std::vector<double> pixels(N * D);
    for (int64_t n = 0; n < N; ++n) {
        labels[n] = n % 2;
        for (int64_t d = 0; d < D; ++d) pixels[n * D + d] = static_cast<double>(labels[n]);
    }
    const Tensor x = Tensor::from(pixels, {N, D}, DType::f32);
    const Tensor y = one_hot(labels, 2);
    Vae vae({.input = {D}, .hidden = {16}, .latent = 2, .classes = 2, .generator = &gen});
    optim::Adam opt(vae.parameters(), {.lr = 1e-2});
    for (int step = 0; step < 300; ++step) {
        const ElboTerms t = vae.elbo_given(x, y, gen);
        opt.zero_grad();
        t.loss.backward();
        opt.step();
    }
    for (int64_t k : {0, 1}) {
        const Tensor s = vae.sample_means_given(one_hot(std::vector<int64_t>(200, k), 2), gen);
        const double m = mean_of(s.to_vector());
        EXPECT_NEAR(m, static_cast<double>(k), 0.05) << "class " << k;
    }
}

TEST(Cvae, SaveAndLoadGiveTheSameModel) {
    TempDir tmp;
    Generator a(1), b(2);
    const VaeOptions o{.input = {1, 28, 28},
                       .arch = Arch::conv,
                       .hidden = {8},
                       .channels = {2, 4},
                       .latent = 3,
                       .classes = 10};
    VaeOptions oa = o, ob = o;
    oa.generator = &a;
    ob.generator = &b;
    Vae saved(oa), loaded(ob);
    io::save_checkpoint(tmp.file("m.safetensors"), saved.state(), {});
    io::load_module_state(loaded, io::load_checkpoint(tmp.file("m.safetensors")).tensors,
                          "m.safetensors");
    NoGradGuard no_grad;
    Generator g(3);
    const Tensor z = randn({4, 3}, g), y = one_hot({0, 3, 9, 9}, 10);
    EXPECT_EQ(saved.decode(z, y).to_vector(), loaded.decode(z, y).to_vector());
    const Tensor x = rand({4, 1, 28, 28}, g);
    EXPECT_EQ(saved.encode(x, y).mu.to_vector(), loaded.encode(x, y).mu.to_vector());
    // An unconditional VAE of the same sizes does not take these tensors.
    Vae plain(
        {.input = {1, 28, 28}, .arch = Arch::conv, .hidden = {8}, .channels = {2, 4}, .latent = 3});
    EXPECT_THROW(
        io::load_module_state(plain, io::load_checkpoint(tmp.file("m.safetensors")).tensors,
                              "m.safetensors"),
        Error);
}

const std::string kTiny =
    "train vae --data fashion-mnist --conditional --limit 512 --test-limit 200 --hidden 32 "
    "--latent 2 --batch 64 --threads 1 --seed 3 --quiet";

TEST(CvaeCli, TrainsResumesSamplesByClassAndEvaluates) {
    TempDir tmp;
    const std::string a = tmp.file("a"), b = tmp.file("b");
    auto r = run_cli(kTiny + " --epochs 2 --iw-samples 10 --out " + a);
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json c = nlohmann::json::parse(read_text(a + "/config.json"));
    EXPECT_EQ(c.at("conditional"), true);
    const io::Checkpoint ck = io::load_checkpoint(a + "/model.safetensors");
    EXPECT_EQ(nlohmann::json::parse(ck.metadata.at("gibbs.config")).at("conditional"), true);
    const auto records = io::read_metrics(a + "/metrics.jsonl");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_GT(records[1].at("log_likelihood_iw").get<double>(),
              records[1].at("test_elbo").get<double>() - 1.0);

    // One epoch, then --resume to two: the same bytes as the uninterrupted run.
    r = run_cli(kTiny + " --epochs 1 --iw-samples 10 --out " + b);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("train vae --resume " + b + " --epochs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(read_text(a + "/model.safetensors"), read_text(b + "/model.safetensors"));
    EXPECT_EQ(read_text(a + "/checkpoint.safetensors"), read_text(b + "/checkpoint.safetensors"));

    // The model through the generative interface: 10 classes, --label picks the decoder's y.
    const auto model = load_vae(ck);
    EXPECT_EQ(model->classes(), 10);
    EXPECT_NE(model->describe().find("conditional"), std::string::npos);
    Generator g1(5), g2(5);
    gen::SampleOptions three, seven;
    three.label = 3;
    seven.label = 7;
    const Tensor s3 = model->sample(4, g1, three);
    EXPECT_EQ(s3.shape(), (Shape{4, 1, 28, 28}));
    const Tensor direct =
        model->vae().sample_means_given(one_hot({3, 3, 3, 3}, 10), g2).reshape({4, 1, 28, 28});
    EXPECT_EQ(s3.to_vector(), direct.to_vector());
    Generator g3(5);
    EXPECT_NE(model->sample(4, g3, seven).to_vector(), s3.to_vector());

    // gibbs sample: one class, or one grid row per class (--n rounded up to 10 per row).
    r = run_cli("sample --model " + a + "/model.safetensors --n 6 --label 3 --out " +
                tmp.file("three.png"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_TRUE(fs::exists(tmp.file("three.png")));
    r = run_cli("sample --model " + a + "/model.safetensors --n 64 --out " + tmp.file("all.png"));
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_NE(r.text.find("wrote 70 samples"), std::string::npos) << r.text;
    r = run_cli("sample --model " + a + "/model.safetensors --label 10 --out " +
                tmp.file("bad.png"));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--label 10"), std::string::npos) << r.text;
    EXPECT_FALSE(fs::exists(tmp.file("bad.png")));

    // gibbs eval: the reference classifier's accuracy on samples drawn class by class (only
    // where the build's cache holds the reference classifier: building it takes minutes).
    if (!fs::exists(gen::reference_path())) GTEST_SKIP() << "no reference classifier cached";
    r = run_cli("eval --model " + a + "/model.safetensors --json --n 200 --eval-n 100 --steps 10");
    ASSERT_EQ(r.status, 0) << r.text;
    const nlohmann::json j = nlohmann::json::parse(r.text.substr(r.text.find('{')));
    EXPECT_EQ(j.at("conditional"), true);
    EXPECT_EQ(j.at("samples"), 200);
    const double acc = j.at("classifier_accuracy");
    EXPECT_GE(acc, 0.0);
    EXPECT_LE(acc, 1.0);
    EXPECT_GT(j.at("frechet_distance").get<double>(), 0.0);
    EXPECT_GT(j.at("log_likelihood_iw").get<double>(), j.at("elbo").get<double>() - 1.0);
}

TEST(CvaeCli, LabelsOnAnUnconditionalModelAndToysAreErrors) {
    TempDir tmp;
    const std::string plain = tmp.file("plain");
    auto r = run_cli(
        "train vae --data fashion-mnist --limit 256 --test-limit 100 --hidden 16 --latent 2 "
        "--epochs 1 --threads 1 --quiet --out " +
        plain);
    ASSERT_EQ(r.status, 0) << r.text;
    r = run_cli("sample --model " + plain + "/model.safetensors --label 2 --out " +
                tmp.file("s.png"));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("needs a class-conditional model"), std::string::npos) << r.text;
    EXPECT_FALSE(fs::exists(tmp.file("s.png")));

    const std::string toy = tmp.file("toy");
    r = run_cli("train vae --data moons --conditional --epochs 1 --quiet --out " + toy);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.text.find("--conditional needs labelled data"), std::string::npos) << r.text;
    EXPECT_FALSE(fs::exists(toy));
}

}  // namespace
}  // namespace gibbs::vae
