// safetensors: round trips, a file from an independent writer, a gibbs file read by an
// independent reader, one error per malformed case, and atomic saves.
#include "gibbs/io/safetensors.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"

using namespace gibbs::io;
using gibbs::testing::read_text;
using gibbs::testing::TempDir;
using gibbs::testing::write_text;

namespace {

const std::string kScript = std::string(GIBBS_SOURCE_DIR) + "/tests/io/make_foreign_safetensors.py";
const std::string kForeign = std::string(GIBBS_SOURCE_DIR) + "/tests/io/data/foreign.safetensors";

bool have_python() { return std::filesystem::exists("/usr/bin/python3"); }

// Runs a shell command and returns its standard output.
std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return out;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

SafetensorsFile sample_file() {
    const std::vector<float> w = {1.5f, -2.0f, 0.25f, 1e-30f, 3e30f, -0.0f};
    const std::vector<double> pi = {3.141592653589793};
    const std::vector<int64_t> idx = {0, -1, int64_t{1} << 62};
    const std::vector<uint8_t> none = {};
    SafetensorsFile f;
    f.tensors.emplace_back("net.0.weight", make_raw_tensor<float>({2, 3}, w));
    f.tensors.emplace_back("pi", make_raw_tensor<double>({}, pi));
    f.tensors.emplace_back("index", make_raw_tensor<int64_t>({3}, idx));
    f.tensors.emplace_back("empty", make_raw_tensor<uint8_t>({0, 4}, none));
    f.metadata = {{"format", "gibbs"}, {"epoch", "3"}};
    return f;
}

// A file from header text and `data_bytes` bytes of data (values 0, 1, 2, ...).
std::string file_bytes(const std::string& header, size_t data_bytes) {
    std::string out;
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    out += header;
    for (size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<char>(i));
    return out;
}

}  // namespace

TEST(Safetensors, RoundTripKeepsOrderShapesValuesAndMetadata) {
    TempDir dir;
    const SafetensorsFile f = sample_file();
    write_safetensors(dir.file("a.safetensors"), f);
    const SafetensorsFile g = read_safetensors(dir.file("a.safetensors"));
    ASSERT_EQ(g.tensors.size(), f.tensors.size());
    for (size_t i = 0; i < f.tensors.size(); ++i) {
        EXPECT_EQ(g.tensors[i].first, f.tensors[i].first);
        EXPECT_EQ(g.tensors[i].second.dtype, f.tensors[i].second.dtype);
        EXPECT_EQ(g.tensors[i].second.shape, f.tensors[i].second.shape);
        EXPECT_EQ(g.tensors[i].second.data, f.tensors[i].second.data);
    }
    EXPECT_EQ(g.metadata, f.metadata);
    EXPECT_EQ(raw_tensor_values<float>(*g.find("net.0.weight"))[4], 3e30f);
    EXPECT_EQ(g.find("missing"), nullptr);
    EXPECT_THROW(raw_tensor_values<double>(*g.find("net.0.weight")), gibbs::Error);

    // The header is padded with spaces so that the data starts at a multiple of 8 bytes.
    const std::string bytes = read_text(dir.file("a.safetensors"));
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
    EXPECT_EQ(n % 8, 0u);
    EXPECT_EQ(bytes.size(), 8 + n + 6 * 4 + 8 + 3 * 8);
    EXPECT_EQ(bytes, serialize_safetensors(f));
    // Reading from memory gives the same as reading the file.
    const SafetensorsFile m = parse_safetensors(read_file(dir.file("a.safetensors")), "memory");
    ASSERT_EQ(m.tensors.size(), g.tensors.size());
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        EXPECT_EQ(m.tensors[i].first, g.tensors[i].first);
        EXPECT_EQ(m.tensors[i].second.data, g.tensors[i].second.data);
    }
    // A folder is not a file.
    EXPECT_THROW(read_safetensors(dir.path().string()), gibbs::Error);
}

