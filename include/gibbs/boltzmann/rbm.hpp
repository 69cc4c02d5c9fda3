// Restricted Boltzmann machines (Smolensky 1986; Hinton, Neural Computation 14, 1771, 2002;
// Hinton, "A practical guide to training RBMs", UTML TR 2010-003): M visible units x, N hidden
// units h ∈ {0,1}^N, weights W (M, N), visible biases a (M), hidden biases b (N).
//
// Binary–binary (x ∈ {0,1}^M):
//   E(x,h) = −aᵀx − bᵀh − xᵀWh
//   p(h_j=1|x) = σ(b_j + (xᵀW)_j),   p(x_i=1|h) = σ(a_i + (Wh)_i)
//   F(x) = −log Σ_h e^{−E(x,h)} = −aᵀx − Σ_j softplus(b_j + (xᵀW)_j)
// Gaussian–binary (x ∈ ℝ^M, standard deviations σ (M); Cho, Ilin & Raiko, ICANN 2011 form):
//   E(x,h) = Σ_i (x_i − a_i)²/2σ_i² − bᵀh − Σ_ij x_i W_ij h_j / σ_i²
//   p(h_j=1|x) = σ(b_j + Σ_i x_i W_ij / σ_i²),   p(x_i|h) = N(a_i + (Wh)_i, σ_i²)
//   F(x) = Σ_i (x_i − a_i)²/2σ_i² − Σ_j softplus(b_j + Σ_i x_i W_ij / σ_i²)
// p(x, h) = e^{−E(x,h)}/Z and p(x) = e^{−F(x)}/Z.
//
// Parameters are float32 (training, sampling) or float64 (as loaded; exact partition functions).
// Energies and free energies are computed in float64 whatever the parameters' dtype.
// Checkpoints are safetensors files: tensors W (M, N), a (M), b (N) and, Gaussian only, sigma (M),
// F32 or F64, with __metadata__ {"model": "rbm", "visible": "binary"|"gaussian",
// "hidden": "binary"}; other metadata entries are kept (e.g. "image_shape": "28,28").
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "gibbs/mcmc/gibbs.hpp"
#include "gibbs/mcmc/metropolis.hpp"
#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::boltzmann {

enum class Visible { kBinary, kGaussian };

const char* visible_name(Visible visible);       // "binary" or "gaussian"
Visible parse_visible(const std::string& name);  // throws gibbs::Error naming the value

struct RbmInit {
    double weight_std = 0.01;  // W_ij ~ N(0, weight_std²) (Hinton's guide, §8)
    double sigma = 1.0;        // σ_i of Gaussian visible units
    DType dtype = DType::f32;
};

class Rbm : public mcmc::BlockModel {
  public:
    Rbm() = default;
    // W ~ N(0, s²), a = b = 0, σ = init.sigma.
    Rbm(int64_t M, int64_t N, Visible visible, Generator& gen, RbmInit init = {});
    // From given parameters (copied to contiguous tensors); checks their shapes.
    Rbm(Visible visible, Tensor W, Tensor a, Tensor b, Tensor sigma = Tensor());

    Visible visible() const { return visible_; }
    int64_t M() const { return W.size(0); }
    int64_t N() const { return W.size(1); }
    DType dtype() const { return W.dtype(); }
    // The same machine with parameters in `dtype` (a copy).
    Rbm to(DType dtype) const;

    Tensor W;                                     // (M, N)
    Tensor a;                                     // (M)
    Tensor b;                                     // (N)
    Tensor sigma;                                 // (M), Gaussian visible units only
    std::map<std::string, std::string> metadata;  // extra checkpoint metadata

    // ---- energies, float64, one value per row: x (B, M), h (B, N) -> (B) ----
    Tensor energy(const Tensor& x, const Tensor& h) const;
    Tensor free_energy(const Tensor& x) const;

    // ---- conditionals, in the parameters' dtype ----
    Tensor hidden_prob(const Tensor& x) const;   // p(h=1|x), (B, N)
    Tensor visible_mean(const Tensor& h) const;  // E[x|h]: σ(a + Wh) or a + Wh, (B, M)
    Tensor sample_hidden(const Tensor& x, Generator& gen) const;
    Tensor sample_visible(const Tensor& h, Generator& gen) const;

    // mcmc::BlockModel: h ~ p(h|x) and x ~ p(x|h) into preallocated contiguous tensors.
    int64_t visible_size() const override { return M(); }
    int64_t hidden_size() const override { return N(); }
    void sample_hidden_into(const Tensor& x, Tensor& h, Generator& gen) const override;
    void sample_visible_into(const Tensor& h, Tensor& x, Generator& gen) const override;

  private:
    Visible visible_ = Visible::kBinary;
};

// ---- checkpoints ----
void save_rbm(const std::string& path, const Rbm& rbm);
// Reads a checkpoint written by any tool; throws gibbs::Error naming the file and the tensor or
// metadata entry that is missing or wrong.
Rbm load_rbm(const std::string& path);

}  // namespace gibbs::boltzmann

namespace gibbs::boltzmann {

// F(x) of a binary RBM for single-flip Metropolis (gibbs/mcmc/metropolis.hpp): keeps
// u = b + xᵀW, so flipping x_i changes F by −(1 − 2x_i) a_i − Σ_j [softplus(u_j ± W_ij) −
// softplus(u_j)], O(N) per proposal. Float64.
class RbmFlipEnergy : public mcmc::FlipEnergy {
  public:
    explicit RbmFlipEnergy(const Rbm& rbm);
    int64_t size() const override { return M_; }
    void reset(std::span<const uint8_t> x) override;
    double flip_delta(int64_t i) const override;
    void flip(int64_t i) override;
    std::span<const uint8_t> state() const override { return x_; }

  private:
    int64_t M_, N_;
    std::vector<double> W_, a_, b_, u_;  // (M, N), (M), (N), (N)
    std::vector<uint8_t> x_;
};

}  // namespace gibbs::boltzmann
