// Every number of a safetensors checkpoint, tensor by tensor in the file's order: two runs that
// should agree bit for bit compare equal as vectors.
#pragma once

#include <string>
#include <vector>

#include "gibbs/io/checkpoint.hpp"

namespace gibbs::testing {

inline std::vector<double> checkpoint_values(const std::string& path) {
    std::vector<double> all;
    for (const auto& [name, t] : io::load_checkpoint(path).tensors)
        for (double v : t.to_vector()) all.push_back(v);
    return all;
}

}  // namespace gibbs::testing
