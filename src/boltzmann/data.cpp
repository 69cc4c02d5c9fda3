// Loading visible data for Boltzmann machines (see gibbs/boltzmann/data.hpp).
#include "gibbs/boltzmann/data.hpp"

#include <cmath>
#include <cstdio>

#include "gibbs/io/safetensors.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

Tensor binarize_fashion_mnist(const data::LabeledImages& images) {
    const int64_t n = images.size(), M = 28 * 28;
    Tensor x = Tensor::empty({n, M});
    float* xp = x.data<float>();
    const uint8_t* px = images.images.data.data();
    // pixel/255 > 0.5  ⇔  pixel > 127.5  ⇔  pixel ≥ 128
    for (int64_t k = 0; k < n * M; ++k) xp[k] = px[k] >= 128 ? 1.0f : 0.0f;
    return x;
}

namespace {

template <typename T>
void copy_values(const io::RawTensor& raw, float* out) {
    const auto v = io::raw_tensor_values<T>(raw);
    for (size_t k = 0; k < v.size(); ++k) out[k] = static_cast<float>(v[k]);
}

}  // namespace

VisibleData load_visible_data(const std::string& spec, Visible visible, data::Split split,
                              const std::string& tensor) {
    VisibleData d;
    d.source = spec;
    if (spec == "fashion-mnist") {
        const auto images = data::load_fashion_mnist(split);
        d.height = d.width = 28;
        if (visible == Visible::kBinary) {
            d.x = binarize_fashion_mnist(images);
        } else {
            const int64_t n = images.size(), M = 784;
            d.x = Tensor::empty({n, M});
            float* xp = d.x.data<float>();
            for (int64_t k = 0; k < n * M; ++k) xp[k] = images.images.data[k] / 255.0f;
        }
        return d;
    }
    const io::SafetensorsFile f = io::read_safetensors(spec);
    const io::RawTensor* raw = nullptr;
    std::string name = tensor;
    if (!tensor.empty()) {
        raw = f.find(tensor);
        check(raw != nullptr, spec, ": no tensor '", tensor, "'");
    } else {
        for (const char* candidate : {"configurations", "data", "x"})
            if ((raw = f.find(candidate))) {
                name = candidate;
                break;
            }
        if (!raw) {
            for (const auto& [n, t] : f.tensors)
                if (t.shape.size() == 2) {
                    check(raw == nullptr, spec,
                          ": several 2-D tensors and none named 'configurations', 'data' or 'x'");
                    raw = &t;
                    name = n;
                }
        }
        check(raw != nullptr, spec, ": no 2-D tensor of training data (rows = samples)");
    }
    check(raw->shape.size() == 2 && raw->shape[0] > 0 && raw->shape[1] > 0, spec, ": tensor '",
          name, "' must be a non-empty 2-D (samples, units) array");
    const int64_t n = raw->shape[0], M = raw->shape[1];
    d.x = Tensor::empty({n, M});
    float* xp = d.x.data<float>();
    const std::string& dt = raw->dtype;
    if (dt == "U8" || dt == "BOOL")
        copy_values<uint8_t>(*raw, xp);
    else if (dt == "I8")
        copy_values<int8_t>(*raw, xp);
    else if (dt == "I16")
        copy_values<int16_t>(*raw, xp);
    else if (dt == "I32")
        copy_values<int32_t>(*raw, xp);
    else if (dt == "I64")
        copy_values<int64_t>(*raw, xp);
    else if (dt == "F32")
        copy_values<float>(*raw, xp);
    else if (dt == "F64")
        copy_values<double>(*raw, xp);
    else
        fail(spec, ": tensor '", name, "' has dtype ", dt, "; expected U8, I8-I64, F32 or F64");
    for (int64_t k = 0; k < n * M; ++k) {
        const float v = xp[k];
        check(std::isfinite(v), spec, ": tensor '", name, "' row ", k / M, " column ", k % M,
              " is not finite");
        check(visible == Visible::kGaussian || v == 0.0f || v == 1.0f, spec, ": tensor '", name,
              "' row ", k / M, " column ", k % M, " is ", v,
              "; binary visible units need 0/1 data (use --visible gaussian for real values)");
    }
    d.width = M;
    const auto L = f.metadata.find("L");
    const auto shape = f.metadata.find("image_shape");
    const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(M))));
    if (L != f.metadata.end() && std::stoll(L->second) * std::stoll(L->second) == M) {
        d.height = d.width = std::stoll(L->second);
    } else if (shape != f.metadata.end()) {
        int64_t h = 0, w = 0;
        if (std::sscanf(shape->second.c_str(), "%ld,%ld", &h, &w) == 2 && h * w == M) {
            d.height = h;
            d.width = w;
        }
    } else if (side * side == M) {
        d.height = d.width = side;
    }
    return d;
}

}  // namespace gibbs::boltzmann
