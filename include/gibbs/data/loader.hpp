// Datasets held as tensors and the minibatch loader of a training loop (layer 5 data).
//
// A TensorDataset is N examples: features x (N, ...) in float32, and either class labels
// (N integers in 0..C-1, for classification) or targets y (N, T) in float32 (for regression).
// The DataLoader cuts an epoch into minibatches of B examples in a seeded random order (a new
// permutation each epoch, Fisher–Yates from gibbs::Generator); each batch is a new contiguous
// tensor whose rows are copied with memcpy. The loader's generator state is part of a training
// checkpoint, so a resumed run draws the same permutations as an uninterrupted one.
//
//   data::DataLoader loader(train, {.batch_size = 128, .seed = 1});
//   for (int epoch = 0; epoch < epochs; ++epoch)
//       for (const data::Batch& b : loader.epoch()) { ... b.x (B, 784), b.labels (B) ... }
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "gibbs/data/idx.hpp"
#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::data {

struct TensorDataset {
    Tensor x;                     // (N, ...) float32 features
    Tensor y;                     // (N, T) float32 regression targets; undefined when classifying
    std::vector<int64_t> labels;  // (N) class indices; empty for regression
    int64_t num_classes = 0;      // C, 0 for regression

    int64_t size() const { return x.defined() ? x.size(0) : 0; }
    bool is_classification() const { return num_classes > 0; }
    // The examples at `indices`, in that order (rows copied with memcpy).
    TensorDataset select(std::span<const int64_t> indices) const;
    // The first min(n, N) examples (a copy).
    TensorDataset head(int64_t n) const;
    // Checks that x, y and labels agree in N, labels lie in 0..C-1 and every feature and target
    // is finite; throws gibbs::Error naming `what` and the first bad example otherwise.
    void validate(const std::string& what) const;
};

// A labelled image set (IDX bytes 0..255) as a dataset: x = pixels / 255 in [0, 1], shaped
// (N, rows·cols) when `flatten`, else (N, 1, rows, cols) for convolutions.
TensorDataset images_dataset(const IdxArray& images, const IdxArray& labels, int64_t num_classes,
                             bool flatten = true);

// Maps x linearly onto [0, 1]: (x − min x) / (max x − min x) over all elements; a constant tensor
// becomes zeros.
Tensor scale_to_unit(const Tensor& x);
// 1 where x > threshold, else 0 (for Bernoulli visible units of Boltzmann machines).
Tensor binarize(const Tensor& x, double threshold = 0.5);

// A seeded split into (train, validation): round(fraction · N) examples chosen uniformly at random
// go to validation, the rest to train; both keep the dataset's order. fraction in [0, 1).
std::pair<TensorDataset, TensorDataset> train_validation_split(const TensorDataset& data,
                                                               double fraction, uint64_t seed);

// Column means and standard deviations of a 2-D tensor (N, P), for standardizing inputs and
// targets on the training split: z = (x − mean) / std. A column with zero spread gets std = 1.
struct Standardizer {
    std::vector<double> mean;  // (P)
    std::vector<double> std;   // (P)

    static Standardizer fit(const Tensor& x);
    // In place on a contiguous float32 (N, P) tensor.
    void apply_(Tensor& x) const;
    // x = z · std + mean, in place.
    void invert_(Tensor& z) const;
};

struct Batch {
    Tensor x;                     // (B, ...) float32
    Tensor y;                     // (B, T), undefined when classifying
    std::vector<int64_t> labels;  // (B), empty for regression
    int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

struct DataLoaderOptions {
    int64_t batch_size = 64;
    bool shuffle = true;
    bool drop_last = false;  // drop the final batch when it holds fewer than batch_size examples
    uint64_t seed = 0;       // seeds the shuffling generator
};

class DataLoader {
  public:
    // Keeps a reference to `data`, which must outlive the loader.
    explicit DataLoader(const TensorDataset& data, DataLoaderOptions options = {});

    int64_t batches_per_epoch() const;
    // Examples seen in one epoch: N, or B·⌊N/B⌋ with drop_last.
    int64_t examples_per_epoch() const;
    const DataLoaderOptions& options() const { return options_; }

    // Begins an epoch: draws a new permutation when shuffling. Called by epoch().
    void start_epoch();
    // Fills `batch` with the next minibatch of the current epoch; false when the epoch is done.
    bool next(Batch& batch);

    // The shuffling generator's state, for checkpoints; set_state() before start_epoch() makes
    // the coming epochs draw what they would have drawn.
    Generator::State state() const { return gen_.state(); }
    void set_state(const Generator::State& state) { gen_.set_state(state); }

    // One epoch as a range: `for (const Batch& b : loader.epoch())`.
    class Iterator {
      public:
        Iterator(DataLoader* loader) : loader_(loader) { advance(); }
        Iterator() = default;
        const Batch& operator*() const { return batch_; }
        Iterator& operator++() {
            advance();
            return *this;
        }
        bool operator!=(const Iterator& other) const { return loader_ != other.loader_; }

      private:
        void advance() {
            if (loader_ && !loader_->next(batch_)) loader_ = nullptr;
        }
        DataLoader* loader_ = nullptr;
        Batch batch_;
    };
    struct Epoch {
        DataLoader* loader;
        Iterator begin() {
            loader->start_epoch();
            return Iterator(loader);
        }
        Iterator end() { return Iterator(); }
    };
    Epoch epoch() { return Epoch{this}; }

  private:
    const TensorDataset& data_;
    DataLoaderOptions options_;
    Generator gen_;
    std::vector<int64_t> order_;  // (N) the current epoch's permutation
    int64_t cursor_ = 0;          // position in order_ of the next batch
};

// Copies the rows of `src` (N, ...) at `indices` into a new contiguous tensor (M, ...), one memcpy
// per row, threaded for large copies.
Tensor gather_rows(const Tensor& src, std::span<const int64_t> indices);

}  // namespace gibbs::data
