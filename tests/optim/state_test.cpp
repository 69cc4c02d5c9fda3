// Checkpoints: an optimizer saved with state() after k steps and restored with load_state() into
// a fresh optimizer over copies of the parameters continues bit for bit like the uninterrupted
// run. And a state that does not fit is refused with a message naming the entry, changing nothing.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/optim.hpp"
#include "gibbs/tensor/random.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::optim;

// A float32 least-squares problem with two parameters: C(W, c) = mean((X W + c − Y)²),
// X (8, 3), W (3, 2), c (2), Y (8, 2), drawn from a seeded generator.
struct Problem {
    Tensor X, Y;
    explicit Problem(uint64_t seed) {
        Generator gen(seed);
        X = randn({8, 3}, gen);
        Y = randn({8, 2}, gen);
    }
    std::vector<Tensor> fresh_params() const {
        Generator gen(7);
        return {randn({3, 2}, gen).requires_grad_(), randn({2}, gen).requires_grad_()};
    }
    Tensor loss(const std::vector<Tensor>& p) const {
        return mean(square(matmul(X, p[0]) + p[1] - Y));
    }
};

std::vector<Tensor> copies(const std::vector<Tensor>& params) {
    std::vector<Tensor> out;
    for (const Tensor& p : params) out.push_back(p.clone().requires_grad_());
    return out;
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && a.dtype() == b.dtype() &&
           std::memcmp(a.raw_data(), b.raw_data(), a.numel() * itemsize(a.dtype())) == 0;
}

using Make = std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>;

template <typename Opt, typename Options>
Make maker(Options o) {
    return [o](std::vector<Tensor> p) { return std::make_unique<Opt>(std::move(p), o); };
}

void train(const Problem& problem, Optimizer& opt, int steps) {
    for (int k = 0; k < steps; ++k) {
        opt.step([&] {
            Tensor c = problem.loss(opt.params());
            c.backward();
            return c.item();
        });
    }
}

TEST(OptimizerState, ResumeContinuesBitForBit) {
    const std::vector<std::pair<const char*, Make>> cases = {
        {"GradientDescent", maker<GradientDescent>(GradientDescentOptions{.lr = 0.05})},
        {"SgdNesterov", maker<Sgd>(SgdOptions{
                            .lr = 0.05, .momentum = 0.9, .weight_decay = 1e-3, .nesterov = true})},
        {"Adagrad", maker<Adagrad>(AdagradOptions{.lr = 0.1, .lr_decay = 0.01})},
        {"RmspropCenteredMomentum",
         maker<Rmsprop>(RmspropOptions{.lr = 0.01, .momentum = 0.5, .centered = true})},
        {"AdamAmsgrad", maker<Adam>(AdamOptions{.lr = 0.01, .amsgrad = true})},
        {"AdamW", maker<AdamW>(AdamWOptions{.lr = 0.01})},
        {"Lbfgs", maker<Lbfgs>(LbfgsOptions{
                      .max_iter = 1, .history_size = 2, .line_search = LineSearch::strong_wolfe})},
        {"LbfgsFixedStep", maker<Lbfgs>(LbfgsOptions{.lr = 0.2, .max_iter = 2})},
    };
    const Problem problem(3);
    for (const auto& [name, make] : cases) {
        SCOPED_TRACE(name);
        // Uninterrupted: 3 + 3 steps (few enough that L-BFGS has not converged).
        std::unique_ptr<Optimizer> a = make(problem.fresh_params());
        train(problem, *a, 3);
        const std::vector<Tensor> saved_params = copies(a->params());
        const NamedTensors saved = a->state();
        train(problem, *a, 3);

        // Interrupted after 3: a new optimizer over the saved parameters, given the saved state.
        std::unique_ptr<Optimizer> b = make(saved_params);
        b->load_state(saved);
        train(problem, *b, 3);

        for (size_t i = 0; i < a->params().size(); ++i)
            EXPECT_TRUE(bitwise_equal(a->params()[i], b->params()[i])) << "parameter " << i;
        const NamedTensors sa = a->state(), sb = b->state();
        ASSERT_EQ(sa.size(), sb.size());
        for (size_t k = 0; k < sa.size(); ++k) {
            EXPECT_EQ(sa[k].first, sb[k].first);
            EXPECT_TRUE(bitwise_equal(sa[k].second, sb[k].second)) << sa[k].first;
        }
        // The state moved the run: without it the continuation differs.
        std::unique_ptr<Optimizer> c = make(copies(saved_params));
        train(problem, *c, 3);
        bool same = true;
        for (size_t i = 0; i < a->params().size(); ++i)
            same = same && bitwise_equal(a->params()[i], c->params()[i]);
        if (std::string(name) != "GradientDescent") {
            EXPECT_FALSE(same) << "the state made no difference";
        }
    }
}

TEST(OptimizerState, NamesTheEntries) {
    const Problem problem(1);
    Adam opt(problem.fresh_params(), {.lr = 0.01, .amsgrad = true});
    std::vector<std::string> names;
    for (const auto& [name, t] : opt.state()) names.push_back(name);
    const std::vector<std::string> expected = {"step",
                                               "lr",
                                               "params.0.step",
                                               "params.0.exp_avg",
                                               "params.0.exp_avg_sq",
                                               "params.0.max_exp_avg_sq",
                                               "params.1.step",
                                               "params.1.exp_avg",
                                               "params.1.exp_avg_sq",
                                               "params.1.max_exp_avg_sq"};
    EXPECT_EQ(names, expected);
}

