// Layer 1: creation, views sharing storage, broadcasting, reductions, matmul against a plain
// triple loop (with whichever OpenBLAS kernel gibbs selected), and error messages.
#include <gtest/gtest.h>

#include <cmath>

#include "gibbs/autograd/ops.hpp"
#include "gibbs/tensor/blas.hpp"
#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/reduce.hpp"

using namespace gibbs;

namespace {
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Tensor, CreationAndAccess) {
    const Tensor t = Tensor::from({1, 2, 3, 4, 5, 6}, {2, 3});
    EXPECT_EQ(t.dtype(), DType::f64);
    EXPECT_EQ(t.shape(), (Shape{2, 3}));
    EXPECT_EQ(t.strides(), (Shape{3, 1}));
    EXPECT_EQ(t.at({1, 2}), 6);
    EXPECT_EQ(t.at({-1, 0}), 4);
    EXPECT_EQ(Tensor::zeros({3}).to_vector(), (std::vector<double>{0, 0, 0}));
    EXPECT_EQ(Tensor::eye(2).to_vector(), (std::vector<double>{1, 0, 0, 1}));
    EXPECT_EQ(Tensor::arange(4).to(DType::f64).to_vector(), (std::vector<double>{0, 1, 2, 3}));
    EXPECT_DOUBLE_EQ(Tensor::linspace(0, 1, 5).at({3}), 0.75);
}

TEST(Tensor, ViewsShareStorage) {
    Tensor t = Tensor::from({1, 2, 3, 4, 5, 6}, {2, 3});
    Tensor tt = t.t();
    EXPECT_TRUE(tt.shares_storage(t));
    EXPECT_FALSE(tt.is_contiguous());
    EXPECT_EQ(tt.shape(), (Shape{3, 2}));
    EXPECT_EQ(tt.at({2, 1}), 6);
    Tensor row = t.narrow(0, 1, 1);
    EXPECT_TRUE(row.shares_storage(t));
    row.set({0, 0}, 40);
    EXPECT_EQ(t.at({1, 0}), 40);  // writes through the view
    const Tensor r = t.reshape({3, 2});
    EXPECT_TRUE(r.shares_storage(t));
    const Tensor c = tt.contiguous();
    EXPECT_FALSE(c.shares_storage(t));
    EXPECT_EQ(c.to_vector(), (std::vector<double>{1, 40, 2, 5, 3, 6}));
    // A reshape of a non-contiguous view copies.
    EXPECT_EQ(tt.reshape({6}).to_vector(), c.to_vector());
    const Tensor p = Tensor::arange(24, DType::f64).reshape({2, 3, 4}).permute({2, 0, 1});
    EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
    EXPECT_EQ(p.at({3, 1, 2}), 23);
    EXPECT_EQ(p.at({1, 0, 2}), 9);
}

TEST(Tensor, BroadcastingFollowsNumPy) {
    // (2, 1, 3) + (4, 1) -> (2, 4, 3): z[i, j, k] = a[i, 0, k] + b[j, 0].
    const Tensor a = Tensor::arange(6, DType::f64).reshape({2, 1, 3});
    const Tensor b = Tensor::arange(4, DType::f64).reshape({4, 1}) * 10.0;
    const Tensor z = a + b;
    EXPECT_EQ(z.shape(), (Shape{2, 4, 3}));
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 3; ++k) EXPECT_EQ(z.at({i, j, k}), (i * 3 + k) + 10 * j);
    // Broadcasting against a transposed (strided) operand.
    const Tensor m = Tensor::arange(6, DType::f64).reshape({2, 3}).t();  // (3, 2)
    const Tensor s = m * Tensor::from({1, -1}, {2});
    EXPECT_EQ(s.to_vector(), (std::vector<double>{0, -3, 1, -4, 2, -5}));
}

TEST(Tensor, ShapeErrorsNameOpAndShapes) {
    const Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({4, 3});
    EXPECT_EQ(error_of([&] { add(a, b); }), "add: shapes (2, 3) and (4, 3) do not broadcast");
    EXPECT_EQ(error_of([&] { matmul(a, b); }),
              "matmul: shapes (2, 3) and (4, 3) do not match (3 != 4)");
    EXPECT_NE(error_of([&] {
                  mul(a, Tensor::zeros({2, 3}, DType::f64));
              }).find("dtypes differ"),
              std::string::npos);
    EXPECT_NE(error_of([&] { a.reshape({4}); }).find("cannot reshape (2, 3)"), std::string::npos);
    EXPECT_NE(error_of([&] { sum(a, 2); }).find("axis 2 out of range"), std::string::npos);
}

