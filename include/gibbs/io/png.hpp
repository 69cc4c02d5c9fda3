// Image grids as PNG files (libpng), for looking at data and samples: n images of
// (channels, height, width) laid out row by row in `cols` columns, separated and framed by
// `padding` pixels of value `pad_value`. Values are in [0, 1]; outside values are clipped and NaN
// is drawn as 0.
#pragma once

#include <cstdint>
#include <string>

namespace gibbs::io {

// images: (n, channels, height, width) row-major floats; channels 1 (grey) or 3 (RGB).
// The grid has min(cols, n) columns and ceil(n / cols) rows; it is written atomically.
// Throws gibbs::Error naming the file for bad sizes or a failed write.
void write_png_grid(const std::string& path, const float* images, int64_t n, int64_t height,
                    int64_t width, int channels, int64_t cols, int64_t padding,
                    float pad_value = 0.5f);

// The PNG file's bytes, as write_png_grid would write them.
std::string encode_png_grid(const float* images, int64_t n, int64_t height, int64_t width,
                            int channels, int64_t cols, int64_t padding, float pad_value = 0.5f,
                            const std::string& name = "<memory>");

}  // namespace gibbs::io