TEST(Safetensors, ReadsAFileFromAnIndependentWriter) {
    // Written by make_foreign_safetensors.py: header in reverse data order, no padding.
    const SafetensorsFile f = read_safetensors(kForeign);
    ASSERT_EQ(f.tensors.size(), 5u);
    const char* order[] = {"layer.weight", "counts", "pi", "empty", "mask"};
    for (int i = 0; i < 5; ++i) EXPECT_EQ(f.tensors[i].first, order[i]);
    EXPECT_EQ(f.metadata.at("written_by"), "python struct+json");
    EXPECT_EQ(f.find("layer.weight")->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(raw_tensor_values<float>(*f.find("layer.weight")),
              (std::vector<float>{0.5f, -1.25f, 3.0f, 4.0f, 5.0f, 0.006f}));
    EXPECT_EQ(raw_tensor_values<int64_t>(*f.find("counts")),
              (std::vector<int64_t>{1, -2, 3, int64_t{1} << 40}));
    EXPECT_TRUE(f.find("pi")->shape.empty());
    EXPECT_EQ(raw_tensor_values<double>(*f.find("pi"))[0], 3.141592653589793);
    EXPECT_EQ(f.find("empty")->numel(), 0);
    EXPECT_EQ(raw_tensor_values<int16_t>(*f.find("mask")), (std::vector<int16_t>{-300, 300}));
}

TEST(Safetensors, CheckedInForeignFileMatchesItsScript) {
    if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
    TempDir dir;
    run("/usr/bin/python3 " + kScript + " write " + dir.file("f.safetensors"));
    EXPECT_EQ(read_text(dir.file("f.safetensors")), read_text(kForeign));
}

TEST(Safetensors, IndependentReaderReadsWhatGibbsWrites) {
    if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
    TempDir dir;
    SafetensorsFile f;
    const std::vector<float> w = {0.5f, -1.25f, 3.0f, 4.0f};
    const std::vector<int64_t> c = {7, -8};
    f.tensors.emplace_back("w", make_raw_tensor<float>({2, 2}, w));
    f.tensors.emplace_back("c", make_raw_tensor<int64_t>({2}, c));
    f.metadata["k"] = "v";
    write_safetensors(dir.file("g.safetensors"), f);
    const auto seen = nlohmann::json::parse(
        run("/usr/bin/python3 " + kScript + " read " + dir.file("g.safetensors")));
    EXPECT_EQ(seen, nlohmann::json::parse(R"({"__metadata__": {"k": "v"},
        "w": ["F32", [2, 2], [0.5, -1.25, 3.0, 4.0]], "c": ["I64", [2], [7, -8]]})"));
}

struct BadCase {
    const char* what;
    std::string bytes;
    const char* message;  // a part of the expected error
};

TEST(Safetensors, EachMalformedFileGivesOneClearError) {
    const std::string f32 = R"("dtype": "F32", "shape": [1], "data_offsets": )";
    const std::vector<BadCase> cases = {
        {"shorter than 8 bytes", "abc", "shorter than the 8-byte header length"},
        {"header beyond the file", file_bytes("{}", 0).substr(0, 9),
         "header length 2 exceeds the 1"},
        {"length beyond the file", std::string("\xe8\x03\0\0\0\0\0\0{}", 10), "exceeds the 2"},
        {"not an object", file_bytes("[1, 2]", 0), "must be a JSON object"},
        {"malformed JSON", file_bytes(R"({"w": {"dtype": )", 0), "malformed JSON header"},
        {"invalid UTF-8", file_bytes("{\"\xff\": 1}", 0), "malformed JSON header"},
        {"missing key", file_bytes(R"({"w": {"dtype": "F32", "shape": [1]}})", 4),
         "tensor 'w': missing key 'data_offsets'"},
        {"extra key", file_bytes(R"({"w": {)" + f32 + R"([0, 4], "x": 1}})", 4),
         "tensor 'w': unexpected key 'x'"},
        {"unknown dtype",
         file_bytes(R"({"w": {"dtype": "F128", "shape": [1], "data_offsets": [0, 16]}})", 16),
         "tensor 'w': unknown dtype 'F128'"},
        {"negative extent",
         file_bytes(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4),
         "tensor 'w': shape[0] must be a non-negative integer"},
        {"fractional extent",
         file_bytes(R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", 4),
         "tensor 'w': shape[0] must be a non-negative integer"},
        {"overflowing shape",
         file_bytes(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296],)"
                    R"( "data_offsets": [0, 4]}})",
                    4),
         "tensor 'w': the shape's size in bytes overflows"},
        {"size mismatch",
         file_bytes(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8),
         "tensor 'w': data_offsets [0, 8] hold 8 bytes but shape and dtype F32 need 12"},
        {"offsets out of range",
         file_bytes(R"({"w": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}})", 4),
         "tensor 'w': data_offsets [0, 400] lie beyond the 4 data bytes"},
        {"offsets reversed", file_bytes(R"({"w": {)" + f32 + R"([4, 0]}})", 4),
         "tensor 'w': data_offsets [4, 0] end before they begin"},
        {"overlap",
         file_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                    R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                    12),
         "tensor 'b': data_offsets [4, 12] overlap tensor 'a'"},
        {"gap", file_bytes(R"({"a": {)" + f32 + R"([0, 4]}, "b": {)" + f32 + R"([8, 12]}})", 12),
         "tensor 'b': data_offsets [8, 12] leave a gap of 4 bytes after tensor 'a'"},
        {"gap at the start", file_bytes(R"({"a": {)" + f32 + R"([4, 8]}})", 8),
         "leave a gap of 4 bytes after the header"},
        {"trailing bytes", file_bytes(R"({"a": {)" + f32 + R"([0, 4]}})", 8),
         "4 bytes after the last tensor"},
        {"duplicate names",
         file_bytes(R"({"a": {)" + f32 + R"([0, 4]}, "a": {)" + f32 + R"([4, 8]}})", 8),
         "duplicate key 'a'"},
        {"metadata not strings", file_bytes(R"({"__metadata__": {"epoch": 3}})", 0),
         "__metadata__ value 'epoch' must be a string"},
    };
    TempDir dir;
    for (const BadCase& c : cases) {
        const std::string path = dir.file("bad.safetensors");
        write_text(path, c.bytes);
        try {
            read_safetensors(path);
            ADD_FAILURE() << c.what << ": no error";
        } catch (const gibbs::Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(path), std::string::npos) << c.what << ": " << message;
            EXPECT_NE(message.find(c.message), std::string::npos) << c.what << ": " << message;
        }
    }
}

