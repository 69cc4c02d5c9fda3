// The RBM wave function of vmc_rbm.hpp: log ψ, angles, log-derivatives and flip ratios.
#include "gibbs/physics/vmc_rbm.hpp"

#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::physics {

namespace {

// log(2 cosh x) = |x| + log1p(e^{−2|x|}), stable for large |x|.
double log_2cosh(double x) {
    const double y = std::abs(x);
    return y + std::log1p(std::exp(-2.0 * y));
}

}  // namespace

SpinRbm::SpinRbm(int visible, int hidden) : n_(visible), m_(hidden) {
    check(visible >= 1, "rbm: need at least one visible unit, got ", visible);
    check(hidden >= 1, "rbm: need at least one hidden unit, got ", hidden);
    p_ = Eigen::VectorXd::Zero(n_ + m_ + n_ * m_);
    refresh();
}

void SpinRbm::set_parameters(const Eigen::VectorXd& p) {
    check(p.size() == p_.size(), "rbm: expected ", p_.size(), " parameters, got ", p.size());
    check(p.allFinite(), "rbm: parameters are not finite (the optimization diverged)");
    p_ = p;
    refresh();
}

void SpinRbm::randomize(Generator& gen, double sd) {
    for (auto& v : p_) v = gen.normal(0.0, sd);
    refresh();
}

void SpinRbm::refresh() {
    const auto W = p_.tail(n_ * m_);
    cosh2W_ = (2.0 * W).array().cosh();
    sinh2W_ = (2.0 * W).array().sinh();
}

double SpinRbm::log_psi(const int8_t* s) const {
    double sum = 0.0;
    for (int i = 0; i < n_; ++i) sum += a(i) * s[i];
    for (int j = 0; j < m_; ++j) {
        double theta = b(j);
        for (int i = 0; i < n_; ++i) theta += W(i, j) * s[i];
        sum += log_2cosh(theta);
    }
    return sum;
}

void SpinRbm::angles(const int8_t* s, double* theta, double* t) const {
    for (int j = 0; j < m_; ++j) theta[j] = b(j);
    for (int i = 0; i < n_; ++i) {
        const double* w = W_row(i);
        const double si = s[i];
        for (int j = 0; j < m_; ++j) theta[j] += w[j] * si;
    }
    for (int j = 0; j < m_; ++j) t[j] = std::tanh(theta[j]);
}

void SpinRbm::log_derivatives(const int8_t* s, const double* t, double* O) const {
    for (int i = 0; i < n_; ++i) O[i] = s[i];
    for (int j = 0; j < m_; ++j) O[n_ + j] = t[j];
    double* OW = O + n_ + m_;
    for (int i = 0; i < n_; ++i) {
        const double si = s[i];
        for (int j = 0; j < m_; ++j) OW[i * m_ + j] = si * t[j];
    }
}

double SpinRbm::ratio(const int8_t* s, const double* t, int i, int j) const {
    const double si = s[i];
    const double* ci = cosh2W_.data() + i * m_;
    const double* shi = sinh2W_.data() + i * m_;
    double product = 1.0;
    if (j < 0) {
        // cosh dᵢₖ = cosh 2Wᵢₖ, sinh dᵢₖ = sᵢ sinh 2Wᵢₖ.
        for (int k = 0; k < m_; ++k) product *= ci[k] - t[k] * si * shi[k];
        return std::exp(-2.0 * a(i) * si) * product;
    }
    const double sj = s[j];
    const double* cj = cosh2W_.data() + j * m_;
    const double* shj = sinh2W_.data() + j * m_;
    for (int k = 0; k < m_; ++k) {
        // D = dᵢₖ + dⱼₖ:  cosh D = cᵢcⱼ + sᵢsⱼ shᵢshⱼ,  sinh D = sᵢ shᵢ cⱼ + sⱼ shⱼ cᵢ.
        const double coshD = ci[k] * cj[k] + si * sj * shi[k] * shj[k];
        const double sinhD = si * shi[k] * cj[k] + sj * shj[k] * ci[k];
        product *= coshD - t[k] * sinhD;
    }
    return std::exp(-2.0 * (a(i) * si + a(j) * sj)) * product;
}

void SpinRbm::flip(int8_t* s, double* theta, double* t, int i) const {
    const double* w = W_row(i);
    const double d = 2.0 * s[i];
    for (int j = 0; j < m_; ++j) {
        theta[j] -= d * w[j];
        t[j] = std::tanh(theta[j]);
    }
    s[i] = static_cast<int8_t>(-s[i]);
}

}  // namespace gibbs::physics
