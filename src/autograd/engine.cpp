// Recording ops and the reverse walk of Tensor::backward().
#include <unordered_map>

#include "gibbs/autograd/autograd.hpp"
#include "gibbs/autograd/ops.hpp"

namespace gibbs::autograd {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool on) { g_grad_enabled = on; }

Tensor record(Tensor out, std::vector<Tensor> inputs, BackwardFn backward, const char* name) {
    if (!g_grad_enabled) return out;
    bool any = false;
    for (const Tensor& t : inputs) any = any || needs_grad(t);
    if (!any) return out;
    auto node = std::make_shared<Node>();
    node->name = name;
    node->inputs = std::move(inputs);
    node->backward = std::move(backward);
    out.impl()->grad_fn = std::move(node);
    out.impl()->requires_grad = true;
    return out;
}

namespace {
// Adds g into the gradient held for a leaf. The first gradient is adopted without a copy when
// nothing else holds it, so that in-place updates of .grad can never write into another tensor.
void accumulate_leaf(TensorImpl* leaf, Tensor g) {
    if (!(g.shape() == leaf->shape))
        fail("backward: gradient of shape ", g.shape(), " for a tensor of shape ", leaf->shape);
    if (!leaf->grad) {
        const bool unique = g.impl_ptr().use_count() == 1 && g.impl()->storage.use_count() == 1 &&
                            g.is_contiguous();
        leaf->grad = unique ? g.impl_ptr() : g.clone().impl_ptr();
        leaf->grad->grad_fn.reset();
        leaf->grad->requires_grad = false;
        return;
    }
    NoGradGuard no_grad;
    Tensor sum = add(Tensor(leaf->grad), g);
    leaf->grad = sum.impl_ptr();
}
}  // namespace

}  // namespace gibbs::autograd

namespace gibbs {

void Tensor::backward(const Tensor& seed, bool retain_graph) const {
    using autograd::Node;
    check(requires_grad(), "backward: the tensor does not require grad (no input required it)");
    Tensor g0 = seed;
    if (!g0.defined()) {
        check(numel() == 1, "backward: a seed gradient is needed for a non-scalar of shape ",
              shape());
        g0 = Tensor::ones(shape(), dtype());
    }
    check(g0.shape() == shape(), "backward: seed of shape ", g0.shape(), " for a tensor of shape ",
          shape());
    if (!impl()->grad_fn) {  // a leaf
        autograd::accumulate_leaf(impl(), g0);
        return;
    }
    NoGradGuard no_grad;
    // Topological order by iterative depth-first search over grad_fn edges. The order holds the
    // nodes alive while inputs are released below.
    std::vector<std::shared_ptr<Node>> order;
    std::unordered_map<Node*, bool> seen;
    std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{impl()->grad_fn, 0}};
    seen[impl()->grad_fn.get()] = true;
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->inputs.size()) {
            const Tensor& in = node->inputs[next++];
            if (in.defined() && in.impl()->grad_fn && !seen[in.impl()->grad_fn.get()]) {
                seen[in.impl()->grad_fn.get()] = true;
                stack.emplace_back(in.impl()->grad_fn, 0);
            }
        } else {
            order.push_back(std::move(node));
            stack.pop_back();
        }
    }
    std::unordered_map<Node*, Tensor> grads;
    grads[impl()->grad_fn.get()] = g0;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        Node* node = it->get();
        auto found = grads.find(node);
        if (found == grads.end()) continue;
        Tensor g = std::move(found->second);
        grads.erase(found);
        check(static_cast<bool>(node->backward), "backward: the graph through '", node->name,
              "' was already freed; pass retain_graph = true to backward twice");
        autograd::Grads in_grads = node->backward(g);
        g = Tensor();
        for (size_t i = 0; i < node->inputs.size(); ++i) {
            const Tensor& in = node->inputs[i];
            if (!autograd::needs_grad(in) || i >= in_grads.size() || !in_grads[i].defined())
                continue;
            Tensor gi = std::move(in_grads[i]);
            if (!(gi.shape() == in.shape()))
                fail("backward of '", node->name, "': gradient of shape ", gi.shape(),
                     " for input ", i, " of shape ", in.shape());
            if (Node* child = in.impl()->grad_fn.get()) {
                auto [slot, inserted] = grads.try_emplace(child, gi);
                if (!inserted) slot->second = add(slot->second, gi);
            } else {
                autograd::accumulate_leaf(in.impl(), std::move(gi));
            }
        }
        if (!retain_graph) {
            node->backward = nullptr;
            node->inputs.clear();
        }
    }
}

}  // namespace gibbs
