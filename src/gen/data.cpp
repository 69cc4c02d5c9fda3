// The data of generative runs (gibbs/gen/data.hpp).
#include "gibbs/gen/data.hpp"

#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/gen/toy.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

bool is_image_data(const std::string& name) { return name == kFashionMnist; }

void check_data_name(const std::string& name) {
    if (is_toy(name) || is_image_data(name)) return;
    std::string known;
    for (const std::string& k : toy_names()) known += k + ", ";
    fail("--data '", name, "' is not a data set of generative models; give one of ", known,
         kFashionMnist);
}

data::TensorDataset generative_data(const std::string& name, bool test, int64_t n, Generator& gen) {
    check_data_name(name);
    check(n >= 0, "--data ", name, ": the number of examples must not be negative, got ", n);
    if (is_toy(name)) {
        check(n > 0, "--data ", name, ": give the number of toy samples to draw");
        data::TensorDataset d;
        d.x = sample_toy(name, n, gen, DType::f32);
        return d;
    }
    const data::LabeledImages images =
        data::load_fashion_mnist(test ? data::Split::kTest : data::Split::kTrain);
    data::TensorDataset d =
        data::images_dataset(images.images, images.labels, 10, /*flatten=*/false);
    return n > 0 && n < d.size() ? d.head(n) : d;
}

}  // namespace gibbs::gen
