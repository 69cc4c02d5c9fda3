// The AME2016 reader against the values quoted in /work/shared/data/README.md (which were checked
// against the file by hand): counts of measured and estimated rows and B/A of well-known nuclei.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gibbs/data/ame.hpp"
#include "gibbs/tensor/error.hpp"

using gibbs::data::read_ame2016;

namespace {

const std::string kPath = GIBBS_SOURCE_DIR "/../shared/data/mass16.txt";

TEST(Ame2016, CountsAndKnownBindingEnergies) {
    if (!std::filesystem::exists(kPath)) GTEST_SKIP() << kPath << " not present";
    const auto all = read_ame2016(kPath, {.include_estimated = true});
    const auto measured = read_ame2016(kPath);
    EXPECT_EQ(all.size(), 3436u);
    EXPECT_EQ(measured.size(), 2497u);
    auto find = [&](int Z, int A) {
        for (const auto& nu : measured)
            if (nu.Z == Z && nu.A == A) return nu;
        ADD_FAILURE() << "no Z=" << Z << " A=" << A;
        return gibbs::data::Nuclide{};
    };
    EXPECT_DOUBLE_EQ(find(2, 4).binding_per_nucleon_keV, 7073.915);
    EXPECT_DOUBLE_EQ(find(26, 56).binding_per_nucleon_keV, 8790.354);
    EXPECT_DOUBLE_EQ(find(82, 208).binding_per_nucleon_keV, 7867.453);
    EXPECT_EQ(find(82, 208).element, "Pb");
    EXPECT_NEAR(find(92, 238).binding_MeV(), 238 * 7.570125, 1e-9);
    // Estimated ('#') rows are excluded by default and flagged when included.
    size_t flagged = 0;
    for (const auto& nu : all) flagged += nu.estimated;
    EXPECT_EQ(flagged, 939u);
}

TEST(Ame2016, MalformedFieldNamesLineAndColumn) {
    if (!std::filesystem::exists(kPath)) GTEST_SKIP() << kPath << " not present";
    std::ifstream in(kPath);
    std::string text, line;
    for (int i = 1; std::getline(in, line) && i <= 41; ++i) {
        if (i == 41) line.replace(52, 11, "   abc.def ");
        text += line + "\n";
    }
    const auto bad = std::filesystem::temp_directory_path() / "gibbs_bad_mass16.txt";
    std::ofstream(bad) << text;
    try {
        read_ame2016(bad.string());
        FAIL();
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find(":41:53: field 'binding energy/A'"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(read_ame2016("/nonexistent/mass16.txt"), gibbs::Error);
}

}  // namespace
