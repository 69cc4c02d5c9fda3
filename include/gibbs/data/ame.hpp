// A reader for the Atomic Mass Evaluation table AME2016 (`mass16.txt`; Huang et al., Chinese
// Physics C 41, 030002 (2017); Wang et al., ibid. 030003). The file is fixed-width Fortran output
// (format a1,i3,i5,i5,i5,1x,a3,a4,1x,f13.5,f11.5,f11.3,f9.3,...); a '#' in place of the decimal
// point marks an estimated (non-experimental) value. The data are never copied into this
// project: pass the path of the user's copy.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace gibbs::data {

struct Nuclide {
    int N = 0, Z = 0, A = 0;
    std::string element;
    double mass_excess_keV = 0.0;
    double binding_per_nucleon_keV = 0.0;  // B/A
    double binding_uncertainty_keV = 0.0;  // of B/A
    bool estimated = false;                // B/A carries the '#' mark
    double binding_MeV() const { return binding_per_nucleon_keV * A * 1e-3; }
};

struct AmeOptions {
    bool include_estimated = false;  // keep the '#' (non-experimental) values
    int min_A = 1;                   // drop lighter nuclei (the neutron and 1H have B = 0)
};

// Reads every nuclide row; errors name the file, line and column of a malformed field.
std::vector<Nuclide> read_ame2016(const std::string& path, const AmeOptions& options = {});

// The columns a mass fit needs: proton and neutron numbers and binding energies B in MeV.
struct NuclideColumns {
    Eigen::VectorXi Z, N;  // (n)
    Eigen::VectorXd B;     // (n) MeV
};
NuclideColumns nuclide_columns(const std::vector<Nuclide>& nuclei);

}  // namespace gibbs::data
