// TensorDataset, scaling, splitting, standardizing, and the shuffling minibatch loader.
#include "gibbs/data/loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gibbs/tensor/error.hpp"

namespace gibbs::data {

namespace {
// Copies above this many bytes are split over OpenMP threads.
constexpr size_t kParallelCopyBytes = size_t{1} << 21;

Shape with_rows(const Shape& shape, int64_t rows) {
    Shape s = shape;
    s[0] = rows;
    return s;
}
}  // namespace

Tensor gather_rows(const Tensor& src_in, std::span<const int64_t> indices) {
    check(src_in.dim() >= 1, "gather_rows: need at least one dimension, got a scalar");
    const Tensor src = src_in.contiguous();
    const int64_t n = src.size(0), m = static_cast<int64_t>(indices.size());
    const size_t row_bytes = n == 0 ? 0 : src.numel() / n * itemsize(src.dtype());
    Tensor out = Tensor::empty(with_rows(src.shape(), m), src.dtype());
    const char* from = static_cast<const char*>(src.raw_data());
    char* to = static_cast<char*>(out.raw_data());
    for (int64_t i : indices)
        check(i >= 0 && i < n, "gather_rows: index ", i, " outside [0, ", n, ")");
    if (row_bytes * m >= kParallelCopyBytes) {
#pragma omp parallel for schedule(static)
        for (int64_t j = 0; j < m; ++j)
            std::memcpy(to + j * row_bytes, from + indices[j] * row_bytes, row_bytes);
    } else {
        for (int64_t j = 0; j < m; ++j)
            std::memcpy(to + j * row_bytes, from + indices[j] * row_bytes, row_bytes);
    }
    return out;
}

TensorDataset TensorDataset::select(std::span<const int64_t> indices) const {
    TensorDataset out;
    out.num_classes = num_classes;
    out.x = gather_rows(x, indices);
    if (y.defined()) out.y = gather_rows(y, indices);
    if (!labels.empty()) {
        out.labels.resize(indices.size());
        for (size_t j = 0; j < indices.size(); ++j) out.labels[j] = labels[indices[j]];
    }
    return out;
}

TensorDataset TensorDataset::head(int64_t n) const {
    std::vector<int64_t> idx(std::clamp<int64_t>(n, 0, size()));
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int64_t>(i);
    return select(idx);
}

void TensorDataset::validate(const std::string& what) const {
    check(x.defined() && x.dim() >= 1, what, ": no features");
    check(x.dtype() == DType::f32, what, ": features must be float32, got ", dtype_name(x.dtype()));
    const int64_t n = size();
    if (is_classification()) {
        check(static_cast<int64_t>(labels.size()) == n, what, ": ", labels.size(), " labels for ",
              n, " examples");
        for (int64_t i = 0; i < n; ++i)
            check(labels[i] >= 0 && labels[i] < num_classes, what, ": label ", labels[i],
                  " of example ", i, " is not a class 0..", num_classes - 1);
    } else {
        check(y.defined() && y.dim() >= 1 && y.size(0) == n, what, ": targets ",
              y.defined() ? cat(y.shape()) : std::string("missing"), " for ", n, " examples");
    }
    auto check_finite = [&](const Tensor& t, const char* name) {
        const Tensor c = t.contiguous();
        const float* p = c.data<float>();
        const int64_t per_row = n == 0 ? 0 : c.numel() / n;
        for (int64_t i = 0; i < c.numel(); ++i)
            check(std::isfinite(p[i]), what, ": ", name, " of example ", i / per_row,
                  " is not finite (", p[i], ")");
    };
    check_finite(x, "a feature");
    if (y.defined()) check_finite(y, "the target");
}

TensorDataset images_dataset(const IdxArray& images, const IdxArray& labels, int64_t num_classes,
                             bool flatten) {
    check(images.shape.size() == 3, "images_dataset: images must be (N, rows, cols), got ",
          images.shape.size(), " dimensions");
    check(labels.shape.size() == 1 && labels.shape[0] == images.shape[0],
          "images_dataset: ", labels.shape.empty() ? 0 : labels.shape[0], " labels for ",
          images.shape[0], " images");
    const int64_t n = images.shape[0], h = images.shape[1], w = images.shape[2];
    TensorDataset d;
    d.x = flatten ? Tensor::empty({n, h * w}) : Tensor::empty({n, 1, h, w});
    float* px = d.x.data<float>();
    const uint8_t* pi = images.data.data();
    const int64_t total = n * h * w;
#pragma omp parallel for schedule(static) if (total > (1 << 20))
    for (int64_t i = 0; i < total; ++i) px[i] = static_cast<float>(pi[i]) * (1.0f / 255.0f);
    d.labels.assign(labels.data.begin(), labels.data.end());
    d.num_classes = num_classes;
    return d;
}

Tensor scale_to_unit(const Tensor& x_in) {
    const Tensor x = x_in.contiguous();
    Tensor out = Tensor::empty(x.shape(), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        const T* p = x.data<T>();
        T* q = out.data<T>();
        const int64_t n = x.numel();
        if (n == 0) return;
        const auto [lo, hi] = std::minmax_element(p, p + n);
        const T a = *lo, range = *hi - *lo;
        const T inv = range > 0 ? T(1) / range : T(0);
        for (int64_t i = 0; i < n; ++i) q[i] = (p[i] - a) * inv;
    });
    return out;
}

