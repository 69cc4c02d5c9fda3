// Weight initializers (in place, not recorded by autograd). For W of shape (out, in, ...):
// fan_in = in·k, fan_out = out·k with k the product of the remaining (kernel) dimensions.
//   Xavier/Glorot (Glorot & Bengio 2010): U(±√(6/(fan_in+fan_out))) or N(0, 2/(fan_in+fan_out));
//   He/Kaiming (He et al. 2015), for ReLU: U(±√(6/fan_in)) or N(0, 2/fan_in).
#pragma once

#include "gibbs/tensor/random.hpp"
#include "gibbs/tensor/tensor.hpp"

namespace gibbs::nn {

enum class Init { uniform_fan_in, xavier_uniform, xavier_normal, he_uniform, he_normal, zeros };

int64_t fan_in(const Tensor& w);
int64_t fan_out(const Tensor& w);

void xavier_uniform_(Tensor& w, Generator& gen);
void xavier_normal_(Tensor& w, Generator& gen);
void he_uniform_(Tensor& w, Generator& gen);
void he_normal_(Tensor& w, Generator& gen);
void uniform_(Tensor& w, double lo, double hi, Generator& gen);
void normal_(Tensor& w, double mean, double sd, Generator& gen);
// Applies the initializer named by `init`; uniform_fan_in is U(±1/√fan_in).
void initialize_(Tensor& w, Init init, Generator& gen);

}  // namespace gibbs::nn
