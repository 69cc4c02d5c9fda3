// PNG grids: write, read back with libpng, and compare every pixel with the layout computed here.
#include "gibbs/io/png.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "common/temp_dir.hpp"
#include "gibbs/tensor/error.hpp"

using gibbs::testing::TempDir;

namespace {

struct Decoded {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> pixels;  // (height, width, channels)
};

Decoded decode(const std::string& path) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    Decoded d;
    if (!png_image_begin_read_from_file(&image, path.c_str())) return d;
    d.channels = (image.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    d.width = image.width;
    d.height = image.height;
    image.format = d.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    d.pixels.resize(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr)) d.pixels.clear();
    return d;
}

}  // namespace

TEST(PngGrid, PixelsLandWhereTheLayoutSays) {
    // 5 images of 3 x 4 in 3 columns with 2 pixels of padding: 2 rows,
    // width 3·(4+2)+2 = 20, height 2·(3+2)+2 = 12. Image i's pixel (c, y, x) has value
    // ((i·7 + c·5 + y·4 + x) mod 13) / 12, with a few outside [0, 1] and a NaN to clip.
    for (int channels : {1, 3}) {
        const int n = 5, h = 3, w = 4, cols = 3, pad = 2;
        std::vector<float> images(n * channels * h * w);
        for (int i = 0; i < n; ++i)
            for (int c = 0; c < channels; ++c)
                for (int y = 0; y < h; ++y)
                    for (int x = 0; x < w; ++x)
                        images[((i * channels + c) * h + y) * w + x] =
                            ((i * 7 + c * 5 + y * 4 + x) % 13) / 12.0f;
        images[0] = -0.5f;          // clipped to 0
        images[1] = 1.7f;           // clipped to 255
        images[2] = std::nanf("");  // drawn as 0
        TempDir dir;
        const std::string path = dir.file("grid.png");
        gibbs::io::write_png_grid(path, images.data(), n, h, w, channels, cols, pad, 1.0f);
        const Decoded d = decode(path);
        ASSERT_EQ(d.width, 20);
        ASSERT_EQ(d.height, 12);
        ASSERT_EQ(d.channels, channels);
        ASSERT_EQ(d.pixels.size(), 20u * 12u * channels);
        int checked = 0;
        for (int Y = 0; Y < 12; ++Y)
            for (int X = 0; X < 20; ++X)
                for (int c = 0; c < channels; ++c) {
                    const uint8_t got = d.pixels[(Y * 20 + X) * channels + c];
                    const int row = (Y - pad) / (h + pad), col = (X - pad) / (w + pad);
                    const int y = (Y - pad) % (h + pad), x = (X - pad) % (w + pad);
                    const int i = row * cols + col;
                    const bool inside = Y >= pad && X >= pad && y < h && x < w && i < n;
                    int want = 255;  // padding, and the empty sixth cell
                    if (inside) {
                        const float v = images[((i * channels + c) * h + y) * w + x];
                        want = std::isnan(v) ? 0 : std::lround(std::clamp(v, 0.0f, 1.0f) * 255);
                    }
                    EXPECT_EQ(got, want)
                        << "channels " << channels << " at (" << Y << ", " << X << ", " << c << ")";
                    ++checked;
                }
        EXPECT_EQ(checked, 20 * 12 * channels);
        EXPECT_EQ(d.pixels[(2 * 20 + 2) * channels], 0);    // -0.5 -> 0
        EXPECT_EQ(d.pixels[(2 * 20 + 3) * channels], 255);  // 1.7 -> 255
    }
}

TEST(PngGrid, BadArgumentsAreErrorsNamingTheFile) {
    TempDir dir;
    const std::string path = dir.file("bad.png");
    std::vector<float> images(16, 0.5f);
    for (auto call : {+[](const std::string&p, const float*x) {
                          gibbs::io::write_png_grid(p, x, 1, 4, 4, 2, 1, 0);
                      },
                      +[](const std::string&p, const float*x) {
                          gibbs::io::write_png_grid(p, x, 0, 4, 4, 1, 1, 0);
                      },
                      +[](const std::string&p, const float*x) {
                          gibbs::io::write_png_grid(p, x, 1, 4, 4, 1, 0, 0);
                      },
                      +[](const std::string&p, const float*x) {
                          gibbs::io::write_png_grid(p, x, 1, 4, 4, 1, 1, -1);
                      }}) {
        try {
            call(path, images.data());
            ADD_FAILURE() << "no error";
        } catch (const gibbs::Error& e) {
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
    EXPECT_FALSE(std::filesystem::exists(path));
}
