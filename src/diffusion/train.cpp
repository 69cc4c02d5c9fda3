// Training a diffusion model on L_simple with an EMA of the weights (gibbs/diffusion/ddpm.hpp).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/diffusion/ddpm.hpp"
#include "gibbs/diffusion/mlp_denoiser.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/io/progress.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {

namespace {

// The training examples in the model's space: a fixed set of toy draws (from the run's seed, so
// a resumed run sees the same set) or Fashion-MNIST scaled to [−1, 1].
Tensor training_data(const nlohmann::json& c) {
    const std::string data = c.at("data");
    Generator data_gen(c.at("seed").get<uint64_t>() ^ 0x9e3779b97f4a7c15ULL);
    if (!gen::is_image_data(data))
        return gen::generative_data(data, false, c.at("train_size"), data_gen).x.contiguous();
    Tensor x = gen::generative_data(data, false, c.at("limit"), data_gen).x.contiguous();
    float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) p[i] = 2 * p[i] - 1;
    return x;
}

}  // namespace

DdpmTrainResult train_ddpm(gen::GenerativeRun& run, bool quiet) {
    const nlohmann::json& c = run.config();
    const int threads = c.value("threads", 0);
    if (threads > 0) omp_set_num_threads(threads);
    const NoiseSchedule s = NoiseSchedule::make(c.at("schedule"), c.at("T"));
    const int64_t T = s.T(), epochs = c.at("epochs"), batch = c.at("batch");
    const double decay = c.at("ema");
    Generator gen(c.at("seed").get<uint64_t>());
    std::shared_ptr<Denoiser> net = make_denoiser(c, gen);
    std::shared_ptr<Denoiser> ema = make_denoiser(c, gen);
    const std::vector<Tensor> params = net->parameters();
    std::vector<Tensor> ema_params = ema->parameters();
    for (size_t i = 0; i < params.size(); ++i) ema_params[i].copy_(params[i]);
    optim::Adam opt(params, {.lr = c.at("lr").get<double>()});
    if (run.resumed()) {
        run.restore(*net, "model.");
        run.restore(*ema, "ema.");
        run.restore(opt, "optimizer.");
        gen.set_state(run.generator_state());
    }
    const Tensor X = training_data(c);  // (N, ...) float32
    const int64_t N = X.size(0), D = X.numel() / N;
    check(N >= 1, "train ddpm: no training examples");
    auto* fast = dynamic_cast<MlpDenoiser*>(net.get());
    const auto start = std::chrono::steady_clock::now();
    DdpmTrainResult result;
    for (int64_t epoch = run.epoch() + 1; epoch <= epochs; ++epoch) {
        const auto epoch_start = std::chrono::steady_clock::now();
        const std::vector<int64_t> perm = randperm(N, gen);
        const int64_t steps = (N + batch - 1) / batch;
        io::ProgressBar bar(
            steps, {.label = "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs),
                    .quiet = quiet});
        double loss_sum = 0;
        for (int64_t step = 0; step < steps; ++step) {
            const int64_t B = std::min(batch, N - step * batch);
            std::vector<int64_t> dims = {B};
            for (int k = 1; k < X.dim(); ++k) dims.push_back(X.size(k));
            const Shape shape(dims);
            // x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε with t ~ U{1..T}, ε ~ N(0, I), row by row.
            Tensor x_t = Tensor::empty(shape, DType::f32), eps = Tensor::empty(shape, DType::f32);
            Tensor t = Tensor::empty({B}, DType::f32);
            float *xp = x_t.data<float>(), *ep = eps.data<float>(), *tp = t.data<float>();
            const float* X0 = X.data<float>();
            // NOTE: the rows of X come in random order and mostly out of cache after the step's
            // GEMMs; prefetched a few rows ahead, their loads overlap.
            constexpr int64_t kAhead = 8;
            for (int64_t r = 0; r < std::min(B, kAhead); ++r)
                __builtin_prefetch(X0 + perm[step * batch + r] * D);
            for (int64_t r = 0; r < B; ++r) {
                if (r + kAhead < B) __builtin_prefetch(X0 + perm[step * batch + r + kAhead] * D);
                const int64_t tr = gen.integer(1, T + 1);
                tp[r] = static_cast<float>(tr);
                const double a = std::sqrt(s.alpha_bar(tr)), b = std::sqrt(1 - s.alpha_bar(tr));
                const float* x0 = X0 + perm[step * batch + r] * D;
                for (int64_t d = 0; d < D; ++d) {
                    const double e = gen.normal();
                    ep[r * D + d] = static_cast<float>(e);
                    xp[r * D + d] = static_cast<float>(a * x0[d] + b * e);
                }
            }
            double loss;
            if (fast != nullptr) {
                // The gradient and the optimizer's step in one pass. A non-finite loss stops the
                // run below before anything is saved, so stepping first loses nothing.
                loss = fast->simple_loss_backward(x_t, t, eps, &opt);
            } else {
                opt.zero_grad();
                const Tensor l = nn::mse_loss(net->predict(x_t, t), eps);
                l.backward();
                loss = l.item();
            }
            check(std::isfinite(loss), "train ddpm: the loss became ", loss, " at epoch ", epoch,
                  ", step ", step + 1, "; try a smaller --lr");
            if (fast == nullptr) opt.step();
            // θ_ema ← d θ_ema + (1 − d) θ.
            for (size_t i = 0; i < params.size(); ++i) {
                float* e = ema_params[i].data<float>();
                const float* p = params[i].data<float>();
                const float d = static_cast<float>(decay), d1 = static_cast<float>(1 - decay);
                const int64_t n = params[i].numel();
#pragma omp simd
                for (int64_t k = 0; k < n; ++k) e[k] = d * e[k] + d1 * p[k];
            }
            loss_sum += loss * static_cast<double>(B);
            bar.advance();
            if (bar.enabled()) {
                char text[48];
                std::snprintf(text, sizeof text, "loss %.4f", loss);
                bar.set_postfix(text);
            }
        }
        bar.finish();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
        result.loss = loss_sum / static_cast<double>(N);
        result.epochs = epoch;
        run.log({{"epoch", epoch}, {"loss", result.loss}, {"steps", steps}, {"seconds", seconds}});
        run.save(epoch, "ddpm", ema->state(),
                 {{"model.", net->state()}, {"ema.", ema->state()}, {"optimizer.", opt.state()}},
                 gen);
        if (!quiet)
            std::printf("epoch %lld/%lld  loss %.5f  %.1f s\n", static_cast<long long>(epoch),
                        static_cast<long long>(epochs), result.loss, seconds);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace gibbs::diffusion
