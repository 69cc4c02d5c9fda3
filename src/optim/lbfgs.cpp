// L-BFGS over the parameters as one flat float64 vector (equations in lbfgs.hpp).
#include "gibbs/optim/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace gibbs::optim {

namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

double max_abs(const std::vector<double>& a) {
    double m = 0.0;
    for (double v : a) m = std::max(m, std::abs(v));
    return m;
}

Tensor vector_tensor(const std::vector<double>& v) {
    return Tensor::from(v, {static_cast<int64_t>(v.size())}, DType::f64);
}

}  // namespace

Lbfgs::Lbfgs(std::vector<Tensor> params, LbfgsOptions options)
    : Optimizer(std::move(params), options.lr, "Lbfgs"), options_(options) {
    check(options.max_iter >= 1, "Lbfgs: max_iter must be >= 1, got ", options.max_iter);
    check(options.max_eval >= 0, "Lbfgs: max_eval must be >= 0, got ", options.max_eval);
    check(options.history_size >= 1, "Lbfgs: history_size must be >= 1, got ",
          options.history_size);
    check(options.tolerance_grad >= 0 && options.tolerance_change >= 0,
          "Lbfgs: tolerances must be >= 0");
    check(options.wolfe.c1 > 0 && options.wolfe.c1 < options.wolfe.c2 && options.wolfe.c2 < 1,
          "Lbfgs: the Wolfe constants need 0 < c1 < c2 < 1, got c1 = ", options.wolfe.c1,
          ", c2 = ", options.wolfe.c2);
    check(options.wolfe.max_evals >= 1, "Lbfgs: wolfe.max_evals must be >= 1");
    const int64_t n = numel_total();
    d_.assign(n, 0.0);
    prev_grad_.assign(n, 0.0);
}

int64_t Lbfgs::numel_total() const {
    int64_t n = 0;
    for (const Tensor& p : params_) n += p.numel();
    return n;
}

void Lbfgs::gather_grad(std::vector<double>& g) const {
    g.resize(numel_total());
    int64_t at = 0;
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor gi = grad_of(i);
        const int64_t n = params_[i].numel();
        if (!gi.defined()) {
            std::fill(g.begin() + at, g.begin() + at + n, 0.0);
        } else {
            dispatch(gi.dtype(), [&]<typename T>() {
                const T* src = gi.data<T>();
                for (int64_t k = 0; k < n; ++k) g[at + k] = src[k];
            });
        }
        at += n;
    }
}

void Lbfgs::gather_params(std::vector<double>& x) const {
    x.resize(numel_total());
    int64_t at = 0;
    for (const Tensor& p : params_) {
        dispatch(p.dtype(), [&]<typename T>() {
            const T* src = p.data<T>();
            for (int64_t k = 0; k < p.numel(); ++k) x[at + k] = src[k];
        });
        at += p.numel();
    }
}

void Lbfgs::scatter_params(const std::vector<double>& x) {
    int64_t at = 0;
    for (const Tensor& p : params_) {
        dispatch(p.dtype(), [&]<typename T>() {
            T* dst = p.data<T>();
            for (int64_t k = 0; k < p.numel(); ++k) dst[k] = static_cast<T>(x[at + k]);
        });
        at += p.numel();
    }
}

void Lbfgs::add_to_params(double t, const std::vector<double>& d) {
    int64_t at = 0;
    for (const Tensor& p : params_) {
        dispatch(p.dtype(), [&]<typename T>() {
            T* dst = p.data<T>();
            for (int64_t k = 0; k < p.numel(); ++k) dst[k] = static_cast<T>(dst[k] + t * d[at + k]);
        });
        at += p.numel();
    }
}

double Lbfgs::evaluate(const Closure& closure, std::vector<double>& g) {
    zero_grad();
    const double f = closure();
    ++func_evals_;
    gather_grad(g);
    return f;
}

void Lbfgs::update() {
    fail("Lbfgs: L-BFGS re-evaluates the loss during a step; call step(closure)");
}

