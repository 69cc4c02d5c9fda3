// A DDPM (Ho et al. 2020) with the U-Net ε-predictor on Fashion-MNIST in one file: training on
//   L_simple = mean ‖ε − ε_θ(√ᾱ_t x₀ + √(1 − ᾱ_t) ε, t)‖²,  t ~ U{1..T}, x₀ scaled to [−1, 1],
// with Adam and an EMA of the weights, for a fixed wall time; then samples by the generalized DDIM
// update (Song, Meng & Ermon 2021) from t to the previous visited step s:
//   x̂₀ = (x_t − √(1 − ᾱ_t) ε̂)/√ᾱ_t,  σ = η √((1 − ᾱ_s)/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_s),
//   x_s = √ᾱ_s x̂₀ + √(1 − ᾱ_s − σ²) ε̂ + σ z,
// which for η = 1 over all T steps is DDPM's ancestral sampler (variance β̃_t) and for η = 0 the
// deterministic DDIM. `gibbs train ddpm --denoiser unet` is the full tool (resume, bound, eval).
//   build/example_ddpm_unet_fashion --minutes 60 --base 32 --out runs/unet_example
//   build/example_ddpm_unet_fashion --load runs/unet_example/ema.safetensors --steps 1000 --eta 1
//     (--steps 50 --eta 0: DDIM-50; --fd 2000: the Fréchet distance of 2000 samples)
// ctest: example_ddpm_unet_fashion --minutes 0.005 --base 8 --batch 8 --steps 2 --out ex_unet
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/diffusion/unet.hpp"
#include "gibbs/gen/data.hpp"
#include "gibbs/gen/frechet.hpp"
#include "gibbs/io/checkpoint.hpp"
#include "gibbs/io/png.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/optim/adam.hpp"

using namespace gibbs;

