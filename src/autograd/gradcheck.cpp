// Central differences: ∂s/∂xᵢ ≈ (s(x + εeᵢ) − s(x − εeᵢ)) / 2ε, error O(ε²).
#include "gibbs/autograd/gradcheck.hpp"

#include <cmath>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/tensor/random.hpp"

namespace gibbs::autograd {

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          std::vector<Tensor> inputs, GradcheckOptions options) {
    for (Tensor& x : inputs) {
        check(x.dtype() == DType::f64, "gradcheck: inputs must be float64, got ",
              dtype_name(x.dtype()));
        x = x.clone();
        x.requires_grad_(true);
    }
    Tensor out = f(inputs);
    Generator gen(12345);
    const Tensor w = uniform(out.shape(), 0.5, 1.5, gen, DType::f64);
    auto scalar = [&](const std::vector<Tensor>& xs) {
        NoGradGuard no_grad;
        return sum(mul(f(xs), w)).item();
    };
    sum(mul(out, w)).backward();
    GradcheckResult result;
    for (size_t k = 0; k < inputs.size(); ++k) {
        Tensor& x = inputs[k];
        const Tensor analytic =
            x.grad().defined() ? x.grad() : Tensor::zeros(x.shape(), DType::f64);
        const std::vector<double> a = analytic.to_vector();
        double* p = x.data<double>();
        for (int64_t i = 0; i < x.numel(); ++i) {
            const double saved = p[i];
            p[i] = saved + options.eps;
            const double plus = scalar(inputs);
            p[i] = saved - options.eps;
            const double minus = scalar(inputs);
            p[i] = saved;
            const double numeric = (plus - minus) / (2 * options.eps);
            const double err =
                std::abs(a[i] - numeric) / std::max({1.0, std::abs(a[i]), std::abs(numeric)});
            result.max_error = std::max(result.max_error, err);
            if (err > options.tolerance && result.ok) {
                result.ok = false;
                result.message = cat("input ", k, " element ", i, ": analytic ", a[i], ", numeric ",
                                     numeric, ", relative error ", err);
            }
        }
    }
    return result;
}

}  // namespace gibbs::autograd
