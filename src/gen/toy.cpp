// Exact samplers of the 2-D toy densities (gibbs/gen/toy.hpp).
#include "gibbs/gen/toy.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kNoise = 0.1;  // moons and swiss-roll

void eight_gaussians(double* p, int64_t n, Generator& gen) {
    for (int64_t i = 0; i < n; ++i) {
        const double angle = kPi / 4 * static_cast<double>(gen.integer(0, 8));
        p[2 * i] = 2 * std::cos(angle) + kEightGaussiansSigma * gen.normal();
        p[2 * i + 1] = 2 * std::sin(angle) + kEightGaussiansSigma * gen.normal();
    }
}

void moons(double* p, int64_t n, Generator& gen) {
    for (int64_t i = 0; i < n; ++i) {
        const double t = kPi * gen.uniform();
        const bool upper = gen.uniform() < 0.5;
        const double x = upper ? std::cos(t) : 1 - std::cos(t);
        const double y = upper ? std::sin(t) : 0.5 - std::sin(t);
        p[2 * i] = x - 0.5 + kNoise * gen.normal();
        p[2 * i + 1] = y - 0.25 + kNoise * gen.normal();
    }
}

void swiss_roll(double* p, int64_t n, Generator& gen) {
    for (int64_t i = 0; i < n; ++i) {
        const double t = 1.5 * kPi * (1 + 2 * gen.uniform());
        p[2 * i] = t * std::cos(t) / 5 + kNoise * gen.normal();
        p[2 * i + 1] = t * std::sin(t) / 5 + kNoise * gen.normal();
    }
}

void checkerboard(double* p, int64_t n, Generator& gen) {
    for (int64_t i = 0; i < n; ++i) {
        // Column i in −2..1 uniformly, then one of the two dark rows j of that column (i + j even).
        const int64_t col = gen.integer(-2, 2);
        const int64_t row = 2 * gen.integer(-1, 1) + ((col % 2 + 2) % 2);
        p[2 * i] = static_cast<double>(col) + gen.uniform();
        p[2 * i + 1] = static_cast<double>(row) + gen.uniform();
    }
}

}  // namespace

const std::vector<std::string>& toy_names() {
    static const std::vector<std::string> names = {"eight-gaussians", "moons", "swiss-roll",
                                                   "checkerboard"};
    return names;
}

bool is_toy(std::string_view name) {
    for (const std::string& known : toy_names())
        if (known == name) return true;
    return false;
}

Tensor sample_toy(std::string_view name, int64_t n, Generator& gen, DType dtype) {
    check(n >= 0, "sample_toy: the number of samples must not be negative, got ", n);
    Tensor out = Tensor::empty({n, 2}, DType::f64);
    double* p = out.data<double>();
    if (name == "eight-gaussians") {
        eight_gaussians(p, n, gen);
    } else if (name == "moons") {
        moons(p, n, gen);
    } else if (name == "swiss-roll") {
        swiss_roll(p, n, gen);
    } else if (name == "checkerboard") {
        checkerboard(p, n, gen);
    } else {
        std::string known;
        for (const std::string& k : toy_names()) known += (known.empty() ? "" : ", ") + k;
        fail("unknown toy density '", name, "'; the known ones are ", known);
    }
    return dtype == DType::f64 ? out : out.to(dtype);
}

Tensor eight_gaussians_centers(DType dtype) {
    std::vector<double> c;
    for (int k = 0; k < 8; ++k) {
        c.push_back(2 * std::cos(kPi / 4 * k));
        c.push_back(2 * std::sin(kPi / 4 * k));
    }
    return Tensor::from(c, {8, 2}, dtype);
}

ModeCoverage mode_coverage(const Tensor& samples, const Tensor& centers, double radius,
                           double min_fraction) {
    check(samples.dim() == 2 && centers.dim() == 2 && samples.size(1) == centers.size(1),
          "mode_coverage: samples ", samples.shape(), " and centres ", centers.shape(),
          " must be (n, d) and (K, d)");
    const Tensor x = samples.to(DType::f64).contiguous();
    const Tensor c = centers.to(DType::f64).contiguous();
    const int64_t n = x.size(0), K = c.size(0), d = x.size(1);
    ModeCoverage r;
    r.counts.assign(K, 0);
    int64_t off = 0;
    const double* px = x.data<double>();
    const double* pc = c.data<double>();
    for (int64_t i = 0; i < n; ++i) {
        int64_t best = -1;
        double best_d2 = std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < K; ++k) {
            double d2 = 0;
            for (int64_t j = 0; j < d; ++j) {
                const double diff = px[i * d + j] - pc[k * d + j];
                d2 += diff * diff;
            }
            if (d2 < best_d2) best_d2 = d2, best = k;
        }
        if (best >= 0 && best_d2 <= radius * radius)
            ++r.counts[best];
        else
            ++off;
    }
    for (int64_t k = 0; k < K; ++k)
        if (n > 0 && static_cast<double>(r.counts[k]) >= min_fraction * static_cast<double>(n))
            ++r.covered;
    r.off_mode = n > 0 ? static_cast<double>(off) / static_cast<double>(n) : 0;
    return r;
}

}  // namespace gibbs::gen

#include <algorithm>

#include "gibbs/io/png.hpp"

namespace gibbs::gen {

void write_scatter_png(const std::string& path, const Tensor& points, double extent,
                       int64_t pixels) {
    check(points.dim() == 2 && points.size(1) == 2, "write_scatter_png: points are ",
          points.shape(), ", expected (n, 2)");
    check(extent > 0 && pixels >= 8, "write_scatter_png: bad extent or size");
    const Tensor p = points.to(DType::f64).contiguous();
    std::vector<double> counts(pixels * pixels, 0.0);
    const double* x = p.data<double>();
    for (int64_t i = 0; i < p.size(0); ++i) {
        const double u = (x[2 * i] + extent) / (2 * extent),
                     v = (extent - x[2 * i + 1]) / (2 * extent);
        if (!(u >= 0 && u < 1 && v >= 0 && v < 1)) continue;  // outside, or NaN
        counts[static_cast<int64_t>(v * pixels) * pixels + static_cast<int64_t>(u * pixels)] += 1;
    }
    const double top = std::log1p(*std::max_element(counts.begin(), counts.end()));
    std::vector<float> image(counts.size());
    for (size_t k = 0; k < counts.size(); ++k)
        image[k] = top > 0 ? static_cast<float>(1 - std::log1p(counts[k]) / top) : 1.0f;
    io::write_png_grid(path, image.data(), 1, pixels, pixels, 1, 1, 0);
}

}  // namespace gibbs::gen
