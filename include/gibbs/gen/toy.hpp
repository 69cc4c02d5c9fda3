// Two-dimensional toy densities for generative models, each with an exact sampler, so that model
// samples can be compared with fresh data samples (gibbs/gen/metrics.hpp). The names are the
// values of `--data`:
//
//   eight-gaussians  an equal mixture of eight N(c_k, σ²I), c_k = 2 (cos kπ/4, sin kπ/4), σ = 0.1
//   moons            two interleaved half circles: (cos t, sin t) and (1 − cos t, ½ − sin t),
//                    t ~ U[0, π], each chosen with probability ½, plus N(0, 0.1²I) noise, shifted
//                    by (−½, −¼) so that the mean is near 0
//   swiss-roll       r = t/5 (cos t, sin t), t ~ U[1.5π, 4.5π], plus N(0, 0.1²I) noise
//   checkerboard     uniform on the 8 dark squares of a 4×4 board on [−2, 2]²: the unit squares
//                    [i, i+1) × [j, j+1) with i + j even
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::gen {

// The toy density names, in the order above.
const std::vector<std::string>& toy_names();
bool is_toy(std::string_view name);

// n independent draws (n, 2). Throws gibbs::Error for an unknown name (listing the known ones)
// or a negative n.
Tensor sample_toy(std::string_view name, int64_t n, Generator& gen, DType dtype = DType::f32);

// The eight mode centres c_k of eight-gaussians (8, 2) and their standard deviation σ.
Tensor eight_gaussians_centers(DType dtype = DType::f64);
inline constexpr double kEightGaussiansSigma = 0.1;

// Mode coverage for a mixture with the given centres (K, d): a sample belongs to its nearest
// centre when it lies within `radius` of it; a mode is covered when at least `min_fraction` of
// the samples belong to it. Returns the number of covered modes and (optionally) the count per
// mode and the fraction of samples near no mode.
struct ModeCoverage {
    int64_t covered = 0;
    std::vector<int64_t> counts;  // samples belonging to each centre
    double off_mode = 0;          // fraction of samples farther than `radius` from every centre
};
ModeCoverage mode_coverage(const Tensor& samples, const Tensor& centers, double radius,
                           double min_fraction = 0.01);

}  // namespace gibbs::gen

namespace gibbs::gen {

// A picture of 2-D points: a `pixels`×`pixels` PNG of the square [−extent, extent]², white where
// no point fell and darker with the number of points per pixel (log scale), written atomically.
void write_scatter_png(const std::string& path, const Tensor& points, double extent = 3.0,
                       int64_t pixels = 256);

}  // namespace gibbs::gen
