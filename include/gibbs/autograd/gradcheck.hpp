// gradcheck: compares reverse-mode gradients with central finite differences, in float64.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::autograd {

struct GradcheckOptions {
    double eps = 1e-6;        // finite-difference step
    double tolerance = 1e-6;  // on the relative error |a − n| / max(1, |a|, |n|)
};

struct GradcheckResult {
    bool ok = true;
    double max_error = 0;  // the largest relative error over all inputs and elements
    std::string message;   // which input and element failed first, with both values
};

// f maps the inputs (float64, requires_grad set by gradcheck) to a tensor; the scalar checked is
// Σ f(inputs) ⊙ w for a fixed random weight w, so every output element contributes.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          std::vector<Tensor> inputs, GradcheckOptions options = {});

}  // namespace gibbs::autograd
