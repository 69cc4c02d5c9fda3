// A network fitted to f(x0, x1) = x0² + 3x0x1 + x1² + 5 from n = 100 random points in [−1, 1]²,
// judged on 1,000 held-out points (the lecture's regression example). Adam, then L-BFGS, in
// float64; held-out MSE below 1e-3.
//   build/example_fit_function
// ctest: example_fit_function
#include <cstdio>

#include "gibbs/nn/layers.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/lbfgs.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {
Tensor f(const Tensor& x) {
    const Tensor x0 = x.narrow(1, 0, 1), x1 = x.narrow(1, 1, 1);
    return x0 * x0 + 3.0 * x0 * x1 + x1 * x1 + 5.0;
}
}  // namespace

int main() {
    Generator gen(2024);
    const Tensor x_train = uniform({100, 2}, -1, 1, gen, DType::f64), y_train = f(x_train);
    const Tensor x_test = uniform({1000, 2}, -1, 1, gen, DType::f64), y_test = f(x_test);

    const nn::LinearOptions o{.dtype = DType::f64, .generator = &gen};
    nn::Sequential net{nn::Linear(2, 32, o), nn::Tanh(), nn::Linear(32, 32, o), nn::Tanh(),
                       nn::Linear(32, 1, o)};
    auto test_mse = [&] {
        NoGradGuard no_grad;
        return nn::mse_loss(net(x_test), y_test).item();
    };

    optim::Adam adam(net.parameters(), {.lr = 1e-2});
    for (int step = 0; step <= 2000; ++step) {
        Tensor loss = nn::mse_loss(net(x_train), y_train);
        adam.zero_grad();
        loss.backward();
        adam.step();
        if (step % 500 == 0)
            std::printf("Adam   step %4d  train MSE %.3e  test MSE %.3e\n", step, loss.item(),
                        test_mse());
    }
    optim::Lbfgs lbfgs(net.parameters(),
                       {.max_iter = 100, .line_search = optim::LineSearch::strong_wolfe});
    for (int outer = 0; outer < 5; ++outer) {
        const double loss = lbfgs.step([&] {
            Tensor l = nn::mse_loss(net(x_train), y_train);
            lbfgs.zero_grad();
            l.backward();
            return l.item();
        });
        std::printf("L-BFGS round %d  train MSE %.3e  test MSE %.3e\n", outer, loss, test_mse());
    }
    const double mse = test_mse();
    std::printf("held-out MSE %.3e (target < 1e-3)\n", mse);
    return mse < 1e-3 ? 0 : 1;
}
