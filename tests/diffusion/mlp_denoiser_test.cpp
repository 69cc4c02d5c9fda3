// The MLP denoiser: its fast forward and its hand-written L_simple gradient agree with the
// autograd graph, and both pass finite differences in float64.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <memory>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/diffusion/mlp_denoiser.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/sgd.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {
namespace {

MlpDenoiser tiny(DType dtype) {
    Generator gen(1);
    MlpDenoiser net({.dim = 2, .embedding = 4, .hidden = {5, 3}}, gen);
    net.to(dtype);
    return net;
}

TEST(MlpDenoiser, FastForwardMatchesTheGraph) {
    for (const int64_t B : {3, 200}) {
        MlpDenoiser net = tiny(DType::f32);
        Generator gen(2);
        const Tensor x = randn({B, 2}, gen);
        for (const bool shared : {true, false}) {
            std::vector<double> tv(B);
            for (int64_t b = 0; b < B; ++b) tv[b] = shared ? 37 : 1 + (b * 131) % 1000;
            const Tensor t = Tensor::from(tv, {B}, DType::f32);
            const std::vector<double> graph = net.predict(x, t).to_vector();
            NoGradGuard no_grad;
            const std::vector<double> fast = net.predict(x, t).to_vector();
            for (size_t i = 0; i < graph.size(); ++i) EXPECT_NEAR(fast[i], graph[i], 1e-5);
        }
    }
}

TEST(MlpDenoiser, SimpleLossGradientMatchesAutogradAndFiniteDifferences) {
    MlpDenoiser net = tiny(DType::f64);
    Generator gen(3);
    const int64_t B = 7;
    const Tensor x = randn({B, 2}, gen, DType::f64), eps = randn({B, 2}, gen, DType::f64);
    const Tensor t = Tensor::from({1, 5, 5, 100, 999, 2, 40}, {B}, DType::f32);
    // Autograd: L_simple = mse(ε̂, ε).
    net.zero_grad();
    const Tensor loss = nn::mse_loss(net.predict(x, t), eps);
    loss.backward();
    std::vector<std::vector<double>> graph;
    for (const Tensor& p : net.parameters()) graph.push_back(p.grad().to_vector());
    // The fast path.
    const double fast_loss = net.simple_loss_backward(x, t, eps);
    EXPECT_NEAR(fast_loss, loss.item(), 1e-13);
    const std::vector<Tensor> params = net.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        const std::vector<double> g = params[i].grad().to_vector();
        for (size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], graph[i][k], 1e-12) << i;
    }
    // Central differences of L_simple in every parameter.
    const auto L = [&] {
        NoGradGuard no_grad;
        const std::vector<double> y = net.predict(x, t).to_vector(), e = eps.to_vector();
        double s = 0;
        for (size_t k = 0; k < y.size(); ++k) s += (y[k] - e[k]) * (y[k] - e[k]);
        return s / static_cast<double>(y.size());
    };
    const double h = 1e-6;
    for (size_t i = 0; i < params.size(); ++i) {
        double* p = params[i].data<double>();
        for (int64_t k = 0; k < params[i].numel(); ++k) {
            const double keep = p[k];
            p[k] = keep + h;
            const double up = L();
            p[k] = keep - h;
            const double down = L();
            p[k] = keep;
            EXPECT_NEAR((up - down) / (2 * h), graph[i][k], 1e-7)
                << "parameter " << i << "[" << k << "]";
        }
    }
    // And gradcheck through the graph in x_t.
    const auto r = autograd::gradcheck(
        [&](const std::vector<Tensor>& in) { return nn::mse_loss(net.predict(in[0], t), eps); },
        {x});
    EXPECT_TRUE(r.ok) << r.message;
}

// Over two threads each sums its rows' share of every gradient and the shares are added up in
// slices: the same gradient as the graph's, in float64 to rounding.
TEST(MlpDenoiser, FastGradientSummedOverThreadsMatchesAutograd) {
    const int keep_threads = omp_get_max_threads();
    omp_set_num_threads(2);
    MlpDenoiser net = tiny(DType::f64);
    Generator gen(5);
    const int64_t B = 301;  // two threads' rows, unequal
    const Tensor x = randn({B, 2}, gen, DType::f64), eps = randn({B, 2}, gen, DType::f64);
    std::vector<double> tv(B);
    for (int64_t b = 0; b < B; ++b) tv[b] = 1 + (7 * b) % 1000;
    const Tensor t = Tensor::from(tv, {B}, DType::f32);
    net.zero_grad();
    const Tensor loss = nn::mse_loss(net.predict(x, t), eps);
    loss.backward();
    std::vector<std::vector<double>> graph;
    for (const Tensor& p : net.parameters()) graph.push_back(p.grad().to_vector());
    for (int call = 0; call < 2; ++call) {  // the second call reuses the buffers
        EXPECT_NEAR(net.simple_loss_backward(x, t, eps), loss.item(), 1e-13);
        const std::vector<Tensor> params = net.parameters();
        for (size_t i = 0; i < params.size(); ++i) {
            const std::vector<double> g = params[i].grad().to_vector();
            for (size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], graph[i][k], 1e-13) << i;
        }
    }
    omp_set_num_threads(keep_threads);
}

