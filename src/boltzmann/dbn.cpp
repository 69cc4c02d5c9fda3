// Deep belief networks: greedy training, propagation, ancestral sampling, checkpoints
// (see gibbs/boltzmann/dbn.hpp).
#include "gibbs/boltzmann/dbn.hpp"

#include <sstream>

#include "gibbs/io/safetensors.hpp"
#include "gibbs/mcmc/gibbs.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

std::vector<int64_t> Dbn::sizes() const {
    std::vector<int64_t> s;
    if (layers.empty()) return s;
    s.push_back(layers[0].M());
    for (const Rbm& r : layers) s.push_back(r.N());
    return s;
}

Dbn train_dbn(const Tensor& data, const std::vector<int64_t>& hidden_sizes,
              const DbnTrainOptions& o,
              const std::function<void(int64_t, const EpochStats&)>& on_epoch) {
    check(!hidden_sizes.empty(), "train_dbn: no hidden layers");
    check(data.defined() && data.dim() == 2, "train_dbn: data must be (n, M)");
    Generator gen(o.rbm.seed);
    Dbn dbn;
    Tensor x = data.to(DType::f32).contiguous();
    for (size_t l = 0; l < hidden_sizes.size(); ++l) {
        check(hidden_sizes[l] > 0, "train_dbn: layer ", l + 1, " has size ", hidden_sizes[l]);
        const Visible vis = l == 0 ? o.visible : Visible::kBinary;
        Rbm rbm(x.size(1), hidden_sizes[l], vis, gen, {.weight_std = o.weight_std});
        init_visible_biases(rbm, x);
        RbmTrainOptions ro = o.rbm;
        ro.seed = gen.next();
        ro.learn_sigma = ro.learn_sigma && vis == Visible::kGaussian;  // the first layer only
        {
            RbmTrainer trainer(rbm, ro);
            for (int64_t e = 0; e < ro.epochs; ++e) {
                const EpochStats st = trainer.epoch(x);
                if (on_epoch) on_epoch(static_cast<int64_t>(l), st);
            }
        }
        // The next layer learns from p(h|x) of this one (Hinton et al. 2006 use probabilities).
        if (l + 1 < hidden_sizes.size()) x = rbm.hidden_prob(x);
        dbn.layers.push_back(std::move(rbm));
    }
    return dbn;
}

Tensor dbn_propagate_up(const Dbn& dbn, const Tensor& x, int64_t depth) {
    const int64_t L = depth < 0 ? static_cast<int64_t>(dbn.layers.size()) : depth;
    check(L <= static_cast<int64_t>(dbn.layers.size()), "dbn_propagate_up: depth ", L,
          " exceeds the ", dbn.layers.size(), " layers");
    Tensor h = x;
    for (int64_t l = 0; l < L; ++l) h = dbn.layers[l].hidden_prob(h);
    return h;
}

Tensor dbn_sample(const Dbn& dbn, int64_t n, int64_t gibbs_steps, Generator& gen,
                  const Tensor& start) {
    check(!dbn.layers.empty(), "dbn_sample: empty network");
    check(n >= 1, "dbn_sample: n must be >= 1, got ", n);
    const Rbm& top = dbn.layers.back();
    const int64_t depth = static_cast<int64_t>(dbn.layers.size()) - 1;
    Tensor x;  // visible layer of the top RBM, (n, top.M())
    if (start.defined()) {
        check(start.dim() == 2 && start.size(0) == n, "dbn_sample: start must have ", n, " rows");
        x = bernoulli(dbn_propagate_up(dbn, start, depth).to(top.dtype()).contiguous(), gen);
    } else {
        x = bernoulli(Tensor::full({n, top.M()}, 0.5, top.dtype()), gen);
    }
    Tensor h;
    mcmc::block_gibbs(top, x, h, gibbs_steps, gen);
    if (depth == 0) {
        // A single RBM: the mean of the last visible draw's conditional.
        return top.visible_mean(h);
    }
    Tensor below = x;  // run down: draw each layer, mean at the bottom
    for (int64_t l = depth - 1; l >= 0; --l) {
        const Rbm& r = dbn.layers[l];
        below = l == 0 ? r.visible_mean(below.to(r.dtype()))
                       : r.sample_visible(below.to(r.dtype()).contiguous(), gen);
    }
    return below;
}

void save_dbn(const std::string& path, const Dbn& dbn) {
    check(!dbn.layers.empty(), "save_dbn: empty network");
    io::SafetensorsFile f;
    auto raw = [](const Tensor& t) {
        const Tensor c = t.to(DType::f32).contiguous();
        std::vector<int64_t> shape(c.shape().begin(), c.shape().end());
        return io::make_raw_tensor<float>(shape, {c.data<float>(), static_cast<size_t>(c.numel())});
    };
    std::ostringstream sizes;
    for (size_t l = 0; l < dbn.layers.size(); ++l) {
        const Rbm& r = dbn.layers[l];
        const std::string p = "layers." + std::to_string(l) + ".";
        f.tensors.emplace_back(p + "W", raw(r.W));
        f.tensors.emplace_back(p + "a", raw(r.a));
        f.tensors.emplace_back(p + "b", raw(r.b));
        if (r.visible() == Visible::kGaussian) f.tensors.emplace_back(p + "sigma", raw(r.sigma));
    }
    for (size_t k = 0; k < dbn.sizes().size(); ++k) sizes << (k ? "," : "") << dbn.sizes()[k];
    f.metadata = dbn.layers[0].metadata;
    f.metadata["model"] = "dbn";
    f.metadata["visible"] = visible_name(dbn.layers[0].visible());
    f.metadata["hidden"] = "binary";
    f.metadata["layers"] = sizes.str();
    io::write_safetensors(path, f);
}

Dbn load_dbn(const std::string& path) {
    const io::SafetensorsFile f = io::read_safetensors(path);
    const auto model = f.metadata.find("model");
    check(model != f.metadata.end() && model->second == "dbn", path,
          ": not a DBN checkpoint (__metadata__ \"model\" must be 'dbn')");
    Dbn dbn;
    for (size_t l = 0;; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        if (!f.find(p + "W")) break;
        auto get = [&](const std::string& name) -> Tensor {
            const io::RawTensor* t = f.find(name);
            check(t != nullptr, path, ": missing tensor '", name, "'");
            check(t->dtype == "F32", path, ": tensor '", name, "' must be F32, is ", t->dtype);
            return Tensor::from_floats(io::raw_tensor_values<float>(*t),
                                       Shape(std::span<const int64_t>(t->shape)));
        };
        const bool gauss = l == 0 && f.find(p + "sigma");
        Tensor W = get(p + "W");
        check(W.dim() == 2, path, ": tensor '", p, "W' must be 2-D");
        if (!dbn.layers.empty())
            check(dbn.layers.back().N() == W.size(0), path, ": layer ", l, " has ", W.size(0),
                  " visible units but the layer below has ", dbn.layers.back().N(), " hidden");
        dbn.layers.emplace_back(gauss ? Visible::kGaussian : Visible::kBinary, W, get(p + "a"),
                                get(p + "b"), gauss ? get(p + "sigma") : Tensor());
    }
    check(!dbn.layers.empty(), path, ": no tensor 'layers.0.W'");
    for (const auto& [k, v] : f.metadata)
        if (k != "model" && k != "visible" && k != "hidden" && k != "layers")
            dbn.layers[0].metadata[k] = v;
    return dbn;
}

}  // namespace gibbs::boltzmann
