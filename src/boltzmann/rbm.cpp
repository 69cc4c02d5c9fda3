// The RBM's energies, free energies and conditionals (equations in gibbs/boltzmann/rbm.hpp).
#include "gibbs/boltzmann/rbm.hpp"

#include <cmath>

#include "boltzmann/kernels.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::boltzmann {

const char* visible_name(Visible visible) {
    return visible == Visible::kBinary ? "binary" : "gaussian";
}

Visible parse_visible(const std::string& name) {
    if (name == "binary") return Visible::kBinary;
    if (name == "gaussian") return Visible::kGaussian;
    fail("visible units must be 'binary' or 'gaussian', got '", name, "'");
}

Rbm::Rbm(int64_t M, int64_t N, Visible visible, Generator& gen, RbmInit init) : visible_(visible) {
    check(M > 0 && N > 0, "Rbm: sizes must be positive, got M = ", M, ", N = ", N);
    check(init.sigma > 0, "Rbm: sigma must be positive, got ", init.sigma);
    W = randn({M, N}, gen, init.dtype);
    dispatch(init.dtype, [&]<typename T>() {
        T* w = W.data<T>();
        for (int64_t i = 0; i < M * N; ++i) w[i] *= static_cast<T>(init.weight_std);
    });
    a = Tensor::zeros({M}, init.dtype);
    b = Tensor::zeros({N}, init.dtype);
    if (visible == Visible::kGaussian) sigma = Tensor::full({M}, init.sigma, init.dtype);
}

Rbm::Rbm(Visible visible, Tensor W_, Tensor a_, Tensor b_, Tensor sigma_) : visible_(visible) {
    check(W_.defined() && W_.dim() == 2, "Rbm: W must be a matrix (M, N)");
    const int64_t M = W_.size(0), N = W_.size(1);
    check(M > 0 && N > 0, "Rbm: W must not be empty, got shape ", W_.shape());
    check(a_.defined() && a_.dim() == 1 && a_.size(0) == M, "Rbm: a must have shape (", M, ")");
    check(b_.defined() && b_.dim() == 1 && b_.size(0) == N, "Rbm: b must have shape (", N, ")");
    const DType dt = W_.dtype();
    W = W_.contiguous().clone();
    a = a_.to(dt).clone();
    b = b_.to(dt).clone();
    if (visible == Visible::kGaussian) {
        check(sigma_.defined() && sigma_.dim() == 1 && sigma_.size(0) == M,
              "Rbm: Gaussian visible units need sigma of shape (", M, ")");
        sigma = sigma_.to(dt).clone();
        for (double s : sigma.to_vector())
            check(s > 0 && std::isfinite(s), "Rbm: sigma must be positive and finite, got ", s);
    }
}

Rbm Rbm::to(DType dtype) const {
    Rbm r(visible_, W.to(dtype), a.to(dtype), b.to(dtype),
          sigma.defined() ? sigma.to(dtype) : Tensor());
    r.metadata = metadata;
    return r;
}

namespace {

void check_rows(const Tensor& t, int64_t cols, const char* what, const char* name) {
    check(t.defined() && t.dim() == 2 && t.size(1) == cols, "Rbm::", what, ": ", name,
          " must be (B, ", cols, "), got ", t.defined() ? t.shape() : Shape{});
}

// x/σ² for Gaussian units (a copy), x itself for binary ones; in dtype T.
template <typename T>
Tensor scaled_visible(const Rbm& rbm, const Tensor& x) {
    Tensor xt = x.to(dtype_of<T>()).contiguous();
    if (rbm.visible() == Visible::kBinary) return xt;
    Tensor out = Tensor::empty(xt.shape(), dtype_of<T>());
    const Tensor s = rbm.sigma.to(dtype_of<T>());
    const T* sp = s.data<T>();
    const T* xp = xt.data<T>();
    T* op = out.data<T>();
    const int64_t B = xt.size(0), M = xt.size(1);
    for (int64_t r = 0; r < B; ++r)
        for (int64_t i = 0; i < M; ++i) op[r * M + i] = xp[r * M + i] / (sp[i] * sp[i]);
    return out;
}

// z = x̃ W, (B, N), in the parameters' dtype T (biases not added).
template <typename T>
void hidden_input(const Rbm& rbm, const Tensor& x, Tensor& z) {
    const Tensor xs = scaled_visible<T>(rbm, x);
    detail::gemm<T>(false, false, xs.size(0), rbm.N(), rbm.M(), T(1), xs.data<T>(), rbm.W.data<T>(),
                    T(0), z.data<T>());
}

// z = h Wᵀ, (B, M).
template <typename T>
void visible_input(const Rbm& rbm, const Tensor& h, Tensor& z) {
    const Tensor ht = h.to(dtype_of<T>()).contiguous();
    detail::gemm<T>(false, true, ht.size(0), rbm.M(), rbm.N(), T(1), ht.data<T>(), rbm.W.data<T>(),
                    T(0), z.data<T>());
}

}  // namespace