// The optimizer's step taken inside the backward, slice by slice, is the step opt.step()
// takes after it: the same parameters bit for bit, over one and two threads (Adam updates by
// slices; SGD does not and is stepped after the pass), and an optimizer over other tensors is
// simply stepped.
TEST(MlpDenoiser, StepInsideTheBackwardEqualsTheStepAfterIt) {
    const int keep_threads = omp_get_max_threads();
    for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        for (int64_t B : {7, 301}) {
            for (bool adam : {true, false}) {
                MlpDenoiser a = tiny(DType::f32), b = tiny(DType::f32);
                const auto make = [&](MlpDenoiser& net) -> std::unique_ptr<optim::Optimizer> {
                    if (adam) return std::make_unique<optim::Adam>(net.parameters());
                    return std::make_unique<optim::Sgd>(net.parameters(),
                                                        optim::SgdOptions{.momentum = 0.9});
                };
                const auto opt_a = make(a), opt_b = make(b);
                Generator gen(6);
                for (int step = 0; step < 3; ++step) {
                    const Tensor x = randn({B, 2}, gen), eps = randn({B, 2}, gen);
                    std::vector<double> tv(B);
                    for (int64_t r = 0; r < B; ++r) tv[r] = 1 + (13 * r + step) % 1000;
                    const Tensor t = Tensor::from(tv, {B}, DType::f32);
                    const double la = a.simple_loss_backward(x, t, eps);
                    opt_a->step();
                    const double lb = b.simple_loss_backward(x, t, eps, opt_b.get());
                    EXPECT_EQ(la, lb);
                }
                EXPECT_EQ(opt_a->step_count(), opt_b->step_count());
                const std::vector<Tensor> pa = a.parameters(), pb = b.parameters();
                for (size_t i = 0; i < pa.size(); ++i)
                    EXPECT_EQ(pa[i].to_vector(), pb[i].to_vector())
                        << "threads " << threads << " B " << B << " adam " << adam << " " << i;
            }
        }
    }
    // An optimizer over tensors that are not the denoiser's: stepped after the pass.
    MlpDenoiser net = tiny(DType::f32);
    Tensor w = Tensor::ones({3});
    w.requires_grad_();
    w.set_grad(Tensor::ones({3}));
    optim::Adam other({w}, {.lr = 0.5});
    Generator gen(7);
    net.simple_loss_backward(randn({4, 2}, gen), Tensor::from({1, 2, 3, 4}, {4}, DType::f32),
                             randn({4, 2}, gen), &other);
    EXPECT_EQ(other.step_count(), 1);
    EXPECT_NEAR(w.to_vector()[0], 0.5, 1e-6);  // Adam's first step moves by lr
    omp_set_num_threads(keep_threads);
}

TEST(MlpDenoiser, FastGradientIsTheSameForFloat32) {
    MlpDenoiser net = tiny(DType::f32);
    Generator gen(4);
    const int64_t B = 300;  // more than one thread's rows
    const Tensor x = randn({B, 2}, gen), eps = randn({B, 2}, gen);
    std::vector<double> tv(B);
    for (int64_t b = 0; b < B; ++b) tv[b] = 1 + b % 1000;
    const Tensor t = Tensor::from(tv, {B}, DType::f32);
    net.zero_grad();
    nn::mse_loss(net.predict(x, t), eps).backward();
    std::vector<std::vector<double>> graph;
    for (const Tensor& p : net.parameters()) graph.push_back(p.grad().to_vector());
    net.simple_loss_backward(x, t, eps);
    const std::vector<Tensor> params = net.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        const std::vector<double> g = params[i].grad().to_vector();
        for (size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], graph[i][k], 1e-5) << i;
    }
    EXPECT_THROW(net.simple_loss_backward(x, t, randn({B, 3}, gen)), Error);
}

}  // namespace
}  // namespace gibbs::diffusion