Tensor binarize(const Tensor& x_in, double threshold) {
    const Tensor x = x_in.contiguous();
    Tensor out = Tensor::empty(x.shape(), x.dtype());
    dispatch(x.dtype(), [&]<typename T>() {
        const T* p = x.data<T>();
        T* q = out.data<T>();
        const T t = static_cast<T>(threshold);
        for (int64_t i = 0; i < x.numel(); ++i) q[i] = p[i] > t ? T(1) : T(0);
    });
    return out;
}

std::pair<TensorDataset, TensorDataset> train_validation_split(const TensorDataset& data,
                                                               double fraction, uint64_t seed) {
    check(fraction >= 0 && fraction < 1, "validation fraction must be in [0, 1), got ", fraction);
    const int64_t n = data.size();
    const int64_t n_val = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
    check(n - n_val >= 1, "validation fraction ", fraction, " leaves no training examples of ", n);
    if (n_val == 0) return {data, data.select({})};  // shares the tensors, no copy
    Generator gen(seed);
    std::vector<int64_t> perm = randperm(n, gen);
    std::vector<int64_t> val(perm.begin(), perm.begin() + n_val);
    std::vector<int64_t> train(perm.begin() + n_val, perm.end());
    std::sort(val.begin(), val.end());
    std::sort(train.begin(), train.end());
    return {data.select(train), data.select(val)};
}

Standardizer Standardizer::fit(const Tensor& x_in) {
    check(x_in.dim() == 2, "Standardizer: need (N, P), got ", x_in.shape());
    const Tensor x = x_in.contiguous();
    const int64_t n = x.size(0), p = x.size(1);
    check(n >= 1, "Standardizer: no examples");
    Standardizer s{std::vector<double>(p, 0.0), std::vector<double>(p, 0.0)};
    dispatch(x.dtype(), [&]<typename T>() {
        const T* px = x.data<T>();
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < p; ++j) s.mean[j] += px[i * p + j];
        for (double& m : s.mean) m /= static_cast<double>(n);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < p; ++j) {
                const double d = px[i * p + j] - s.mean[j];
                s.std[j] += d * d;
            }
    });
    // NOTE: the population standard deviation (divide by N), as scikit-learn's StandardScaler.
    for (double& v : s.std) {
        v = std::sqrt(v / static_cast<double>(n));
        if (!(v > 0)) v = 1.0;
    }
    return s;
}

void Standardizer::apply_(Tensor& x) const {
    check(x.dim() == 2 && x.is_contiguous() && x.size(1) == static_cast<int64_t>(mean.size()),
          "Standardizer: need a contiguous (N, ", mean.size(), ") tensor, got ", x.shape());
    dispatch(x.dtype(), [&]<typename T>() {
        T* px = x.data<T>();
        const int64_t n = x.size(0), p = x.size(1);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < p; ++j)
                px[i * p + j] = static_cast<T>((px[i * p + j] - mean[j]) / std[j]);
    });
}

void Standardizer::invert_(Tensor& z) const {
    check(z.dim() == 2 && z.is_contiguous() && z.size(1) == static_cast<int64_t>(mean.size()),
          "Standardizer: need a contiguous (N, ", mean.size(), ") tensor, got ", z.shape());
    dispatch(z.dtype(), [&]<typename T>() {
        T* pz = z.data<T>();
        const int64_t n = z.size(0), p = z.size(1);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < p; ++j)
                pz[i * p + j] = static_cast<T>(pz[i * p + j] * std[j] + mean[j]);
    });
}

DataLoader::DataLoader(const TensorDataset& data, DataLoaderOptions options)
    : data_(data), options_(options), gen_(options.seed) {
    check(options_.batch_size >= 1, "DataLoader: batch size must be at least 1, got ",
          options_.batch_size);
    check(data_.x.defined(), "DataLoader: the dataset has no features");
    order_.resize(data_.size());
    cursor_ = data_.size();  // no epoch started
}

int64_t DataLoader::batches_per_epoch() const {
    const int64_t n = data_.size(), b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
}

int64_t DataLoader::examples_per_epoch() const {
    return options_.drop_last ? data_.size() / options_.batch_size * options_.batch_size
                              : data_.size();
}

void DataLoader::start_epoch() {
    const int64_t n = data_.size();
    order_.resize(n);
    for (int64_t i = 0; i < n; ++i) order_[i] = i;
    if (options_.shuffle) {
        // Fisher–Yates: position i takes a uniform pick among the positions not yet fixed.
        for (int64_t i = n - 1; i > 0; --i) std::swap(order_[i], order_[gen_.integer(0, i + 1)]);
    }
    cursor_ = 0;
}

bool DataLoader::next(Batch& batch) {
    const int64_t n = data_.size();
    const int64_t b = std::min(options_.batch_size, n - cursor_);
    if (b <= 0 || (options_.drop_last && b < options_.batch_size)) {
        cursor_ = n;
        return false;
    }
    const std::span<const int64_t> idx(order_.data() + cursor_, b);
    cursor_ += b;
    batch.x = gather_rows(data_.x, idx);
    batch.y = data_.y.defined() ? gather_rows(data_.y, idx) : Tensor();
    batch.labels.resize(data_.labels.empty() ? 0 : b);
    for (size_t j = 0; j < batch.labels.size(); ++j) batch.labels[j] = data_.labels[idx[j]];
    return true;
}

}  // namespace gibbs::data