TEST(Tensor, ReductionsOverEachAxis) {
    const Tensor x = Tensor::arange(24, DType::f64).reshape({2, 3, 4});
    // Σ over axis 0 of x[i,j,k] = 12 i + 4 j + k is 12 + 2(4j + k).
    const Tensor s0 = sum(x, 0);
    for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) EXPECT_EQ(s0.at({j, k}), 12 + 2 * (4 * j + k));
    EXPECT_EQ(sum(x, 1).at({1, 2}), (12 + 2) + (16 + 2) + (20 + 2));
    EXPECT_EQ(sum(x, 2, true).shape(), (Shape{2, 3, 1}));
    EXPECT_EQ(sum(x).item(), 23 * 24 / 2);
    EXPECT_EQ(mean(x, -1).at({0, 0}), 1.5);
    EXPECT_EQ(max(x, 1).at({1, 3}), 23);
    EXPECT_EQ(argmax(Tensor::from({1, 5, 5, 2}, {4}), 0).item(), 1);  // the first maximum
    // log Σ exp of (1000, 1000) is 1000 + log 2 without overflow.
    EXPECT_DOUBLE_EQ(logsumexp(Tensor::from({1000, 1000}, {2}), 0).item(), 1000 + std::log(2.0));
}

TEST(Tensor, LargeOpsUseThreadsAndAgree) {
    // Above the OpenMP threshold the elementwise and reduction kernels split the work; the
    // results must equal the serial definitions.
    Generator gen(3);
    const Tensor a = randn({300, 500}, gen, DType::f64), b = randn({500}, gen, DType::f64);
    const Tensor z = a * b + 1.0;
    const auto av = a.to_vector(), bv = b.to_vector(), zv = z.to_vector();
    for (size_t i = 0; i < zv.size(); i += 997)
        EXPECT_NEAR(zv[i], av[i] * bv[i % 500] + 1.0, 1e-14);
    const Tensor rs = sum(a, 1);
    double r7 = 0;
    for (int j = 0; j < 500; ++j) r7 += av[7 * 500 + j];
    EXPECT_NEAR(rs.at({7}), r7, 1e-12);
}

namespace {
// C = A B by the definition, in long double.
std::vector<double> reference_matmul(const std::vector<double>& A, const std::vector<double>& B,
                                     int m, int k, int n) {
    std::vector<double> C(static_cast<size_t>(m) * n);
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            long double s = 0;
            for (int l = 0; l < k; ++l) s += static_cast<long double>(A[i * k + l]) * B[l * n + j];
            C[i * n + j] = static_cast<double>(s);
        }
    return C;
}
}  // namespace

TEST(Tensor, MatmulEqualsReferenceGemmWithSelectedKernel) {
    // Sizes that exercise OpenBLAS's blocking edges, in both precisions and with transposed views.
    Generator gen(7);
    for (auto [m, k, n] :
         {std::tuple{1, 1, 1}, {7, 13, 5}, {64, 100, 33}, {129, 257, 65}, {300, 200, 400}}) {
        for (DType dtype : {DType::f32, DType::f64}) {
            const Tensor A = randn({m, k}, gen, dtype), B = randn({k, n}, gen, dtype);
            const auto ref = reference_matmul(A.to_vector(), B.to_vector(), m, k, n);
            const Tensor C = matmul(A, B);
            const Tensor Ct =
                matmul(A.t().contiguous().t(), B.t().contiguous().t());  // transposed views
            const double tol =
                (dtype == DType::f32 ? 2e-5 : 1e-12) * std::sqrt(static_cast<double>(k));
            const auto c = C.to_vector(), ct = Ct.to_vector();
            double worst = 0;
            for (size_t i = 0; i < ref.size(); ++i)
                worst = std::max({worst, std::abs(c[i] - ref[i]), std::abs(ct[i] - ref[i])});
            EXPECT_LT(worst, tol * 4) << m << "x" << k << "x" << n << " " << dtype_name(dtype)
                                      << " kernel " << blas::core_name();
        }
    }
    std::cout << "OpenBLAS kernel: detected " << blas::detected_core_name() << ", using "
              << blas::core_name() << "\n";
}

TEST(Tensor, BatchedMatmul) {
    Generator gen(8);
    const Tensor A = randn({3, 4, 5}, gen, DType::f64), B = randn({3, 5, 2}, gen, DType::f64);
    const Tensor C = matmul(A, B);
    ASSERT_EQ(C.shape(), (Shape{3, 4, 2}));
    for (int b = 0; b < 3; ++b) {
        const Tensor Cb = matmul(A.narrow(0, b, 1).squeeze(0), B.narrow(0, b, 1).squeeze(0));
        const auto x = Cb.to_vector(), y = C.narrow(0, b, 1).squeeze(0).to_vector();
        for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-12);
    }
}

TEST(Tensor, RandomTensorsReproducible) {
    Generator g1(11), g2(11);
    EXPECT_EQ(randn({5, 5}, g1).to_vector(), randn({5, 5}, g2).to_vector());
    Generator gen(12);
    const Tensor p = Tensor::full({100000}, 0.3, DType::f64);
    const double freq = sum(bernoulli(p, gen)).item() / 1e5;
    EXPECT_NEAR(freq, 0.3, 3 * std::sqrt(0.3 * 0.7 / 1e5));
    auto perm = randperm(10, gen);
    std::sort(perm.begin(), perm.end());
    for (int i = 0; i < 10; ++i) EXPECT_EQ(perm[i], i);
}
