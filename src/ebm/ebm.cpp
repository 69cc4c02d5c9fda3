// Energy networks, the replay buffer and the Du–Mordatch training step (gibbs/ebm/ebm.hpp).
#include "gibbs/ebm/ebm.hpp"

#include <cmath>
#include <cstring>

#include "gibbs/tensor/error.hpp"

namespace gibbs::ebm {

EnergyNet::EnergyNet(const EnergyNetOptions& o, Generator& gen) : options_(o) {
    net_ = register_module("net", std::make_shared<nn::Sequential>());
    if (o.image) {
        check(o.channels.size() == 3, "ebm: --channels needs three numbers c1,c2,c3, got ",
              o.channels.size());
        for (int64_t c : o.channels) check(c >= 1, "ebm: --channels must be positive, got ", c);
        const nn::Conv2dOptions same{.padding = 1, .dtype = o.dtype, .generator = &gen};
        const nn::Conv2dOptions down{
            .stride = 2, .padding = 1, .dtype = o.dtype, .generator = &gen};
        net_->push_back(std::make_shared<nn::Conv2d>(1, o.channels[0], 3, same));  // 28×28
        net_->push_back(std::make_shared<nn::SiLU>());
        net_->push_back(std::make_shared<nn::Conv2d>(o.channels[0], o.channels[1], 4, down));  // 14
        net_->push_back(std::make_shared<nn::SiLU>());
        net_->push_back(std::make_shared<nn::Conv2d>(o.channels[1], o.channels[2], 4, down));  // 7
        net_->push_back(std::make_shared<nn::SiLU>());
        net_->push_back(std::make_shared<nn::Flatten>());
        net_->push_back(std::make_shared<nn::Linear>(
            o.channels[2] * 49, 1, nn::LinearOptions{.dtype = o.dtype, .generator = &gen}));
    } else {
        check(!o.hidden.empty(), "ebm: --hidden needs at least one width");
        int64_t in = 2;
        for (int64_t h : o.hidden) {
            check(h >= 1, "ebm: --hidden widths must be positive, got ", h);
            net_->push_back(std::make_shared<nn::Linear>(
                in, h, nn::LinearOptions{.dtype = o.dtype, .generator = &gen}));
            net_->push_back(std::make_shared<nn::SiLU>());
            in = h;
        }
        net_->push_back(std::make_shared<nn::Linear>(
            in, 1, nn::LinearOptions{.dtype = o.dtype, .generator = &gen}));
    }
}

Tensor EnergyNet::forward(const Tensor& x) {
    if (options_.image)
        check(x.dim() == 4 && x.size(1) == 1 && x.size(2) == 28 && x.size(3) == 28,
              "EnergyNet: images must be (N, 1, 28, 28), got ", x.shape());
    else
        check(x.dim() == 2 && x.size(1) == 2, "EnergyNet: points must be (N, 2), got ", x.shape());
    return (*net_)(x).reshape({x.size(0)});  // (N, 1) -> (N)
}

FrozenParameters::FrozenParameters(const nn::Module& module) {
    for (Tensor& p : module.parameters())
        if (p.requires_grad()) {
            p.requires_grad_(false);
            params_.push_back(p);
        }
}

FrozenParameters::~FrozenParameters() {
    for (Tensor& p : params_) p.requires_grad_(true);
}

mcmc::EnergyFn energy_fn(nn::Module& energy) {
    return mcmc::autograd_energy([&energy](const Tensor& x) { return energy(x); });
}

// ---- replay buffer ----

ReplayBuffer::ReplayBuffer(const Shape& example, int64_t capacity, double lo, double hi,
                           Generator& gen)
    : lo_(lo), hi_(hi) {
    check(capacity >= 1, "ebm: --buffer must be at least 1, got ", capacity);
    check(lo < hi, "ebm: the noise box [", lo, ", ", hi, "] is empty");
    std::vector<int64_t> dims = {capacity};
    for (int64_t d : example) dims.push_back(d);
    x_ = uniform(Shape(dims), lo_, hi_, gen);
}

Tensor ReplayBuffer::noise(int64_t n, Generator& gen) const {
    Shape s = x_.shape();
    std::vector<int64_t> dims(s.begin(), s.end());
    dims[0] = n;
    return uniform(Shape(dims), lo_, hi_, gen);
}

ReplayBuffer::Draw ReplayBuffer::draw(int64_t B, double reinit, Generator& gen) const {
    Draw d;
    const int64_t N = x_.size(0);
    d.indices.resize(B);
    for (int64_t& i : d.indices) i = gen.integer(0, N);
    d.x = index_select(x_, 0, d.indices).contiguous();  // a copy
    const Tensor fresh = noise(B, gen);
    const int64_t row = x_.numel() / N;
    for (int64_t b = 0; b < B; ++b)
        if (gen.uniform() < reinit)
            std::memcpy(d.x.data<float>() + b * row, fresh.data<float>() + b * row,
                        row * sizeof(float));
    return d;
}

void ReplayBuffer::put(const std::vector<int64_t>& indices, const Tensor& x) {
    const Tensor xs = x.to(DType::f32).contiguous();
    const int64_t row = x_.numel() / x_.size(0);
    check(xs.numel() == static_cast<int64_t>(indices.size()) * row, "ReplayBuffer::put: chains ",
          x.shape(), " do not fit ", indices.size(), " rows of ", x_.shape());
    for (size_t b = 0; b < indices.size(); ++b)
        std::memcpy(x_.data<float>() + indices[b] * row, xs.data<float>() + b * row,
                    row * sizeof(float));
}

void ReplayBuffer::load(const Tensor& x, const std::string& source) {
    check(x.shape() == x_.shape() && x.dtype() == DType::f32, source, ": the replay buffer is ",
          x.shape(), ", expected ", x_.shape(), " float32");
    x_ = x.clone();
}

// ---- loss and step ----

Tensor contrastive_loss(const Tensor& e_pos, const Tensor& e_neg, double alpha) {
    return e_pos.mean() - e_neg.mean() + alpha * (e_pos.square().mean() + e_neg.square().mean());
}

StepStats train_step(nn::Module& energy, optim::Optimizer& optimizer, const Tensor& x_pos,
                     ReplayBuffer& buffer, const SgldOptions& sgld, double alpha, Generator& gen) {
    ReplayBuffer::Draw chains = buffer.draw(x_pos.size(0), sgld.reinit, gen);
    Tensor x_neg = chains.x.to(x_pos.dtype());
    mcmc::LangevinStats ls;
    {
        FrozenParameters frozen(energy);
        ls = mcmc::langevin(x_neg, energy_fn(energy), sgld.steps, sgld.langevin, gen);
    }
    buffer.put(chains.indices, x_neg);
    optimizer.zero_grad();
    const Tensor e_pos = energy(x_pos);  // (B)
    const Tensor e_neg = energy(x_neg);  // (B)
    const Tensor loss = contrastive_loss(e_pos, e_neg, alpha);
    StepStats s{.loss = loss.item(),
                .e_pos = e_pos.detach().mean().item(),
                .e_neg = e_neg.detach().mean().item(),
                .acceptance = ls.acceptance};
    check(std::isfinite(s.loss), "ebm: the loss is ", s.loss, " (E(x+) ", s.e_pos, ", E(x-) ",
          s.e_neg, ")");
    loss.backward();
    optimizer.step();
    return s;
}

}  // namespace gibbs::ebm
