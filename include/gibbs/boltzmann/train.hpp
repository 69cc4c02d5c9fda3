// Training RBMs by stochastic gradient ascent on the log-likelihood, the gradient written out as
// the difference of a data ("positive") and a model ("negative") expectation (Hinton 2002):
//   ∂ log p(x)/∂θ = −⟨∂E/∂θ⟩_{p(h|x)} + ⟨∂E/∂θ⟩_{p(x,h)},
//   binary:   ΔW ∝ ⟨x hᵀ⟩_data − ⟨x hᵀ⟩_model,  Δa ∝ ⟨x⟩_data − ⟨x⟩_model,  Δb ∝ ⟨h⟩_data −
//   ⟨h⟩_model Gaussian: the same with x replaced by x/σ² in ΔW, and Δa ∝ ⟨(x − a)/σ²⟩_data −
//   ⟨…⟩_model.
//   Gaussian with σ learned (Cho, Ilin & Raiko, ICANN 2011): the parameter is z_i = log σ_i²
//   (σ stays positive), and with ∂E/∂z_i = −(x_i − a_i)²/2σ_i² + x_i (Wh)_i/σ_i²,
//     ∂ log p(x)/∂z_i = −⟨∂E/∂z_i⟩_{p(h|x)} + ⟨∂E/∂z_i⟩_{p(x,h)}
//       = ⟨(x_i − a_i)²/2σ_i² − x_i (W p(h|x))_i/σ_i²⟩_data − ⟨same⟩_model
//   (h enters linearly, so it is replaced by p(h=1|x) on both sides, as for W and b).
// The hidden expectations use p(h=1|x) (Rao–Blackwellized). The model expectation comes from
//   CD-k  (Hinton 2002): k block-Gibbs sweeps started at the minibatch;
//   PCD-k (Tieleman, ICML 2008): C persistent chains advanced k sweeps per update;
//   PT    (Desjardins et al., AISTATS 2010; Cho, Raiko & Ilin, IJCNN 2010): C persistent chains at
//         each of K inverse temperatures 1 = β_0 > ... > β_{K−1}, sampling p_β ∝ e^{−βE}, with
//         replica exchanges after each update; β = 1 supplies the expectation.
// Updates are SGD with momentum, weight decay on W only, and a learning-rate schedule per epoch
// (gibbs/optim). Monitoring: reconstruction error, pseudo-log-likelihood, free-energy gap.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gibbs/boltzmann/rbm.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/optim/sgd.hpp"

namespace gibbs::boltzmann {

enum class Method { kCd, kPcd, kTempering };
enum class Schedule { kConstant, kExponential, kCosine };

struct RbmTrainOptions {
    Method method = Method::kCd;
    int64_t k = 1;              // Gibbs sweeps per negative phase
    int64_t chains = 0;         // PCD, PT: persistent chains (per temperature); 0: batch size
    int64_t temperatures = 10;  // PT: K
    double beta_min = 0.5;      // PT: the smallest β (geometric spacing)
    int64_t batch = 64;
    double lr = 0.01;
    double momentum = 0.0;
    double weight_decay = 0.0;  // λ, on W only: ΔW −= η λ W
    Schedule schedule = Schedule::kConstant;
    double gamma = 0.95;  // exponential schedule: η(t) = η₀ γ^t, t in epochs
    int64_t epochs = 1;   // cosine schedule: η anneals to 0 over this many epochs
    uint64_t seed = 0;
    // Gaussian visible units: also learn σ through z = log σ² (equations above), by SGD with
    // learning rate sigma_lr (0: lr) and the same momentum and schedule.
    bool learn_sigma = false;
    double sigma_lr = 0.0;
    // Floor on a learned σ, applied after each step (z ≥ log σ_min²). A visible unit with no
    // variance in the data (Fashion-MNIST's border pixels) would otherwise drive σ → 0 and the
    // density without bound.
    double sigma_min = 1e-2;
    // false: W stays as it is (e.g. W = 0: the visible units alone, N(a, σ²) or Bernoulli).
    bool learn_weights = true;
    // OpenMP/BLAS threads during an epoch; 0: OpenMP's count (OMP_NUM_THREADS). The count is
    // never chosen from the machine's load, so a seed and a thread count fix the result.
    // NOTE: on a busy machine fewer threads can be much faster: at load 11 on 2 cores a CD-1
    // epoch of 784 × 500 took 47.5 s on two threads and 6.0 s on one (every threaded GEMM waits
    // at barriers for a descheduled thread).
    int threads = 0;
};

// The thread count an epoch uses for RbmTrainOptions::threads = `requested` (see there).
int training_threads(int requested);

// One row of metrics.jsonl per epoch.
struct EpochStats {
    int64_t epoch = 0;
    double seconds = 0;                // training time of the epoch (monitoring excluded)
    double lr = 0;                     // learning rate used in the epoch
    double reconstruction_error = 0;   // mean over rows of ‖x − E[x|h]‖², h ~ p(h|x)
    double pseudo_log_likelihood = 0;  // binary only (else NaN)
    double free_energy_gap = 0;        // mean F(valid) − mean F(train); NaN without validation
    double swap_acceptance = 0;        // PT: mean exchange acceptance (else NaN)
    int threads = 0;                   // threads used
};

class RbmTrainer {
  public:
    // Trains `rbm` in place; it must outlive the trainer. Parameters are converted to float32.
    RbmTrainer(Rbm& rbm, RbmTrainOptions options);
    ~RbmTrainer();