std::string load_error(Optimizer& opt, const NamedTensors& state) {
    try {
        opt.load_state(state);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(OptimizerState, MismatchesAreRefusedAndChangeNothing) {
    const Problem problem(2);
    Adam adam(problem.fresh_params(), {.lr = 0.01});
    train(problem, adam, 3);
    const NamedTensors good = adam.state();

    Adam target(problem.fresh_params(), {.lr = 0.5});
    const NamedTensors before = target.state();

    NamedTensors missing = good;
    missing.erase(missing.begin() + 3);  // params.0.exp_avg
    EXPECT_EQ(load_error(target, missing), "Adam::load_state: missing entry 'params.0.exp_avg'");

    NamedTensors reshaped = good;
    reshaped[4].second = Tensor::zeros({2, 3});  // params.0.exp_avg_sq
    EXPECT_EQ(load_error(target, reshaped),
              "Adam::load_state: entry 'params.0.exp_avg_sq' is float32 (2, 3) but parameter 0 "
              "is float32 (3, 2)");

    NamedTensors retyped = good;
    retyped[4].second = retyped[4].second.to(DType::f64);
    EXPECT_NE(load_error(target, retyped).find("float64 (3, 2) but parameter 0 is float32"),
              std::string::npos);

    NamedTensors fractional = good;
    fractional[0].second = Tensor::scalar(2.5, DType::f64);
    EXPECT_EQ(load_error(target, fractional),
              "Adam::load_state: entry 'step' is 2.5, expected a count");

    // An SGD state has no Adam buffers; an Adam state has entries SGD does not know.
    Sgd sgd(problem.fresh_params(), {.lr = 0.1, .momentum = 0.9});
    EXPECT_EQ(load_error(target, sgd.state()),
              "Adam::load_state: missing entry 'params.0.exp_avg'");
    Sgd plain(problem.fresh_params(), {.lr = 0.1});
    EXPECT_EQ(load_error(plain, good),
              "Sgd::load_state: unexpected entry 'params.0.exp_avg' (a state saved from another "
              "kind of optimizer?)");

    NamedTensors twice = good;
    twice.push_back(good[1]);
    EXPECT_EQ(load_error(target, twice), "Adam::load_state: entry 'lr' appears twice");

    // A bad L-BFGS history entry is refused too.
    Lbfgs lbfgs(problem.fresh_params(), {.max_iter = 3});
    train(problem, lbfgs, 2);
    NamedTensors lb = lbfgs.state();
    for (auto& [name, t] : lb)
        if (name == "history.0.y") t = Tensor::zeros({5}, DType::f64);
    Lbfgs lbfgs2(problem.fresh_params(), {.max_iter = 3});
    EXPECT_EQ(load_error(lbfgs2, lb),
              "Lbfgs::load_state: entry 'history.0.y' has shape (5), expected (8)");
    EXPECT_EQ(lbfgs2.state().size(), Lbfgs(problem.fresh_params()).state().size());

    // target is unchanged by all of the above.
    const NamedTensors after = target.state();
    ASSERT_EQ(before.size(), after.size());
    for (size_t k = 0; k < before.size(); ++k)
        EXPECT_TRUE(bitwise_equal(before[k].second, after[k].second)) << before[k].first;
    EXPECT_EQ(target.lr(), 0.5);
    // And the good state still loads.
    target.load_state(good);
    EXPECT_EQ(target.lr(), 0.01);
    EXPECT_EQ(target.step_count(), 3);
}

TEST(OptimizerState, BadParametersAndOptionsAreErrors) {
    Tensor frozen = Tensor::zeros({2});
    EXPECT_EQ(
        load_error(*std::make_unique<Sgd>(std::vector<Tensor>{Tensor::zeros({1}).requires_grad_()}),
                   {}),
        "Sgd::load_state: missing entry 'step'");
    try {
        Adam opt({frozen});
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_STREQ(
            e.what(),
            "Adam: parameter 0 of shape (2) does not require grad (call requires_grad_())");
    }
    Tensor p = Tensor::zeros({4, 4}).requires_grad_();
    EXPECT_THROW(Adam({p.t().detach().requires_grad_()}), Error);  // not contiguous
    EXPECT_THROW(Adam({p, p}), Error);                             // the same tensor twice
    EXPECT_THROW(Adam({}), Error);
    EXPECT_THROW(Adam({p}, {.beta1 = 1.0}), Error);
    EXPECT_THROW(Sgd({p}, {.momentum = 0.0, .nesterov = true}), Error);
    EXPECT_THROW(Sgd({p}, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}), Error);
    EXPECT_THROW(Rmsprop({p}, {.alpha = 1.5}), Error);
    EXPECT_THROW(Lbfgs({p}, {.history_size = 0}), Error);
    EXPECT_THROW(GradientDescent({p}, {.lr = -1}), Error);
    // A gradient of the wrong shape is named.
    Adam opt({p});
    p.set_grad(Tensor::zeros({4}));
    try {
        opt.step();
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "Adam: the gradient of parameter 0 is float32 (4) but the parameter is "
                     "float32 (4, 4)");
    }
}

}  // namespace
