// Two-sample distances that judge a generative model by its samples.
//
// Energy distance (Székely & Rizzo 2013), for samples X = {x_i} (n) and Y = {y_j} (m) in Rᵈ:
//   D²(X, Y) = (2/nm) Σ_ij ‖x_i − y_j‖ − (1/n²) Σ_ii' ‖x_i − x_i'‖ − (1/m²) Σ_jj' ‖y_j − y_j'‖,
// the V-statistic (the i = i' terms included). It is ≥ 0, and 0 in the population limit iff the
// distributions agree. For two independent samples of one distribution its expectation is the
// finite-sample floor (1/n + 1/m)·E‖X − X'‖ > 0; `gibbs eval` reports it as
// "energy_distance_baseline", measured between two fresh data samples of the same sizes, so that
// "model within 2× of the baseline" is a meaningful target.
//
// Maximum mean discrepancy with the Gaussian kernel k(x, y) = exp(−‖x − y‖² / 2h²)
// (Gretton et al. 2012), the unbiased estimator
//   MMD²_u = (1/n(n−1)) Σ_{i≠i'} k(x_i, x_i') + (1/m(m−1)) Σ_{j≠j'} k(y_j, y_j')
//            − (2/nm) Σ_ij k(x_i, y_j).
// The bandwidth h defaults to the median pairwise distance of the pooled sample.
//
// All sums are accumulated in float64 whatever the inputs' dtype; inputs are (n, d) and (m, d)
// (or (n, ...) flattened per row), with OpenMP over rows.
#pragma once

#include <cstdint>

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::gen {

double energy_distance(const Tensor& x, const Tensor& y);

// MMD²_u with bandwidth h; h <= 0 picks the median heuristic.
double mmd2_rbf(const Tensor& x, const Tensor& y, double bandwidth = 0);

// The median of the pairwise distances of the rows of x and y pooled (at most 2000 rows of
// each are used, the first ones).
double median_distance(const Tensor& x, const Tensor& y);

}  // namespace gibbs::gen