    // One update from the minibatch v0 (B, M), contiguous float32.
    void step(const float* v0, int64_t B);
    // One pass over the rows of data (n, M) in a fresh random order, then the schedule's step.
    // Monitoring uses up to 1000 rows of data and of `valid` (may be undefined).
    EpochStats epoch(const Tensor& data, const Tensor& valid = Tensor());

    const RbmTrainOptions& options() const { return options_; }
    int64_t epochs_done() const { return epochs_done_; }
    double lr() const;

  private:
    struct Work;
    void negative_cd(int64_t B);
    void negative_pcd();
    void negative_tempering();
    void update(const float* v0, int64_t B, const float* vn, const float* pn, int64_t C);
    void sigma_gradient(const float* v0, int64_t B, const float* vn, const float* pn, int64_t C);

    Rbm& rbm_;
    RbmTrainOptions options_;
    Generator gen_;
    std::unique_ptr<Work> w_;
    std::unique_ptr<optim::Sgd> opt_W_, opt_bias_, opt_sigma_;
    Tensor log_var_;  // z = log σ² (M), learned when options_.learn_sigma
    std::vector<std::unique_ptr<optim::LrScheduler>> schedules_;
    int64_t epochs_done_ = 0;
};

// ---- monitors (float64 results) ----
double reconstruction_error(const Rbm& rbm, const Tensor& data, Generator& gen);
// Stochastic pseudo-log-likelihood, as scikit-learn's BernoulliRBM.score_samples: for each row one
// random bit i is flipped (x̃) and M log σ(F(x̃) − F(x)) estimates Σ_i log p(x_i | x_{−i}).
// Returns the mean over rows. Binary RBMs only.
double pseudo_log_likelihood(const Rbm& rbm, const Tensor& data, Generator& gen);
// mean F(valid) − mean F(train): grows when the model overfits (Hinton's guide, §6).
double free_energy_gap(const Rbm& rbm, const Tensor& train, const Tensor& valid);

// ∂F(x)/∂z_i with z_i = log σ_i², for each row of x (B, M) of a Gaussian RBM: (B, M), float64,
//   ∂F/∂z_i = ⟨∂E/∂z_i⟩_{p(h|x)} = −(x_i − a_i)²/2σ_i² + x_i (W p(h=1|x))_i/σ_i².
// (The data term of the σ gradient; −∂ log p(x)/∂z = ∂F/∂z − ⟨∂F/∂z⟩_model.)
Tensor free_energy_grad_log_var(const Rbm& rbm, const Tensor& x);

const char* method_name(Method method);

// Visible biases from the data (Hinton's guide, §8): binary a_i = log(p_i/(1 − p_i)) with p_i the
// smoothed base rates of base_rates(); Gaussian a_i = mean of x_i. Starting there, the model's
// marginals match the data's from the first update (and AIS from base rates starts close).
void init_visible_biases(Rbm& rbm, const Tensor& data);  // "cd", "pcd", "pt"

}  // namespace gibbs::boltzmann
