// Checkpoints of tensors: named float32/float64 tensors in a safetensors file (F32/F64), with
// string metadata in "__metadata__". Module state uses its parameter paths as names
// ("layers.0.weight"); a training checkpoint adds the optimizer's state under a prefix
// ("optimizer.params.0.exp_avg"). Files are written atomically, so an interrupted save leaves the
// previous checkpoint whole, and any safetensors reader can open them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gibbs/nn/module.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct Checkpoint {
    NamedTensors tensors;                         // in file order
    std::map<std::string, std::string> metadata;  // "__metadata__"
    std::string path;                             // the file it came from, for messages

    // The tensor called `name`, or nullptr.
    const Tensor* find(std::string_view name) const;
    // The tensors whose names start with `prefix`, with the prefix removed, in file order.
    NamedTensors with_prefix(std::string_view prefix) const;
    // metadata[key], or a gibbs::Error naming the file and the missing key.
    const std::string& meta(const std::string& key) const;
};

// Writes the tensors (contiguous copies are made of views) and metadata atomically. Throws
// gibbs::Error for a duplicate or empty name.
void save_checkpoint(const std::string& path, const NamedTensors& tensors,
                     const std::map<std::string, std::string>& metadata = {});
// Reads a safetensors file whose tensors are all F32 or F64; another dtype is an error naming the
// tensor (read such files with read_safetensors).
Checkpoint load_checkpoint(const std::string& path);

// Copies `tensors` into the module's parameters and buffers (module.state()), in place. Every
// module tensor must be present with the same dtype and shape and every given tensor must belong
// to the module; otherwise gibbs::Error names `source` and the first mismatching tensor (with both
// shapes), and the module is left unchanged.
void load_module_state(nn::Module& module, const NamedTensors& tensors,
                       const std::string& source = "checkpoint");

// The same tensors with `prefix` put before each name (e.g. "optimizer.").
NamedTensors prefixed(const NamedTensors& tensors, std::string_view prefix);

}  // namespace gibbs::io
