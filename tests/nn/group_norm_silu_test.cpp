// The fused silu(group_norm(x)) against its definition: the composition of the two ops, values
// and gradients (x, γ, β), in float64 and float32; its gradient against central finite
// differences in float64; and one clear error for a bad group count.
#include <gtest/gtest.h>

#include <string>

#include "gibbs/autograd/gradcheck.hpp"
#include "gibbs/nn/functional.hpp"
#include "gibbs/nn/norm.hpp"
#include "gibbs/tensor/random.hpp"

using namespace gibbs;

namespace {

// Values and gradients of f(x, γ, β) = Σ w ⊙ op(x, γ, β) for a fixed random weighting w.
std::vector<std::vector<double>> run(bool fused, DType dtype, bool affine) {
    Generator gen(21);
    Tensor x = randn({3, 6, 4, 5}, gen, dtype) * 2.0 + 0.5;
    Tensor gamma = affine ? uniform({6}, 0.5, 1.5, gen, dtype) : Tensor();
    Tensor beta = affine ? randn({6}, gen, dtype) : Tensor();
    const Tensor w = randn({3, 6, 4, 5}, gen, dtype);
    x.requires_grad_();
    if (affine) gamma.requires_grad_(), beta.requires_grad_();
    const Tensor y =
        fused ? nn::group_norm_silu(x, 3, gamma, beta) : silu(nn::group_norm(x, 3, gamma, beta));
    sum(y * w).backward();
    std::vector<std::vector<double>> out{y.to_vector(), x.grad().to_vector()};
    if (affine) out.push_back(gamma.grad().to_vector()), out.push_back(beta.grad().to_vector());
    return out;
}

TEST(GroupNormSilu, EqualsTheComposition) {
    for (const DType dt : {DType::f64, DType::f32})
        for (const bool affine : {true, false}) {
            const auto a = run(true, dt, affine), b = run(false, dt, affine);
            const double tol = dt == DType::f64 ? 1e-12 : 2e-5;
            ASSERT_EQ(a.size(), b.size());
            for (size_t k = 0; k < a.size(); ++k) {
                ASSERT_EQ(a[k].size(), b[k].size());
                for (size_t i = 0; i < a[k].size(); ++i)
                    ASSERT_NEAR(a[k][i], b[k][i], tol * (1 + std::abs(b[k][i])))
                        << "output " << k << " element " << i << " dtype " << dtype_name(dt)
                        << " affine " << affine;
            }
        }
}

TEST(GroupNormSilu, GradientMatchesFiniteDifferences) {
    Generator gen(22);
    const Tensor x = randn({2, 4, 3, 2}, gen, DType::f64);
    const Tensor gamma = uniform({4}, 0.5, 1.5, gen, DType::f64),
                 beta = randn({4}, gen, DType::f64);
    const auto r = autograd::gradcheck(
        [](const std::vector<Tensor>& in) { return nn::group_norm_silu(in[0], 2, in[1], in[2]); },
        {x, gamma, beta});
    EXPECT_TRUE(r.ok) << r.message;
}

TEST(GroupNormSilu, RejectsGroupsThatDoNotDivideTheChannels) {
    const Tensor x = Tensor::zeros({2, 6, 3, 3});
    try {
        nn::group_norm_silu(x, 4, Tensor(), Tensor());
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("group_norm_silu"), std::string::npos) << e.what();
    }
}

}  // namespace
