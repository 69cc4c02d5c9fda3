// RBM checkpoints as safetensors files (format in gibbs/boltzmann/rbm.hpp). The reader accepts
// any writer's file: tensors in any order, F32 or F64 (each converted to W's dtype), with or
// without padding; it checks every shape and value before building the machine.
#include <cmath>

#include "gibbs/boltzmann/rbm.hpp"
#include "gibbs/io/safetensors.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

namespace {

io::RawTensor raw_of(const Tensor& t) {
    const Tensor c = t.contiguous();
    std::vector<int64_t> shape(c.shape().begin(), c.shape().end());
    if (c.dtype() == DType::f32)
        return io::make_raw_tensor<float>(shape, {c.data<float>(), static_cast<size_t>(c.numel())});
    return io::make_raw_tensor<double>(shape, {c.data<double>(), static_cast<size_t>(c.numel())});
}

// The named tensor as a gibbs Tensor of `rank` dimensions, F32 or F64, every value finite.
Tensor tensor_of(const io::SafetensorsFile& f, const std::string& path, const std::string& name,
                 int rank) {
    const io::RawTensor* raw = f.find(name);
    check(raw != nullptr, path, ": not an RBM checkpoint: no tensor '", name, "'");
    check(raw->dtype == "F32" || raw->dtype == "F64", path, ": tensor '", name, "' has dtype ",
          raw->dtype, "; RBM parameters must be F32 or F64");
    check(static_cast<int>(raw->shape.size()) == rank, path, ": tensor '", name, "' must have ",
          rank, " dimension(s), has ", raw->shape.size());
    Shape shape(std::span<const int64_t>(raw->shape.data(), raw->shape.size()));
    Tensor t;
    if (raw->dtype == "F32") {
        const auto v = io::raw_tensor_values<float>(*raw);
        t = Tensor::from_floats(v, shape);
    } else {
        const auto v = io::raw_tensor_values<double>(*raw);
        t = Tensor::from(v, shape, DType::f64);
    }
    const auto values = t.to_vector();
    for (size_t i = 0; i < values.size(); ++i)
        check(std::isfinite(values[i]), path, ": tensor '", name, "' has a non-finite value (",
              values[i], ") at flat index ", i);
    return t;
}

}  // namespace

void save_rbm(const std::string& path, const Rbm& rbm) {
    io::SafetensorsFile f;
    f.tensors.emplace_back("W", raw_of(rbm.W));
    f.tensors.emplace_back("a", raw_of(rbm.a));
    f.tensors.emplace_back("b", raw_of(rbm.b));
    if (rbm.visible() == Visible::kGaussian) f.tensors.emplace_back("sigma", raw_of(rbm.sigma));
    f.metadata = rbm.metadata;
    f.metadata["model"] = "rbm";
    f.metadata["visible"] = visible_name(rbm.visible());
    f.metadata["hidden"] = "binary";
    io::write_safetensors(path, f);
}

Rbm load_rbm(const std::string& path) {
    const io::SafetensorsFile f = io::read_safetensors(path);
    auto meta = [&](const char* key) -> std::string {
        const auto it = f.metadata.find(key);
        return it == f.metadata.end() ? "" : it->second;
    };
    check(meta("model").empty() || meta("model") == "rbm", path, ": __metadata__ \"model\" is '",
          meta("model"), "', expected 'rbm'");
    check(meta("hidden").empty() || meta("hidden") == "binary", path,
          ": __metadata__ \"hidden\" is '", meta("hidden"), "'; only binary hidden units exist");
    const std::string vis =
        meta("visible").empty() ? (f.find("sigma") ? "gaussian" : "binary") : meta("visible");
    check(vis == "binary" || vis == "gaussian", path, ": __metadata__ \"visible\" is '", vis,
          "', expected 'binary' or 'gaussian'");
    const Visible visible = parse_visible(vis);
    Tensor W = tensor_of(f, path, "W", 2);
    Tensor a = tensor_of(f, path, "a", 1);
    Tensor b = tensor_of(f, path, "b", 1);
    const int64_t M = W.size(0), N = W.size(1);
    check(M > 0 && N > 0, path, ": tensor 'W' is empty, shape ", W.shape());
    check(a.size(0) == M, path, ": tensor 'a' has ", a.size(0), " elements; W is (", M, ", ", N,
          ") so it needs ", M);
    check(b.size(0) == N, path, ": tensor 'b' has ", b.size(0), " elements; W is (", M, ", ", N,
          ") so it needs ", N);
    Tensor sigma;
    if (visible == Visible::kGaussian) {
        sigma = tensor_of(f, path, "sigma", 1);
        check(sigma.size(0) == M, path, ": tensor 'sigma' has ", sigma.size(0), " elements, needs ",
              M);
        const auto s = sigma.to_vector();
        for (size_t i = 0; i < s.size(); ++i)
            check(s[i] > 0, path, ": tensor 'sigma' must be positive, has ", s[i], " at index ", i);
    }
    Rbm rbm(visible, W, a, b, sigma);
    for (const auto& [key, value] : f.metadata)
        if (key != "model" && key != "visible" && key != "hidden") rbm.metadata[key] = value;
    return rbm;
}

}  // namespace gibbs::boltzmann
