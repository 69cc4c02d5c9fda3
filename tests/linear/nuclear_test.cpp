// The liquid-drop fit to the measured AME2016 binding energies (A ≥ 16) against textbook values of
// the coefficients. Textbooks differ (Krane, Introductory Nuclear Physics: a_V 15.5, a_S 16.8,
// a_C 0.72, a_A 23; Rohlf, Modern Physics: 15.75, 17.8, 0.711, 23.7), so each coefficient must lie
// in the span of those values widened by 3%.
#include <gtest/gtest.h>

#include <filesystem>

#include "gibbs/data/ame.hpp"
#include "gibbs/linear/liquid_drop.hpp"

namespace {

TEST(LiquidDrop, Ame2016CoefficientsMatchTextbooks) {
    const std::string path = GIBBS_SOURCE_DIR "/../shared/data/mass16.txt";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
    const auto nuclei = gibbs::data::read_ame2016(path, {.min_A = 16});
    const auto [Z, N, B] = gibbs::data::nuclide_columns(nuclei);
    const auto f = gibbs::linear::fit_liquid_drop(Z, N, B);
    auto within = [](double v, double lo, double hi) { return v >= 0.97 * lo && v <= 1.03 * hi; };
    EXPECT_TRUE(within(f.a_V, 15.5, 15.75)) << f.a_V;
    EXPECT_TRUE(within(f.a_S, 16.8, 17.8)) << f.a_S;
    EXPECT_TRUE(within(f.a_C, 0.711, 0.72)) << f.a_C;
    EXPECT_TRUE(within(f.a_A, 23.0, 23.7)) << f.a_A;
    // The formula misses shell effects: an RMS error of a few MeV over B of up to ~1.8 GeV.
    EXPECT_GT(f.rms, 1.0);
    EXPECT_LT(f.rms, 5.0);
}

}  // namespace
