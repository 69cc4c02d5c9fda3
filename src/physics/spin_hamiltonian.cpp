// Lattice bonds, sublattices and translations of the spin Hamiltonians in spin_hamiltonian.hpp.
#include "gibbs/physics/spin_hamiltonian.hpp"

#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

SpinModel parse_spin_model(const std::string& name) {
    if (name == "tfim") return SpinModel::kTfim;
    if (name == "heisenberg") return SpinModel::kHeisenberg;
    fail("unknown spin system '", name, "' (expected tfim or heisenberg)");
}

std::string to_string(SpinModel model) { return model == SpinModel::kTfim ? "tfim" : "heisenberg"; }

SpinHamiltonian::SpinHamiltonian(const SpinSystem& system) : system_(system) {
    const int L = system.L;
    check(system.dim == 1 || system.dim == 2, "spin lattice: dim must be 1 or 2, got ", system.dim);
    check(L >= 2, "spin lattice: L must be at least 2, got ", L);
    n_ = system.dim == 1 ? L : L * L;
    check(n_ <= 64, "spin lattice: at most 64 sites, got ", n_);
    // NOTE: periodic chains of even length and L×L tori with even L are bipartite.
    bipartite_ = L % 2 == 0;
    sublattice_.assign(n_, -1);
    if (system.dim == 1) {
        for (int i = 0; i < L; ++i) {
            bonds_.push_back({i, (i + 1) % L});
            if (bipartite_) sublattice_[i] = i % 2;
        }
        for (int t = 0; t < L; ++t) {
            std::vector<int> image(L);
            for (int i = 0; i < L; ++i) image[i] = (i + t) % L;
            translation_.push_back(std::move(image));
        }
    } else {
        auto site = [L](int x, int y) { return ((y + L) % L) * L + (x + L) % L; };
        for (int y = 0; y < L; ++y)
            for (int x = 0; x < L; ++x) {
                bonds_.push_back({site(x, y), site(x + 1, y)});
                bonds_.push_back({site(x, y), site(x, y + 1)});
                if (bipartite_) sublattice_[site(x, y)] = (x + y) % 2;
            }
        for (int ty = 0; ty < L; ++ty)
            for (int tx = 0; tx < L; ++tx) {
                std::vector<int> image(n_);
                for (int y = 0; y < L; ++y)
                    for (int x = 0; x < L; ++x) image[site(x, y)] = site(x + tx, y + ty);
                translation_.push_back(std::move(image));
            }
    }
    if (system.model == SpinModel::kTfim) {
        zz_sign_ = -1.0;
    } else {
        zz_sign_ = 1.0;
        exchange_ = 2.0 * system.J;
        if (system.marshall) {
            check(bipartite_,
                  "heisenberg: the Marshall sign rule needs a bipartite lattice (even L), got L = ",
                  L);
            exchange_ = -exchange_;
        }
    }
}

}  // namespace gibbs::physics