Tensor Rbm::energy(const Tensor& x, const Tensor& h) const {
    check_rows(x, M(), "energy", "x");
    check_rows(h, N(), "energy", "h");
    check(x.size(0) == h.size(0), "Rbm::energy: x and h have different batch sizes");
    const Rbm d = to(DType::f64);
    const Tensor xd = x.to(DType::f64).contiguous(), hd = h.to(DType::f64).contiguous();
    const int64_t B = x.size(0);
    Tensor Wh = Tensor::empty({B, M()}, DType::f64);  // (B, M)
    visible_input<double>(d, hd, Wh);
    Tensor E = Tensor::empty({B}, DType::f64);
    const double *xp = xd.data<double>(), *hp = hd.data<double>(), *whp = Wh.data<double>();
    const double *ap = d.a.data<double>(), *bp = d.b.data<double>();
    const double* sp = visible_ == Visible::kGaussian ? d.sigma.data<double>() : nullptr;
    for (int64_t r = 0; r < B; ++r) {
        double e = 0;
        for (int64_t j = 0; j < N(); ++j) e -= bp[j] * hp[r * N() + j];
        for (int64_t i = 0; i < M(); ++i) {
            const double xi = xp[r * M() + i];
            if (sp) {
                const double s2 = sp[i] * sp[i];
                e += (xi - ap[i]) * (xi - ap[i]) / (2 * s2) - xi * whp[r * M() + i] / s2;
            } else {
                e -= ap[i] * xi + xi * whp[r * M() + i];
            }
        }
        E.data<double>()[r] = e;
    }
    return E;
}

Tensor Rbm::free_energy(const Tensor& x) const {
    check_rows(x, M(), "free_energy", "x");
    const Rbm d = to(DType::f64);
    const Tensor xd = x.to(DType::f64).contiguous();
    const int64_t B = x.size(0);
    Tensor z = Tensor::empty({B, N()}, DType::f64);  // (B, N)
    hidden_input<double>(d, xd, z);
    Tensor F = Tensor::empty({B}, DType::f64);
    const double *xp = xd.data<double>(), *zp = z.data<double>();
    const double *ap = d.a.data<double>(), *bp = d.b.data<double>();
    const double* sp = visible_ == Visible::kGaussian ? d.sigma.data<double>() : nullptr;
#pragma omp parallel for if (detail::rows_in_parallel(B, M() + N()))
    for (int64_t r = 0; r < B; ++r) {
        double f = 0;
        for (int64_t i = 0; i < M(); ++i) {
            const double xi = xp[r * M() + i];
            f += sp ? (xi - ap[i]) * (xi - ap[i]) / (2 * sp[i] * sp[i]) : -ap[i] * xi;
        }
        for (int64_t j = 0; j < N(); ++j) f -= detail::softplus(bp[j] + zp[r * N() + j]);
        F.data<double>()[r] = f;
    }
    return F;
}

Tensor Rbm::hidden_prob(const Tensor& x) const {
    check_rows(x, M(), "hidden_prob", "x");
    Tensor p = Tensor::empty({x.size(0), N()}, dtype());
    dispatch(dtype(), [&]<typename T>() {
        hidden_input<T>(*this, x, p);
        detail::sigmoid_sample<T>(p.data<T>(), b.data<T>(), nullptr, x.size(0), N(), 0);
    });
    return p;
}

Tensor Rbm::visible_mean(const Tensor& h) const {
    check_rows(h, N(), "visible_mean", "h");
    const int64_t B = h.size(0);
    Tensor m = Tensor::empty({B, M()}, dtype());
    dispatch(dtype(), [&]<typename T>() {
        visible_input<T>(*this, h, m);
        T* mp = m.data<T>();
        const T* ap = a.data<T>();
        if (visible_ == Visible::kBinary) {
            detail::sigmoid_sample<T>(mp, ap, nullptr, B, M(), 0);
        } else {
            for (int64_t r = 0; r < B; ++r)
                for (int64_t i = 0; i < M(); ++i) mp[r * M() + i] += ap[i];
        }
    });
    return m;
}

void Rbm::sample_hidden_into(const Tensor& x, Tensor& h, Generator& gen) const {
    check_rows(x, M(), "sample_hidden", "x");
    check(h.defined() && h.is_contiguous() && h.dtype() == dtype() && h.dim() == 2 &&
              h.size(0) == x.size(0) && h.size(1) == N(),
          "Rbm::sample_hidden: h must be a contiguous (", x.size(0), ", ", N(), ") ",
          dtype_name(dtype()), " tensor");
    dispatch(dtype(), [&]<typename T>() {
        hidden_input<T>(*this, x, h);
        detail::sigmoid_sample<T>(h.data<T>(), b.data<T>(), h.data<T>(), x.size(0), N(),
                                  gen.next());
    });
}

void Rbm::sample_visible_into(const Tensor& h, Tensor& x, Generator& gen) const {
    check_rows(h, N(), "sample_visible", "h");
    check(x.defined() && x.is_contiguous() && x.dtype() == dtype() && x.dim() == 2 &&
              x.size(0) == h.size(0) && x.size(1) == M(),
          "Rbm::sample_visible: x must be a contiguous (", h.size(0), ", ", M(), ") ",
          dtype_name(dtype()), " tensor");
    dispatch(dtype(), [&]<typename T>() {
        visible_input<T>(*this, h, x);
        if (visible_ == Visible::kBinary)
            detail::sigmoid_sample<T>(x.data<T>(), a.data<T>(), x.data<T>(), h.size(0), M(),
                                      gen.next());
        else
            detail::gaussian_sample<T>(x.data<T>(), a.data<T>(), sigma.data<T>(), x.data<T>(),
                                       h.size(0), M(), gen.next());
    });
}

Tensor Rbm::sample_hidden(const Tensor& x, Generator& gen) const {
    Tensor h = Tensor::empty({x.size(0), N()}, dtype());
    sample_hidden_into(x, h, gen);
    return h;
}

Tensor Rbm::sample_visible(const Tensor& h, Generator& gen) const {
    Tensor x = Tensor::empty({h.size(0), M()}, dtype());
    sample_visible_into(h, x, gen);
    return x;
}

}  // namespace gibbs::boltzmann
