// The CSV reader: values and names read back exactly; every kind of bad input is one gibbs::Error
// whose message names the file, the line and the column.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gibbs/data/csv.hpp"
#include "gibbs/tensor/error.hpp"

using gibbs::data::read_csv;

namespace {

std::string write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("gibbs_csv_" + name);
    std::ofstream(path) << text;
    return path.string();
}

// Runs read_csv on `text` and returns the error message ("" if none).
std::string error_of(const std::string& name, const std::string& text) {
    try {
        read_csv(write(name, text));
    } catch (const gibbs::Error& e) {
        return e.what();
    }
    return "";
}

TEST(Csv, ReadsHeaderAndValues) {
    const auto t = read_csv(write("ok.csv", "x, \"y\" ,z\n1,2.5,-3e2\r\n+4,5,6\n\n"));
    ASSERT_EQ(t.columns, (std::vector<std::string>{"x", "y", "z"}));
    ASSERT_EQ(t.values.rows(), 2);
    EXPECT_EQ(t.values(0, 1), 2.5);
    EXPECT_EQ(t.values(0, 2), -300.0);
    EXPECT_EQ(t.values(1, 0), 4.0);
    EXPECT_EQ(t.index_of("z"), 2);
    const auto d = gibbs::data::split_target(t, "y");
    EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x", "z"}));
    EXPECT_EQ(d.y(1), 5.0);
    EXPECT_EQ(d.X(1, 1), 6.0);
}

TEST(Csv, WhitespaceWithoutHeader) {
    const auto t = read_csv(write("ws.txt", "skip me\n1  2\t3\n4 5 6\n"),
                            {.delimiter = ' ', .header = false, .skip_lines = 1});
    EXPECT_EQ(t.columns[2], "x3");
    EXPECT_EQ(t.values(1, 2), 6.0);
}

TEST(Csv, NonNumericCellNamesFileLineColumn) {
    const std::string msg = error_of("bad.csv", "a,b,c\n1,2,3\n4,five,6\n");
    EXPECT_NE(msg.find("gibbs_csv_bad.csv:3:2 (column 'b'): non-numeric cell 'five'"),
              std::string::npos)
        << msg;
    EXPECT_NE(error_of("trail.csv", "a\n1.5x\n").find(":2:1"), std::string::npos);
}

TEST(Csv, RejectsNanInfEmptyAndShortRows) {
    EXPECT_NE(error_of("nan.csv", "a,b\n1,nan\n").find(":2:2 (column 'b'): non-finite value 'nan'"),
              std::string::npos);
    EXPECT_NE(error_of("inf.csv", "a,b\n-inf,1\n").find(":2:1 (column 'a'): non-finite"),
              std::string::npos);
    EXPECT_NE(error_of("empty_cell.csv", "a,b\n1,\n").find(":2:2 (column 'b'): empty cell"),
              std::string::npos);
    EXPECT_NE(error_of("short.csv", "a,b\n1,2\n3\n").find(":3: expected 2 cells, found 1"),
              std::string::npos);
    EXPECT_NE(error_of("nothing.csv", "").find("no data"), std::string::npos);
}

TEST(Csv, MissingFileAndColumn) {
    EXPECT_THROW(read_csv("/nonexistent/gibbs.csv"), gibbs::Error);
    const auto t = read_csv(write("cols.csv", "a,b\n1,2\n"));
    try {
        t.index_of("target");
        FAIL();
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no column named 'target' (columns: a, b)"),
                  std::string::npos);
    }
}

}  // namespace
