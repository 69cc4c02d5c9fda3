// fit_by_gradient: the costs of gradient_fit.hpp written with autograd ops in float64.
#include "gibbs/linear/gradient_fit.hpp"

#include <cmath>
#include <memory>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/optim/adagrad.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/rmsprop.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/optim/sgd.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::linear {

namespace {
std::unique_ptr<optim::Optimizer> make_optimizer(std::vector<Tensor> params,
                                                 const GradientFitOptions& o) {
    using M = GradientMethod;
    switch (o.method) {
        case M::gd:
            return std::make_unique<optim::GradientDescent>(
                params, optim::GradientDescentOptions{.lr = o.lr});
        case M::sgd:
            return std::make_unique<optim::Sgd>(params, optim::SgdOptions{.lr = o.lr});
        case M::momentum:
            return std::make_unique<optim::Sgd>(
                params, optim::SgdOptions{.lr = o.lr, .momentum = o.momentum});
        case M::nesterov:
            return std::make_unique<optim::Sgd>(
                params, optim::SgdOptions{.lr = o.lr, .momentum = o.momentum, .nesterov = true});
        case M::adagrad:
            return std::make_unique<optim::Adagrad>(params, optim::AdagradOptions{.lr = o.lr});
        case M::rmsprop:
            return std::make_unique<optim::Rmsprop>(params, optim::RmspropOptions{.lr = o.lr});
        case M::adam:
            return std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = o.lr});
    }
    fail("fit_by_gradient: unknown method");
}
}  // namespace

LinearModel fit_by_gradient(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                            const GradientFitOptions& o) {
    const int64_t n = X.rows(), p = X.cols();
    check(y.size() == n, "fit_by_gradient: X has ", n, " rows but y has ", y.size());
    check(n > 0 && p > 0, "fit_by_gradient: empty design matrix (", n, " x ", p, ")");
    check(o.lambda >= 0, "fit_by_gradient: lambda must be non-negative, got ", o.lambda);
    check(X.allFinite() && y.allFinite(), "fit_by_gradient: X or y holds NaN or infinity");
    const int64_t batch = o.batch > 0 ? std::min(o.batch, n) : n;

    // Row-major copies as tensors: X (N, P), y (N, 1).
    Tensor Xt = Tensor::empty({n, p}, DType::f64), yt = Tensor::empty({n, 1}, DType::f64);
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < p; ++j) Xt.data<double>()[i * p + j] = X(i, j);
        yt.data<double>()[i] = y(i);
    }
    Tensor theta = Tensor::zeros({p, 1}, DType::f64).requires_grad_();
    Tensor theta0 = Tensor::zeros({1}, DType::f64).requires_grad_();
    auto opt = make_optimizer({theta, theta0}, o);
    const int64_t steps_per_epoch = (n + batch - 1) / batch;
    std::unique_ptr<optim::CosineAnnealingLr> schedule;
    if (o.cosine)
        schedule = std::make_unique<optim::CosineAnnealingLr>(
            *opt, optim::CosineAnnealingLrOptions{.t_max = o.epochs * steps_per_epoch});

    Generator gen(o.seed);
    for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
        const std::vector<int64_t> order = batch < n ? randperm(n, gen) : std::vector<int64_t>{};
        for (int64_t start = 0; start < n; start += batch) {
            const int64_t m = std::min(batch, n - start);
            Tensor xb = Xt, yb = yt;
            if (batch < n) {
                const std::vector<int64_t> rows(order.begin() + start, order.begin() + start + m);
                xb = index_select(Xt, 0, rows);
                yb = index_select(yt, 0, rows);
            }
            const Tensor z = matmul(xb, theta) + theta0;  // (m, 1)
            const Tensor data_term = o.loss == Loss::squared
                                         ? mean(square(yb - z))
                                         : nn::binary_cross_entropy_with_logits(z, yb);
            const Tensor cost =
                o.lambda > 0 ? data_term + o.lambda * sum(square(theta)) : data_term;
            if (!std::isfinite(cost.item()))
                fail("fit_by_gradient: the cost became ", cost.item(), " at epoch ", epoch,
                     "; lower the learning rate (", o.lr, ")");
            opt->zero_grad();
            cost.backward();
            opt->step();
            if (schedule) schedule->step();
        }
    }
    LinearModel model;
    model.intercept = theta0.item();
    model.coef = Eigen::Map<const Eigen::VectorXd>(theta.data<double>(), p);
    return model;
}

}  // namespace gibbs::linear
