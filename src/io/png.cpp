// PNG grids: the images are placed into one 8-bit buffer (grey or interleaved RGB) and encoded
// with libpng's simplified API (png_image_write_to_memory), which needs no setjmp.
#include "gibbs/io/png.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gibbs/io/file.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::io {
namespace {

// [0, 1] -> 0..255 with rounding; clipped; NaN -> 0.
uint8_t to_byte(float v) {
    if (!(v > 0.0f)) return 0;  // also NaN
    if (v >= 1.0f) return 255;
    return static_cast<uint8_t>(v * 255.0f + 0.5f);
}

}  // namespace

std::string encode_png_grid(const float* images, int64_t n, int64_t height, int64_t width,
                            int channels, int64_t cols, int64_t padding, float pad_value,
                            const std::string& name) {
    check(n >= 1, name, ": an image grid needs at least one image, got n = ", n);
    check(height >= 1 && width >= 1, name, ": image size ", height, " x ", width,
          " must be positive");
    check(channels == 1 || channels == 3, name, ": channels must be 1 (grey) or 3 (RGB), got ",
          channels);
    check(cols >= 1, name, ": cols must be at least 1, got ", cols);
    check(padding >= 0, name, ": padding must not be negative, got ", padding);
    check(images != nullptr, name, ": no image data");
    const int64_t grid_cols = std::min(cols, n);
    const int64_t grid_rows = (n + grid_cols - 1) / grid_cols;
    const int64_t W = grid_cols * (width + padding) + padding;  // grid width in pixels
    const int64_t H = grid_rows * (height + padding) + padding;
    constexpr int64_t kMaxSide = 1 << 16;
    check(W <= kMaxSide && H <= kMaxSide, name, ": the grid would be ", W, " x ", H,
          " pixels, more than ", kMaxSide, " on a side");

    // (H, W, channels) interleaved bytes, filled with the padding colour.
    std::vector<uint8_t> pixels(static_cast<size_t>(H * W * channels), to_byte(pad_value));
    const int64_t plane = height * width;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t top = padding + (i / grid_cols) * (height + padding);
        const int64_t left = padding + (i % grid_cols) * (width + padding);
        const float* image = images + i * channels * plane;  // (channels, height, width)
        for (int64_t y = 0; y < height; ++y)
            for (int64_t x = 0; x < width; ++x)
                for (int c = 0; c < channels; ++c)
                    pixels[((top + y) * W + left + x) * channels + c] =
                        to_byte(image[c * plane + y * width + x]);
    }

    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(W);
    image.height = static_cast<png_uint_32>(H);
    image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    // First call: the size only; second call: the bytes.
    bool ok = png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
    std::string out;
    if (ok) {
        out.resize(size);
        ok = png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr);
        out.resize(size);
    }
    const std::string message = image.message;
    png_image_free(&image);
    check(ok, name, ": PNG encoding failed: ", message);
    return out;
}

void write_png_grid(const std::string& path, const float* images, int64_t n, int64_t height,
                    int64_t width, int channels, int64_t cols, int64_t padding, float pad_value) {
    write_file_atomic(
        path, encode_png_grid(images, n, height, width, channels, cols, padding, pad_value, path));
}

}  // namespace gibbs::io
