// IDX files the test writes itself (plain and gzip, good and corrupt), and the real Fashion-MNIST
// test set when the package dataset-fashion-mnist is installed.
#include "gibbs/data/idx.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "common/temp_dir.hpp"
#include "gibbs/data/fashion_mnist.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::data;
using gibbs::testing::TempDir;
using gibbs::testing::write_text;

namespace {

// An IDX file: magic 0x00 0x00 type ndim, big-endian uint32 extents, then the data.
std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& shape, size_t data_bytes) {
    std::string out = {0, 0, static_cast<char>(type), static_cast<char>(shape.size())};
    for (uint32_t extent : shape)
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>(extent >> shift));
    for (size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<char>(i * 7 % 256));
    return out;
}

void write_gz(const std::string& path, const std::string& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(f);
}

std::string error_of(const std::string& path) {
    try {
        read_idx(path);
    } catch (const gibbs::Error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Idx, ReadsPlainAndGzipFiles) {
    TempDir dir;
    const std::string bytes = idx_bytes(0x08, {3, 2, 5}, 30);
    write_text(dir.file("a.idx"), bytes);
    write_gz(dir.file("a.idx.gz"), bytes);
    for (const std::string name : {"a.idx", "a.idx.gz"}) {
        const IdxArray a = read_idx(dir.file(name));
        EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 2, 5})) << name;
        ASSERT_EQ(a.data.size(), 30u);
        for (size_t i = 0; i < 30; ++i) EXPECT_EQ(a.data[i], i * 7 % 256) << name;
    }
    // Extents above 2^16 are read big-endian: 0x00 0x01 0x00 0x02 = 65538.
    const IdxArray big = parse_idx(
        std::span(reinterpret_cast<const uint8_t*>(idx_bytes(0x08, {65538}, 65538).data()),
                  4 + 4 + 65538),
        "memory");
    EXPECT_EQ(big.shape[0], 65538);
    // An empty extent is a valid, empty array.
    EXPECT_EQ(parse_idx(std::span<const uint8_t>(
                            reinterpret_cast<const uint8_t*>(idx_bytes(8, {0, 28}, 0).data()), 12),
                        "memory")
                  .numel(),
              0);
}

TEST(Idx, EachCorruptFileGivesOneClearError) {
    TempDir dir;
    const std::string good = idx_bytes(0x08, {4, 3}, 12);
    struct Case {
        const char* what;
        std::string bytes;
        const char* message;
    };
    const std::vector<Case> cases = {
        {"empty", "", "0 bytes long, too short for an IDX magic number"},
        {"bad magic", "\x01\x02\x08\x02" + good.substr(4), "bad magic number 0x01020802"},
        {"float data", idx_bytes(0x0D, {2}, 8), "type 0x0D (float32) is not supported"},
        {"unknown type", idx_bytes(0x07, {2}, 2), "unknown IDX element type 0x07"},
        {"no dimensions", idx_bytes(0x08, {}, 1), "0 dimensions in the magic number"},
        {"truncated header", good.substr(0, 10), "truncated header: expected 2 dimensions"},
        {"truncated data", good.substr(0, good.size() - 1),
         "truncated data: dimensions 4 x 3 need 12 bytes, the file holds 11"},
        {"trailing bytes", good + "x", "trailing bytes after the 12 bytes of data"},
        {"absurd dimensions", idx_bytes(0x08, {60000, 60000, 60000}, 16),
         "absurd dimensions 60000 x 60000 x 60000..."},
    };
    for (const Case& c : cases) {
        write_text(dir.file("bad.idx"), c.bytes);
        write_gz(dir.file("bad.idx.gz"), c.bytes);
        for (const std::string name : {"bad.idx", "bad.idx.gz"}) {
            const std::string message = error_of(dir.file(name));
            EXPECT_NE(message.find(dir.file(name)), std::string::npos) << c.what << ": " << message;
            EXPECT_NE(message.find(c.message), std::string::npos) << c.what << ": " << message;
        }
    }
    EXPECT_NE(error_of(dir.file("missing.gz")).find("cannot open"), std::string::npos);
}

