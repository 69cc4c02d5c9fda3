// AME2016 fixed-width parsing. Columns (0-based slices, from the file's own header):
// N [4,9), Z [9,14), A [14,19), element [20,23), mass excess [28,41), B/A [52,63), its
// uncertainty [63,72). The 39 header lines end with the unit line under the column titles.
#include "gibbs/data/ame.hpp"

#include <charconv>
#include <fstream>

#include "gibbs/tensor/error.hpp"

namespace gibbs::data {

namespace {

constexpr int kHeaderLines = 39;

struct Field {
    size_t begin, end;
    const char* name;
};

std::string_view slice(const std::string& line, Field f) {
    if (f.begin >= line.size()) return {};
    std::string_view s = std::string_view(line).substr(f.begin, f.end - f.begin);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Parses a numeric field; '#' stands for the decimal point of an estimated value.
double number(const std::string& path, size_t line_no, const std::string& line, Field f,
              bool* estimated = nullptr) {
    std::string s(slice(line, f));
    const size_t hash = s.find('#');
    if (hash != std::string::npos) s[hash] = '.';
    if (estimated) *estimated = hash != std::string::npos;
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    check(!s.empty() && ec == std::errc() && ptr == s.data() + s.size(), path, ":", line_no, ":",
          f.begin + 1, ": field '", f.name, "' is not a number: '", slice(line, f), "'");
    return v;
}

}  // namespace

std::vector<Nuclide> read_ame2016(const std::string& path, const AmeOptions& options) {
    std::ifstream in(path);
    check(in.good(), path, ": cannot open the AME2016 mass table");
    const Field fN{4, 9, "N"}, fZ{9, 14, "Z"}, fA{14, 19, "A"}, fEl{20, 23, "EL"},
        fMass{28, 41, "mass excess"}, fBA{52, 63, "binding energy/A"},
        fBAunc{63, 72, "binding energy/A uncertainty"};
    std::vector<Nuclide> out;
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line_no == 1)
            check(line.find("A T O M I C   M A S S") != std::string::npos, path,
                  ":1: not an AME mass table (no 'ATOMIC MASS ADJUSTMENT' title)");
        if (line_no <= kHeaderLines || slice(line, {0, line.size(), ""}).empty()) continue;
        Nuclide nu;
        nu.N = static_cast<int>(number(path, line_no, line, fN));
        nu.Z = static_cast<int>(number(path, line_no, line, fZ));
        nu.A = static_cast<int>(number(path, line_no, line, fA));
        check(nu.N + nu.Z == nu.A, path, ":", line_no, ": N + Z != A");
        nu.element = std::string(slice(line, fEl));
        nu.mass_excess_keV = number(path, line_no, line, fMass);
        nu.binding_per_nucleon_keV = number(path, line_no, line, fBA, &nu.estimated);
        nu.binding_uncertainty_keV = number(path, line_no, line, fBAunc);
        if (nu.estimated && !options.include_estimated) continue;
        if (nu.A < options.min_A) continue;
        out.push_back(nu);
    }
    check(line_no > kHeaderLines, path, ": truncated AME2016 table (", line_no, " lines)");
    return out;
}

NuclideColumns nuclide_columns(const std::vector<Nuclide>& nuclei) {
    const Eigen::Index n = static_cast<Eigen::Index>(nuclei.size());
    NuclideColumns c{Eigen::VectorXi(n), Eigen::VectorXi(n), Eigen::VectorXd(n)};
    for (Eigen::Index i = 0; i < n; ++i) {
        c.Z(i) = nuclei[i].Z;
        c.N(i) = nuclei[i].N;
        c.B(i) = nuclei[i].binding_MeV();
    }
    return c;
}

}  // namespace gibbs::data
