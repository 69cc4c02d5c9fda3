// Preparing Fashion-MNIST and CSV tables as tensors for `gibbs train` and `gibbs eval`.
#include "gibbs/train/data.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "gibbs/data/csv.hpp"
#include "gibbs/data/fashion_mnist.hpp"

namespace gibbs::train {

namespace {
data::TensorDataset fashion_mnist(const TrainConfig& c, data::Split split, int64_t limit) {
    const data::LabeledImages raw = data::load_fashion_mnist(split);
    data::TensorDataset d = data::images_dataset(raw.images, raw.labels, 10, c.model == "mlp");
    return limit > 0 && limit < d.size() ? d.head(limit) : d;
}

// The CSV columns as a dataset: the target column as labels or a (N, 1) target, the feature
// columns (in `features` order, or all other columns when empty) as x (N, P).
data::TensorDataset csv_dataset(const TrainConfig& c, const std::string& path, int64_t limit,
                                std::vector<std::string>& features) {
    const data::CsvTable t = data::read_csv(path);
    const int64_t rows = t.values.rows();
    check(rows >= 1, path, ": no data rows after the header");
    const int64_t target = t.index_of(c.target);
    std::vector<int64_t> cols;
    if (features.empty()) {
        for (int64_t j = 0; j < static_cast<int64_t>(t.columns.size()); ++j)
            if (j != target) {
                cols.push_back(j);
                features.push_back(t.columns[j]);
            }
    } else {
        for (const std::string& name : features) cols.push_back(t.index_of(name));
    }
    check(!cols.empty(), path, ": no feature columns besides the target '", c.target, "'");
    const int64_t n = limit > 0 ? std::min(limit, rows) : rows;
    const int64_t P = static_cast<int64_t>(cols.size());
    data::TensorDataset d;
    d.x = Tensor::empty({n, P});
    float* px = d.x.data<float>();
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < P; ++j) px[i * P + j] = static_cast<float>(t.values(i, cols[j]));
    if (c.is_classification()) {
        d.labels.resize(n);
        for (int64_t i = 0; i < n; ++i) {
            const double v = t.values(i, target);
            check(v == std::floor(v) && v >= 0 && v < 1e6, path, ": data row ", i + 1, ": target '",
                  c.target, "' = ", v, " is not a class index (0, 1, 2, ...)");
            d.labels[i] = static_cast<int64_t>(v);
            d.num_classes = std::max(d.num_classes, d.labels[i] + 1);
        }
    } else {
        d.y = Tensor::empty({n, 1});
        float* py = d.y.data<float>();
        for (int64_t i = 0; i < n; ++i) py[i] = static_cast<float>(t.values(i, target));
    }
    return d;
}

void standardize(const TrainConfig& c, data::TensorDataset& d) {
    if (d.size() == 0) return;
    c.x_scale.apply_(d.x);
    if (!c.is_classification()) c.y_scale.apply_(d.y);
}
}  // namespace

RunData prepare_data(TrainConfig& c, uint64_t split_seed) {
    data::TensorDataset all;
    RunData r;
    if (c.is_fashion_mnist()) {
        all = fashion_mnist(c, data::Split::kTrain, c.limit);
        r.test = fashion_mnist(c, data::Split::kTest, 0);
        c.input_shape.assign(all.x.shape().begin() + 1, all.x.shape().end());
        c.class_names.assign(data::kFashionMnistClasses.begin(), data::kFashionMnistClasses.end());
    } else {
        c.feature_names.clear();
        all = csv_dataset(c, c.data, c.limit, c.feature_names);
        c.input_shape = {all.x.size(1)};
    }
    all.validate(c.data);
    c.outputs = c.is_classification() ? all.num_classes : 1;
    check(!c.is_classification() || c.outputs >= 2, c.data, ": the target '", c.target,
          "' has a single class; classification needs at least two");
    std::tie(r.train, r.validation) = data::train_validation_split(all, c.validation, split_seed);
    if (!c.is_fashion_mnist()) {
        c.x_scale = data::Standardizer::fit(r.train.x);
        if (!c.is_classification()) c.y_scale = data::Standardizer::fit(r.train.y);
        standardize(c, r.train);
        standardize(c, r.validation);
    }
    return r;
}

data::TensorDataset load_eval_data(const TrainConfig& c, const std::string& path, int64_t limit) {
    if (path == kFashionMnist) {
        check(c.is_fashion_mnist(), "eval: the model was trained on ", c.data,
              ", not on fashion-mnist");
        return fashion_mnist(c, data::Split::kTest, limit);
    }
    check(!c.is_fashion_mnist(),
          "eval: the model was trained on fashion-mnist; evaluate it with "
          "--data fashion-mnist");
    std::vector<std::string> features = c.feature_names;
    data::TensorDataset d = csv_dataset(c, path, limit, features);
    d.validate(path);
    if (c.is_classification()) {
        for (int64_t i = 0; i < d.size(); ++i)
            check(d.labels[i] < c.outputs, path, ": class ", d.labels[i], " in data row ", i + 1,
                  " is beyond the model's ", c.outputs, " classes");
        d.num_classes = c.outputs;
    }
    standardize(c, d);
    return d;
}

}  // namespace gibbs::train
