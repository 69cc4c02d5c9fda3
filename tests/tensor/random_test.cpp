// The generator: reproducible streams, and moments of the distributions within 3 standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "gibbs/tensor/random.hpp"

using gibbs::Generator;

TEST(Generator, SameSeedSameStream) {
    Generator a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
    EXPECT_NE(Generator(42).next(), c.next());
}

TEST(Generator, UniformMomentsWithinThreeStandardErrors) {
    // U(0,1): mean 1/2, variance 1/12.
    Generator gen(1);
    const int n = 200000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double u = gen.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
        sum2 += u * u;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, 0.5, 3 * std::sqrt(1.0 / 12 / n));
    EXPECT_NEAR(var, 1.0 / 12, 3 * std::sqrt(1.0 / 180 / n));  // Var(U^2-ish) bound: (1/80-1/144)
}

TEST(Generator, NormalMomentsWithinThreeStandardErrors) {
    // N(0,1): mean 0 (se 1/sqrt(n)), variance 1 (se sqrt(2/n)).
    Generator gen(2);
    const int n = 200000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double z = gen.normal();
        sum += z;
        sum2 += z * z;
    }
    EXPECT_NEAR(sum / n, 0.0, 3 / std::sqrt(n));
    EXPECT_NEAR(sum2 / n, 1.0, 3 * std::sqrt(2.0 / n));
}

TEST(Generator, IntegerCoversRangeUniformly) {
    Generator gen(3);
    const int n = 60000, k = 6;
    int count[k] = {};
    for (int i = 0; i < n; ++i) {
        const int64_t v = gen.integer(10, 10 + k);
        ASSERT_GE(v, 10);
        ASSERT_LT(v, 10 + k);
        ++count[v - 10];
    }
    // Each count ~ Binomial(n, 1/6): sd = sqrt(n p (1-p)).
    const double sd = std::sqrt(n * (1.0 / k) * (1 - 1.0 / k));
    for (int c : count) EXPECT_NEAR(c, n / k, 3.5 * sd);
}

TEST(Generator, SplitStreamsDiffer) {
    Generator parent(5);
    Generator child = parent.split();
    std::set<uint64_t> seen;
    for (int i = 0; i < 1000; ++i) {
        seen.insert(parent.next());
        seen.insert(child.next());
    }
    EXPECT_EQ(seen.size(), 2000u);
}

TEST(Generator, StateRoundTrip) {
    Generator gen(9);
    gen.normal();  // leaves a spare normal in the state
    const auto st = gen.state();
    const double a = gen.normal(), b = gen.uniform();
    gen.set_state(st);
    EXPECT_EQ(gen.normal(), a);
    EXPECT_EQ(gen.uniform(), b);
}