int main(int argc, char** argv) {
    double minutes = 10, lr = 5e-4, ema_decay = 0.999, eta = 0;
    int64_t base = 32, batch = 128, steps = 50, samples = 64, fd = 0, seed = 0;
    std::string out = "runs/unet_example", load;
    for (int i = 1; i + 1 < argc; i += 2) {  // --steps: sampler steps; --fd: samples for an FD
        const std::string k = argv[i], v = argv[i + 1];
        double* d = k == "--minutes" ? &minutes
                    : k == "--lr"    ? &lr
                    : k == "--ema"   ? &ema_decay
                    : k == "--eta"   ? &eta
                                     : nullptr;
        int64_t* n = k == "--base"      ? &base
                     : k == "--batch"   ? &batch
                     : k == "--steps"   ? &steps
                     : k == "--samples" ? &samples
                     : k == "--fd"      ? &fd
                     : k == "--seed"    ? &seed
                                        : nullptr;
        if (d) *d = std::stod(v);
        if (n) *n = std::stol(v);
        if (k == "--out") out = v;
        if (k == "--load") load = v;
        if (!d && !n && k != "--out" && k != "--load")
            return std::fprintf(stderr, "unknown option %s\n", argv[i]), 2;
    }
    const int T = 1000;
    std::vector<double> abar(T + 1, 1.0);  // ᾱ_t = Π_{s ≤ t} (1 − β_s), β linear 1e-4..0.02
    for (int t = 1; t <= T; ++t)
        abar[t] = abar[t - 1] * (1 - (1e-4 + (0.02 - 1e-4) * (t - 1) / (T - 1)));
    io::Checkpoint saved;  // with --load: the EMA weights, their architecture in metadata
    if (!load.empty()) saved = io::load_checkpoint(load);
    if (!load.empty()) base = nlohmann::json::parse(saved.meta("unet")).at("base_channels");
    Generator gen(seed);
    diffusion::UNet net({.base_channels = base, .generator = &gen}), ema({.base_channels = base});
    io::load_module_state(ema, net.state());  // θ_ema = θ at the start
    std::printf("U-Net base %ld, %ld parameters, %d threads\n", long(base),
                long(net.parameter_count()), omp_get_max_threads());
    if (!load.empty()) {
        io::load_module_state(ema, saved.tensors, load);
        out = std::filesystem::path(load).parent_path().string();
    } else {
        const auto train = data::load_fashion_mnist(data::Split::kTrain);
        const int64_t n = train.size();
        Tensor images = Tensor::empty({n, 1, 28, 28});  // x₀ ∈ [−1, 1]
        for (int64_t i = 0; i < n * 784; ++i)
            images.data<float>()[i] = train.images.data[i] / 127.5f - 1.0f;
        optim::Adam opt(net.parameters(), {.lr = lr});
        const auto start = std::chrono::steady_clock::now();
        auto elapsed = [&] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        std::vector<int64_t> order;
        double running = 0;
        for (int64_t step = 0; elapsed() < 60 * minutes; ++step) {
            if (step % (n / batch) == 0) order = randperm(n, gen);
            const int64_t first = (step % (n / batch)) * batch;
            const Tensor x0 = index_select(
                images, 0,
                std::vector<int64_t>(order.begin() + first, order.begin() + first + batch));
            const Tensor t = randint(1, T + 1, {batch}, gen);
            std::vector<double> a(batch), s(batch);
            for (int64_t b = 0; b < batch; ++b) {
                a[b] = std::sqrt(abar[static_cast<int>(t.at({b}))]);
                s[b] = std::sqrt(1 - a[b] * a[b]);
            }
            const Tensor eps = randn(x0.shape(), gen);
            const Tensor x_t = x0 * Tensor::from(a, {batch, 1, 1, 1}, DType::f32) +
                               eps * Tensor::from(s, {batch, 1, 1, 1}, DType::f32);
            Tensor loss = nn::mse_loss(net.predict(x_t, t), eps);
            opt.zero_grad();
            loss.backward();
            opt.step();
            {  // θ_ema ← d θ_ema + (1 − d) θ, d warmed up as min(decay, (1 + k)/(10 + k))
                NoGradGuard no_grad;
                const double d = std::min(ema_decay, (1.0 + step) / (10.0 + step));
                const auto p = net.parameters(), q = ema.parameters();
                for (size_t i = 0; i < p.size(); ++i) {
                    float *pe = q[i].data<float>(), *pp = p[i].data<float>();
                    for (int64_t j = 0; j < p[i].numel(); ++j)
                        pe[j] = float(d * pe[j] + (1 - d) * pp[j]);
                }
            }
            running = step == 0 ? loss.item() : 0.98 * running + 0.02 * loss.item();
            if (step % 50 == 0)
                std::printf("step %ld  epoch %.2f  loss %.4f  %.0f s\n", long(step),
                            double(step * batch) / n, running, elapsed()),
                    std::fflush(stdout);
        }
        std::filesystem::create_directories(out);
        io::save_checkpoint(out + "/ema.safetensors", ema.state(),
                            {{"unet", diffusion::to_json(ema.options()).dump()}});
        std::printf("trained %.1f min\n", elapsed() / 60);
    }
    // Sampling with the EMA weights over `steps` evenly spaced time steps T = t_K > ... > t_1.
    auto draw = [&](int64_t m) {  // m images (m, 1, 28, 28) in [0, 1]
        NoGradGuard no_grad;
        Tensor x = randn({m, 1, 28, 28}, gen);
        for (int64_t k = steps; k >= 1; --k) {
            const int t = int((k * T) / steps), s = int(((k - 1) * T) / steps);
            // ε̂, then x̂₀ clipped to [−1, 1] and ε̂ recomputed from it
            Tensor e = ema.predict(x, Tensor::full({m}, t));
            const Tensor x0 = clamp((x - e * std::sqrt(1 - abar[t])) / std::sqrt(abar[t]), -1, 1);
            e = (x - x0 * std::sqrt(abar[t])) / std::sqrt(1 - abar[t]);
            const double sigma =
                eta * std::sqrt((1 - abar[s]) / (1 - abar[t]) * (1 - abar[t] / abar[s]));
            x = x0 * std::sqrt(abar[s]) + e * std::sqrt(std::max(0.0, 1 - abar[s] - sigma * sigma));
            if (sigma > 0) x = x + randn(x.shape(), gen) * sigma;
        }
        return clamp((x + 1.0) * 0.5, 0, 1).contiguous();
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<Tensor> parts{draw(samples)};  // the grid, then batches of 64 up to --fd
    for (int64_t k = samples; k < fd; k += 64) parts.push_back(draw(std::min<int64_t>(64, fd - k)));
    const std::string png = out + "/samples_" + std::to_string(steps) + "_eta" +
                            std::to_string(static_cast<int>(eta * 10)) + ".png";
    std::filesystem::create_directories(out);
    io::write_png_grid(png, parts[0].data<float>(), samples, 28, 28, 1, 8, 2);
    std::printf("%s: %ld steps, eta %.1f, %.1f s\n", png.c_str(), long(steps), eta,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (fd > 0) {  // the Fréchet distance of docs/generative.md against the 10,000 test images
        const auto test = gen::generative_data(gen::kFashionMnist, true, 0, gen);
        const Tensor all = cat(parts, 0).narrow(0, 0, fd);
        std::printf("Frechet distance (n = %ld): %.3f\n", long(fd),
                    gen::load_or_build_reference().frechet_distance(all, test.x));
    }
}
