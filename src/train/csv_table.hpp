// A minimal reader for numeric CSV tables (a header row of column names, then rows of numbers),
// private to `gibbs train`.
// NOTE: the library's CSV reader (gibbs/data/csv.hpp, branch helper-linear) was not on main when
// this was written; once it is, this file should give way to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gibbs::train::detail {

struct CsvTable {
    std::vector<std::string> columns;  // (P) names from the header
    std::vector<double> values;        // (N, P) row-major
    int64_t rows = 0;

    // The index of column `name`; gibbs::Error naming the file and listing the columns if absent.
    int64_t index_of(const std::string& name, const std::string& path) const;
};

// Reads `path`: comma-separated, first line the header, every other non-empty line P finite
// numbers. Throws gibbs::Error naming the file, line and column of the first bad cell.
CsvTable read_csv_table(const std::string& path);

}  // namespace gibbs::train::detail