double Lbfgs::step(const Closure& closure) {
    count_step();
    const LbfgsOptions& o = options_;
    const int max_eval = o.max_eval > 0 ? o.max_eval : o.max_iter * 5 / 4;
    std::vector<double> g;
    double loss = evaluate(closure, g);
    check(std::isfinite(loss), "Lbfgs: the loss is ", loss, " at step ", step_count());
    const double orig_loss = loss;
    int evals = 1;
    if (max_abs(g) <= o.tolerance_grad) return orig_loss;

    const int64_t n = static_cast<int64_t>(g.size());
    std::vector<double> alpha;  // (history)
    std::vector<double> x0;     // (n) the parameters where a line search starts
    for (int iter = 1; iter <= o.max_iter; ++iter) {
        ++n_iter_;
        if (n_iter_ == 1) {
            for (int64_t k = 0; k < n; ++k) d_[k] = -g[k];
            gamma_ = 1.0;
            s_.clear();
            y_.clear();
            rho_.clear();
        } else {
            // The newest pair: s = t d (the step just taken), y = ∇f − ∇f_prev.
            std::vector<double> s(n), y(n);
            for (int64_t k = 0; k < n; ++k) {
                s[k] = t_ * d_[k];
                y[k] = g[k] - prev_grad_[k];
            }
            const double ys = dot(y, s);
            if (ys > 1e-10) {
                if (static_cast<int>(s_.size()) == o.history_size) {
                    s_.erase(s_.begin());
                    y_.erase(y_.begin());
                    rho_.erase(rho_.begin());
                }
                gamma_ = ys / dot(y, y);
                s_.push_back(std::move(s));
                y_.push_back(std::move(y));
                rho_.push_back(1.0 / ys);
            }
            // Two-loop recursion: d = −H ∇f.
            const int m = static_cast<int>(s_.size());
            alpha.assign(m, 0.0);
            std::vector<double>& q = d_;
            for (int64_t k = 0; k < n; ++k) q[k] = -g[k];
            for (int j = m - 1; j >= 0; --j) {
                alpha[j] = rho_[j] * dot(s_[j], q);
                for (int64_t k = 0; k < n; ++k) q[k] -= alpha[j] * y_[j][k];
            }
            for (int64_t k = 0; k < n; ++k) q[k] *= gamma_;
            for (int j = 0; j < m; ++j) {
                const double beta = rho_[j] * dot(y_[j], q);
                for (int64_t k = 0; k < n; ++k) q[k] += s_[j][k] * (alpha[j] - beta);
            }
        }
        prev_grad_ = g;
        prev_loss_ = loss;

        if (n_iter_ == 1) {
            double g_l1 = 0.0;
            for (double v : g) g_l1 += std::abs(v);
            t_ = std::min(1.0, 1.0 / g_l1) * lr();
        } else {
            t_ = lr();
        }
        const double gtd = dot(g, d_);
        if (gtd > -o.tolerance_change) break;  // not a descent direction any more

        int ls_evals = 0;
        if (o.line_search == LineSearch::strong_wolfe) {
            gather_params(x0);
            std::vector<double> x(n);
            auto line = [&](double t, std::vector<double>& gt) {
                for (int64_t k = 0; k < n; ++k) x[k] = x0[k] + t * d_[k];
                scatter_params(x);
                return evaluate(closure, gt);
            };
            LineSearchResult r = strong_wolfe(line, d_, t_, loss, g, gtd, o.wolfe);
            t_ = r.t;
            loss = r.f;
            g = std::move(r.g);
            ls_evals = r.evals;
            for (int64_t k = 0; k < n; ++k) x[k] = x0[k] + t_ * d_[k];
            scatter_params(x);  // the search may have ended at another trial point
        } else {
            add_to_params(t_, d_);
            if (iter != o.max_iter) {
                loss = evaluate(closure, g);
                check(std::isfinite(loss), "Lbfgs: the loss is ", loss, " at step ", step_count(),
                      ", iteration ", n_iter_,
                      " (diverging: try a smaller lr or line_search = strong_wolfe)");
                ls_evals = 1;
            }
        }
        evals += ls_evals;

        if (iter == o.max_iter || evals >= max_eval) break;
        if (max_abs(g) <= o.tolerance_grad) break;
        if (max_abs(d_) * std::abs(t_) <= o.tolerance_change) break;
        if (std::abs(loss - prev_loss_) < o.tolerance_change) break;
    }
    return orig_loss;
}

