// Helpers shared by the image-layer kernels of src/nn (private header).
#pragma once

#include <initializer_list>

#include "gibbs/autograd/autograd.hpp"

namespace gibbs::nn {

// Whether an op over these inputs records its backward: grad mode on and some input needs it.
inline bool any_needs_grad(std::initializer_list<const Tensor*> ts) {
    if (!autograd::grad_enabled()) return false;
    for (const Tensor* t : ts)
        if (autograd::needs_grad(*t)) return true;
    return false;
}

}  // namespace gibbs::nn
