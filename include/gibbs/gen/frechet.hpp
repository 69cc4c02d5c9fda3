// The Fréchet distance between two sets of images, measured in the features of a fixed reference
// classifier (the "FID" of Heusel et al. 2017, with a small Fashion-MNIST CNN in place of
// Inception-v3), and that classifier's labels for class-conditional samples.
//
// Each image set is summarized by the Gaussian moments of its features f ∈ R^F (F = 128):
//   μ = (1/n) Σᵢ fᵢ,   Σ = (1/(n−1)) Σᵢ (fᵢ − μ)(fᵢ − μ)ᵀ     (float64, unbiased),
// and two sets are compared by the Fréchet (2-Wasserstein) distance of N(μ₁, Σ₁) and N(μ₂, Σ₂)
// (Dowson & Landau 1982):
//   d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}).
// The matrix square roots are symmetric ones, from Eigen's SelfAdjointEigenSolver:
// S^{1/2} = V diag(√max(λ, 0)) Vᵀ, the max clamping rounding's tiny negative eigenvalues of a
// positive semi-definite S. (Σ₁^{1/2} Σ₂ Σ₁^{1/2} is symmetric, unlike the product Σ₁Σ₂ whose
// square root other codes take with a general sqrtm; the traces agree.) The distance is 0 only
// for equal moments, and estimated from samples it is biased upwards by O(F/n): compare numbers
// measured with the same n, and with "frechet_distance_baseline" (two real sets).
//
// The reference classifier (version kReferenceVersion):
//   x (N, 1, 28, 28) in [0, 1] → conv 3×3 (16) → ReLU → maxpool 2 → conv 3×3 (32) → ReLU →
//   maxpool 2 → flatten (1568) → Linear (128) → ReLU = features f (N, 128) → Linear (10) → logits
// trained by gibbs on the 60,000 Fashion-MNIST training images (cross-entropy, Adam, cosine
// learning rate, fixed seed, one thread so that the build repeats bit for bit on one machine).
// It is cached as a safetensors file whose metadata records the settings, the test accuracy, the
// build time and an FNV-1a checksum of the tensors, verified whenever the file is loaded.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "gibbs/tensor/tensor.hpp"

namespace gibbs::gen {

// ---- Gaussian moments and the Fréchet distance ----

struct GaussianMoments {
    Tensor mean;    // (F) float64
    Tensor cov;     // (F, F) float64, unbiased
    int64_t n = 0;  // number of rows they came from
};

// The moments of the rows of `features` (n, F), any float dtype, n >= 2.
GaussianMoments gaussian_moments(const Tensor& features);

// d² above, for mean vectors (F) and covariance matrices (F, F) (symmetric positive
// semi-definite); throws gibbs::Error when the shapes disagree or a value is not finite.
double frechet_distance(const Tensor& mu1, const Tensor& S1, const Tensor& mu2, const Tensor& S2);
double frechet_distance(const GaussianMoments& a, const GaussianMoments& b);

// The symmetric square root V diag(√max(λ, 0)) Vᵀ of a symmetric matrix S (F, F), float64.
Tensor psd_sqrt(const Tensor& S);

// ---- the reference classifier ----

inline constexpr const char* kReferenceVersion = "fmnist-v1";

// How the reference classifier is trained; the defaults are the cached reference
// (reference-fmnist-v1.safetensors). Tests build smaller ones.
struct ReferenceSettings {
    std::vector<int64_t> channels = {16, 32};  // the two conv blocks
    int64_t features = 128;                    // F, the penultimate layer's width
    int64_t epochs = 5;
    int64_t batch = 64;
    double lr = 2e-3;            // Adam's peak rate, annealed to 0 by a cosine over the run
    uint64_t seed = 1;           // initialization and shuffling
    int64_t train_examples = 0;  // the first ones of the training split; 0: all 60,000

    bool operator==(const ReferenceSettings&) const = default;
};

// One line: "CNN 16,32-128, 5 epochs of Adam (lr 0.002, batch 64) on 60000 images, seed 1".
std::string describe(const ReferenceSettings& settings);

class ReferenceClassifier {
  public:
    // Trains a classifier on the Fashion-MNIST training split with one thread (the OpenMP
    // thread count is restored afterwards) and measures its test accuracy.
    static ReferenceClassifier build(const ReferenceSettings& settings = {});
    // Reads a saved classifier and verifies its checksum: a file that is not a reference
    // classifier, was truncated or edited, or has another version is a gibbs::Error naming the
    // file and saying to delete it (it is then rebuilt on the next use).
    static ReferenceClassifier load(const std::string& path);
    // Writes the tensors and metadata atomically (folders are created as needed).
    void save(const std::string& path) const;

    // Penultimate-layer features (n, F) float64 of images (n, 1, 28, 28) or (n, 784) with pixels
    // in [0, 1] (any float dtype), computed in batches without an autograd graph.
    Tensor features(const Tensor& images) const;
    // The most probable class of each image.
    std::vector<int64_t> predict(const Tensor& images) const;
    // The fraction of images whose predicted class is the label.
    double accuracy(const Tensor& images, const std::vector<int64_t>& labels) const;
    // Gaussian moments of the features of `images`.
    GaussianMoments moments(const Tensor& images) const;
    // The Fréchet distance between the feature moments of two image sets.
    double frechet_distance(const Tensor& images_a, const Tensor& images_b) const;

    const ReferenceSettings& settings() const { return settings_; }
    double test_accuracy() const { return test_accuracy_; }
    double build_seconds() const { return build_seconds_; }
    // "fnv1a64:" and 16 hex digits over the tensors' names, shapes and bytes.
    std::string checksum() const;
    std::string describe() const;

  private:
    struct Net;
    // One forward pass in batches: features (n, F) float32 and logits (n, 10).
    void forward(const Tensor& images, Tensor* features, Tensor* logits) const;

    std::shared_ptr<Net> net_;
    ReferenceSettings settings_;
    double test_accuracy_ = 0;
    double build_seconds_ = 0;
};

// The folder of cached files: $GIBBS_CACHE_DIR when set and not empty, else
// $XDG_CACHE_HOME/gibbs, else $HOME/.cache/gibbs.
std::string cache_dir();
// cache_dir()/reference-fmnist-v1.safetensors
std::string reference_path();

// The reference classifier saved in `path` (reference_path() when empty), built and saved first
// when the file does not exist; then one line on `log` (stderr by default, nullptr: silent) says
// that it is being built and another how long it took and its test accuracy. A file that exists
// must hold a classifier built with `settings` (else gibbs::Error: delete it to rebuild).
ReferenceClassifier load_or_build_reference(const ReferenceSettings& settings = {},
                                            const std::string& path = "", std::FILE* log = stderr);

}  // namespace gibbs::gen