TEST(Idx, CorruptGzipStreamsAreErrors) {
    TempDir dir;
    write_gz(dir.file("a.gz"), idx_bytes(0x08, {100, 100}, 10000));
    const std::string gz = gibbs::testing::read_text(dir.file("a.gz"));
    // Without its 8-byte trailer (CRC-32 and length) the data is complete but the stream is not.
    write_text(dir.file("cut.gz"), gz.substr(0, gz.size() - 8));
    EXPECT_NE(error_of(dir.file("cut.gz")).find("truncated gzip stream"), std::string::npos)
        << error_of(dir.file("cut.gz"));
    // Cut in the middle: the data is short.
    write_text(dir.file("half.gz"), gz.substr(0, gz.size() / 2));
    EXPECT_NE(error_of(dir.file("half.gz")).find("truncated"), std::string::npos)
        << error_of(dir.file("half.gz"));
    // A flipped byte in the compressed data breaks the stream or its CRC.
    std::string flipped = gz;
    flipped[gz.size() / 2] ^= 0x55;
    write_text(dir.file("flip.gz"), flipped);
    EXPECT_NE(error_of(dir.file("flip.gz")), "no error");
}

TEST(FashionMnist, MissingDataSaysWhichPackageToInstall) {
    TempDir dir;
    try {
        load_fashion_mnist(Split::kTest, dir.file("nowhere"));
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("dataset-fashion-mnist"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("t10k-images-idx3-ubyte.gz"), std::string::npos);
    }
}

TEST(FashionMnist, EnvironmentOverridesTheFolderAndCountsMustMatch) {
    TempDir dir;
    write_gz(dir.file("t10k-images-idx3-ubyte.gz"), idx_bytes(8, {3, 28, 28}, 3 * 784));
    write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_bytes(8, {2}, 2));
    const char* old = std::getenv("GIBBS_FASHION_MNIST_DIR");
    const std::string saved = old ? old : "";
    ::setenv("GIBBS_FASHION_MNIST_DIR", dir.path().c_str(), 1);
    EXPECT_EQ(fashion_mnist_dir(), dir.path().string());
    try {
        load_fashion_mnist(Split::kTest);
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("holds 3 images but"), std::string::npos) << e.what();
    }
    // Uncompressed files are found too; a label outside 0..9 is an error.
    std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte.gz"));
    write_text(dir.file("t10k-labels-idx1-ubyte"), idx_bytes(8, {3}, 0) + "\x01\x02\x0c");
    try {
        load_fashion_mnist(Split::kTest);
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("label 12 at index 2"), std::string::npos) << e.what();
    }
    if (old)
        ::setenv("GIBBS_FASHION_MNIST_DIR", saved.c_str(), 1);
    else
        ::unsetenv("GIBBS_FASHION_MNIST_DIR");
}

TEST(FashionMnist, LoadsTheRealTestSet) {
    const std::string dir(kFashionMnistDefaultDir);
    if (!std::filesystem::exists(dir + "/t10k-images-idx3-ubyte.gz"))
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    const LabeledImages test = load_fashion_mnist(Split::kTest, dir);
    EXPECT_EQ(test.size(), 10000);
    EXPECT_EQ(test.images.shape, (std::vector<int64_t>{10000, 28, 28}));
    // Known from the files (read independently with Python's gzip module): the first labels are
    // 9 2 1 1 6 (ankle boot, pullover, trouser, trouser, shirt), each class has exactly 1000
    // images, and the first image's pixels sum to 33456.
    EXPECT_EQ(std::vector<uint8_t>(test.labels.data.begin(), test.labels.data.begin() + 5),
              (std::vector<uint8_t>{9, 2, 1, 1, 6}));
    std::vector<int> per_class(10, 0);
    for (uint8_t y : test.labels.data) ++per_class[y];
    EXPECT_EQ(per_class, std::vector<int>(10, 1000));
    int64_t sum = 0;
    for (int i = 0; i < 784; ++i) sum += test.images.data[i];
    EXPECT_EQ(sum, 33456);
}
