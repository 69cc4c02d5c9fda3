// Tensor-level safetensors checkpoints: Tensor <-> RawTensor, and loading into a module with
// every name, dtype and shape checked before anything is written.
#include "gibbs/io/checkpoint.hpp"

#include <cstring>
#include <set>

#include "gibbs/io/safetensors.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::io {

namespace {
std::string shape_text(const Shape& s) { return cat(s); }
}  // namespace

const Tensor* Checkpoint::find(std::string_view name) const {
    for (const auto& [n, t] : tensors)
        if (n == name) return &t;
    return nullptr;
}

NamedTensors Checkpoint::with_prefix(std::string_view prefix) const {
    NamedTensors out;
    for (const auto& [n, t] : tensors)
        if (n.starts_with(prefix)) out.emplace_back(n.substr(prefix.size()), t);
    return out;
}

const std::string& Checkpoint::meta(const std::string& key) const {
    const auto it = metadata.find(key);
    check(it != metadata.end(), path, ": metadata has no '", key, "'");
    return it->second;
}

NamedTensors prefixed(const NamedTensors& tensors, std::string_view prefix) {
    NamedTensors out;
    out.reserve(tensors.size());
    for (const auto& [n, t] : tensors) out.emplace_back(std::string(prefix) + n, t);
    return out;
}

void save_checkpoint(const std::string& path, const NamedTensors& tensors,
                     const std::map<std::string, std::string>& metadata) {
    SafetensorsFile file;
    file.metadata = metadata;
    file.tensors.reserve(tensors.size());
    for (const auto& [name, t] : tensors) {
        check(!name.empty(), path, ": a tensor has an empty name");
        check(t.defined(), path, ": tensor '", name, "' is undefined");
        const Tensor c = t.contiguous();
        RawTensor raw;
        raw.dtype = c.dtype() == DType::f32 ? "F32" : "F64";
        raw.shape.assign(c.shape().begin(), c.shape().end());
        raw.data.resize(static_cast<size_t>(c.numel()) * itemsize(c.dtype()));
        if (!raw.data.empty()) std::memcpy(raw.data.data(), c.raw_data(), raw.data.size());
        file.tensors.emplace_back(name, std::move(raw));
    }
    write_safetensors(path, file);  // checks duplicate names, writes atomically
}

Checkpoint load_checkpoint(const std::string& path) {
    SafetensorsFile file = read_safetensors(path);
    Checkpoint ck;
    ck.path = path;
    ck.metadata = std::move(file.metadata);
    ck.tensors.reserve(file.tensors.size());
    for (auto& [name, raw] : file.tensors) {
        check(raw.dtype == "F32" || raw.dtype == "F64", path, ": tensor '", name, "' has dtype ",
              raw.dtype, "; checkpoints hold F32 or F64 tensors");
        const DType dtype = raw.dtype == "F32" ? DType::f32 : DType::f64;
        check(raw.shape.size() <= static_cast<size_t>(Shape::kMaxDims), path, ": tensor '", name,
              "' has ", raw.shape.size(), " dimensions; at most ", Shape::kMaxDims);
        Tensor t = Tensor::empty(Shape(std::span<const int64_t>(raw.shape)), dtype);
        if (!raw.data.empty()) std::memcpy(t.raw_data(), raw.data.data(), raw.data.size());
        raw.data = {};
        ck.tensors.emplace_back(name, std::move(t));
    }
    return ck;
}

void load_module_state(nn::Module& module, const NamedTensors& tensors, const std::string& source) {
    const NamedTensors targets = module.state();
    std::set<std::string> expected;
    for (const auto& [name, t] : targets) expected.insert(name);
    // Check everything first, in the module's order, so that the first mismatch is reported and
    // nothing is half-loaded.
    std::vector<const Tensor*> sources;
    sources.reserve(targets.size());
    for (const auto& [name, target] : targets) {
        const Tensor* found = nullptr;
        for (const auto& [n, t] : tensors)
            if (n == name) found = &t;
        check(found != nullptr, source, ": no tensor '", name, "' of shape ",
              shape_text(target.shape()), " for the model");
        check(found->shape() == target.shape(), source, ": tensor '", name, "' has shape ",
              shape_text(found->shape()), " but the model's has shape ",
              shape_text(target.shape()));
        check(found->dtype() == target.dtype(), source, ": tensor '", name, "' is ",
              dtype_name(found->dtype()), " but the model's is ", dtype_name(target.dtype()));
        sources.push_back(found);
    }
    for (const auto& [n, t] : tensors)
        check(expected.count(n) == 1, source, ": tensor '", n, "' of shape ", shape_text(t.shape()),
              " has no place in the model");
    for (size_t i = 0; i < targets.size(); ++i) {
        Tensor target = targets[i].second;
        check(target.is_contiguous(), "load_module_state: model tensor '", targets[i].first,
              "' is not contiguous");
        const Tensor src = sources[i]->contiguous();
        if (target.numel() > 0)
            std::memcpy(target.raw_data(), src.raw_data(),
                        static_cast<size_t>(target.numel()) * itemsize(target.dtype()));
    }
}

}  // namespace gibbs::io