TEST(Safetensors, WriterRefusesInconsistentTensors) {
    TempDir dir;
    const std::string path = dir.file("w.safetensors");
    SafetensorsFile f;
    f.tensors.push_back({"w", RawTensor{"F32", {3}, std::vector<std::byte>(8)}});
    EXPECT_THROW(write_safetensors(path, f), gibbs::Error);
    f.tensors[0].second = RawTensor{"Q8", {1}, std::vector<std::byte>(1)};
    EXPECT_THROW(write_safetensors(path, f), gibbs::Error);
    f.tensors[0].second = RawTensor{"U8", {1}, std::vector<std::byte>(1)};
    f.tensors.push_back(f.tensors[0]);
    EXPECT_THROW(write_safetensors(path, f), gibbs::Error);
    f.tensors[1].first = "__metadata__";
    EXPECT_THROW(write_safetensors(path, f), gibbs::Error);
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(AtomicWrite, AFailedSaveLeavesThePreviousFileWholeAndNoTempFile) {
    TempDir dir;
    const std::string path = dir.file("model.safetensors");
    write_safetensors(path, sample_file());
    const std::string before = read_text(path);

    SafetensorsFile bigger = sample_file();
    bigger.tensors.emplace_back("extra", make_raw_tensor<double>({2}, std::vector<double>{1, 2}));
    set_atomic_write_fault_for_testing(20);  // the "disk" fills after 20 bytes
    EXPECT_THROW(write_safetensors(path, bigger), gibbs::Error);
    set_atomic_write_fault_for_testing(std::nullopt);

    EXPECT_EQ(read_text(path), before);
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, 1);
    // Without the fault the same save goes through.
    write_safetensors(path, bigger);
    EXPECT_NE(read_safetensors(path).find("extra"), nullptr);
}

TEST(AtomicWrite, MissingFolderIsAnErrorNamingTheFile) {
    TempDir dir;
    const std::string path = dir.file("no/such/folder/config.json");
    try {
        write_file_atomic(path, "{}");
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(AtomicWrite, ReplacesTheContentExactly) {
    TempDir dir;
    const std::string path = dir.file("config.json");
    write_file_atomic(path, "first version, longer than the second");
    write_file_atomic(path, std::string("second\0", 7));
    EXPECT_EQ(read_text(path), std::string("second\0", 7));
    write_file_atomic(path, "");
    EXPECT_EQ(read_text(path), "");
}

TEST(Safetensors, HugeHeaderLengthIsRefusedWithoutReadingIt) {
    // A sparse 200 MB file whose first 8 bytes declare a 150 MB header: above the 100 MB limit.
    TempDir dir;
    const std::string path = dir.file("huge.safetensors");
    const uint64_t n = 150'000'000;
    std::string first8;
    for (int i = 0; i < 8; ++i) first8.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    write_text(path, first8);
    std::filesystem::resize_file(path, 200'000'000);
    try {
        read_safetensors(path);
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("header length 150000000 exceeds the limit"),
                  std::string::npos)
            << e.what();
    }
}
