// The periodic L × L lattice of ±1 spins and its energy and magnetization.
#include <cmath>

#include "gibbs/physics/ising.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

IsingLattice::IsingLattice(int L) : L_(L) {
    check(L >= 2 && L <= 46340, "Ising lattice: size L must be between 2 and 46340, got ", L);
    spins_.assign(static_cast<std::size_t>(L) * L, 1);
}

void IsingLattice::randomize(Generator& gen) {
    std::size_t i = 0;
    while (i < spins_.size()) {
        uint64_t bits = gen.next();
        for (int b = 0; b < 64 && i < spins_.size(); ++b, ++i, bits >>= 1) {
            spins_[i] = (bits & 1) ? 1 : -1;
        }
    }
}

int64_t IsingLattice::energy() const {
    const int L = L_;
    const int8_t* s = spins_.data();
    int64_t sum = 0;  // Σ_i s_i (s_right(i) + s_down(i))
    for (int i = 0; i < L; ++i) {
        const int8_t* row = s + static_cast<std::size_t>(i) * L;
        const int8_t* down = s + static_cast<std::size_t>((i + 1) % L) * L;
        int row_sum = row[L - 1] * (row[0] + down[L - 1]);
        for (int j = 0; j < L - 1; ++j) row_sum += row[j] * (row[j + 1] + down[j]);
        sum += row_sum;
    }
    return -sum;
}

int64_t IsingLattice::magnetization() const {
    int64_t sum = 0;
    for (int8_t v : spins_) sum += v;
    return sum;
}

}  // namespace gibbs::physics
