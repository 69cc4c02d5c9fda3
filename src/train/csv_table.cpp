// The numeric CSV reader of csv_table.hpp: std::from_chars per cell, errors with line and column.
#include "train/csv_table.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string_view>

#include "gibbs/tensor/error.hpp"

namespace gibbs::train::detail {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> cells;
    size_t start = 0;
    for (;;) {
        const size_t comma = line.find(',', start);
        cells.push_back(trim(line.substr(start, comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return cells;
}
}  // namespace

int64_t CsvTable::index_of(const std::string& name, const std::string& path) const {
    for (size_t i = 0; i < columns.size(); ++i)
        if (columns[i] == name) return static_cast<int64_t>(i);
    std::string list;
    for (size_t i = 0; i < columns.size(); ++i) list += (i ? ", " : "") + columns[i];
    fail(path, ": no column '", name, "'; the columns are: ", list);
}

CsvTable read_csv_table(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    check(in.good(), path, ": cannot open: ", std::strerror(errno));
    CsvTable t;
    std::string line;
    int64_t number = 0;
    while (t.columns.empty() && std::getline(in, line)) {
        ++number;
        if (trim(line).empty()) continue;
        for (std::string_view cell : split(line)) {
            if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
                cell = cell.substr(1, cell.size() - 2);
            check(!cell.empty(), path, ":", number, ": the header has an empty column name");
            t.columns.emplace_back(cell);
        }
    }
    check(!t.columns.empty(), path, ": empty file (expected a header row of column names)");
    const size_t p = t.columns.size();
    while (std::getline(in, line)) {
        ++number;
        if (trim(line).empty()) continue;
        const std::vector<std::string_view> cells = split(line);
        check(cells.size() == p, path, ":", number, ": ", cells.size(),
              " fields, but the header has ", p);
        for (size_t j = 0; j < p; ++j) {
            std::string_view cell = cells[j];
            if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
            double v = 0;
            const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
            check(!cell.empty() && ec == std::errc() && end == cell.data() + cell.size() &&
                      std::isfinite(v),
                  path, ":", number, ":", j + 1, ": column '", t.columns[j], "': '", cells[j],
                  "' is not a finite number");
            t.values.push_back(v);
        }
        ++t.rows;
    }
    check(t.rows >= 1, path, ": no data rows after the header");
    return t;
}

}  // namespace gibbs::train::detail