NamedTensors Lbfgs::extra_state() const {
    NamedTensors out;
    out.emplace_back("n_iter", Tensor::scalar(static_cast<double>(n_iter_), DType::f64));
    out.emplace_back("func_evals", Tensor::scalar(static_cast<double>(func_evals_), DType::f64));
    out.emplace_back("d", vector_tensor(d_));
    out.emplace_back("t", Tensor::scalar(t_, DType::f64));
    out.emplace_back("H_diag", Tensor::scalar(gamma_, DType::f64));
    out.emplace_back("prev_flat_grad", vector_tensor(prev_grad_));
    out.emplace_back("prev_loss", Tensor::scalar(prev_loss_, DType::f64));
    for (size_t k = 0; k < s_.size(); ++k) {
        const std::string at = "history." + std::to_string(k) + ".";
        out.emplace_back(at + "s", vector_tensor(s_[k]));
        out.emplace_back(at + "y", vector_tensor(y_[k]));
        out.emplace_back(at + "rho", Tensor::scalar(rho_[k], DType::f64));
    }
    return out;
}

void Lbfgs::load_extra_state(const NamedTensors& extra) {
    std::map<std::string, Tensor> entries(extra.begin(), extra.end());
    const int64_t n = numel_total();
    auto take = [&](const std::string& name, int64_t length) {
        auto it = entries.find(name);
        check(it != entries.end(), "Lbfgs::load_state: missing entry '", name, "'");
        const Tensor t = it->second;
        entries.erase(it);
        if (length < 0) {
            check(t.numel() == 1, "Lbfgs::load_state: entry '", name, "' has shape ", t.shape(),
                  ", expected one value");
        } else {
            check(t.dim() == 1 && t.size(0) == length, "Lbfgs::load_state: entry '", name,
                  "' has shape ", t.shape(), ", expected (", length, ")");
        }
        return t.to_vector();
    };
    auto count = [&](const std::string& name) {
        const double v = take(name, -1)[0];
        check(v >= 0 && v == std::floor(v) && v < 9.007199254740992e15,
              "Lbfgs::load_state: entry '", name, "' is ", v, ", expected a count");
        return static_cast<int64_t>(v);
    };
    const int64_t n_iter = count("n_iter");
    const int64_t func_evals = count("func_evals");
    std::vector<double> d = take("d", n);
    const double t = take("t", -1)[0];
    const double gamma = take("H_diag", -1)[0];
    std::vector<double> prev_grad = take("prev_flat_grad", n);
    const double prev_loss = take("prev_loss", -1)[0];
    std::vector<std::vector<double>> s, y;
    std::vector<double> rho;
    for (int k = 0; entries.count("history." + std::to_string(k) + ".s"); ++k) {
        check(k < options_.history_size, "Lbfgs::load_state: more history pairs than ",
              "history_size = ", options_.history_size);
        const std::string at = "history." + std::to_string(k) + ".";
        s.push_back(take(at + "s", n));
        y.push_back(take(at + "y", n));
        rho.push_back(take(at + "rho", -1)[0]);
    }
    if (!entries.empty())
        fail("Lbfgs::load_state: unexpected entry '", entries.begin()->first, "'");

    n_iter_ = n_iter;
    func_evals_ = func_evals;
    d_ = std::move(d);
    t_ = t;
    gamma_ = gamma;
    prev_grad_ = std::move(prev_grad);
    prev_loss_ = prev_loss;
    s_ = std::move(s);
    y_ = std::move(y);
    rho_ = std::move(rho);
}

}  // namespace gibbs::optim
