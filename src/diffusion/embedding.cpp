// The sinusoidal time embedding (gibbs/diffusion/denoiser.hpp).
#include <cmath>
#include <vector>

#include "gibbs/diffusion/denoiser.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::diffusion {

Tensor sinusoidal_embedding(const Tensor& t, int64_t dim) {
    check(t.dim() == 1, "sinusoidal_embedding: t must be (B), got ", t.shape());
    check(dim >= 2 && dim % 2 == 0, "sinusoidal_embedding: dim must be even and >= 2, got ", dim);
    const Tensor steps = t.detach().to(DType::f64).contiguous();
    const int64_t B = steps.size(0), half = dim / 2;
    Tensor e = Tensor::empty({B, dim}, t.dtype());
    const double* ts = steps.data<double>();
    std::vector<double> omega(half);
    for (int64_t k = 0; k < half; ++k)
        omega[k] =
            std::exp(-std::log(10000.0) * static_cast<double>(k) / static_cast<double>(half));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t k = 0; k < half; ++k) {
            const double s = std::sin(ts[b] * omega[k]), c = std::cos(ts[b] * omega[k]);
            if (t.dtype() == DType::f32) {
                e.data<float>()[b * dim + k] = static_cast<float>(s);
                e.data<float>()[b * dim + half + k] = static_cast<float>(c);
            } else {
                e.data<double>()[b * dim + k] = s;
                e.data<double>()[b * dim + half + k] = c;
            }
        }
    return e;
}

}  // namespace gibbs::diffusion
