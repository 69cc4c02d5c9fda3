// CSV reading: the whole file is read (through zlib, which passes plain files through), split
// into lines and cells, and each cell parsed with std::from_chars so that "1.5abc" is rejected.
#include "gibbs/data/csv.hpp"

#include <zlib.h>

#include <charconv>
#include <cmath>
#include <filesystem>

#include "gibbs/tensor/error.hpp"

namespace gibbs::data {

namespace {

std::string read_all(const std::string& path) {
    check(std::filesystem::is_regular_file(path), path, ": no such file");
    gzFile file = gzopen(path.c_str(), "rb");
    check(file != nullptr, path, ": cannot open file");
    std::string text;
    char buffer[1 << 16];
    int got = 0;
    while ((got = gzread(file, buffer, sizeof buffer)) > 0) text.append(buffer, got);
    int code = 0;
    const char* message = gzerror(file, &code);
    const std::string why = code < 0 ? message : "";
    gzclose(file);
    check(got == 0 && why.empty(), path, ": read error: ", why);
    return text;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Splits one line into cells; a delimiter of ' ' splits on runs of blanks.
void split_cells(std::string_view line, char delimiter, std::vector<std::string_view>& cells) {
    cells.clear();
    if (delimiter == ' ') {
        size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
            if (i == line.size()) break;
            size_t j = i;
            while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
            cells.push_back(line.substr(i, j - i));
            i = j;
        }
        return;
    }
    size_t start = 0;
    for (;;) {
        const size_t end = line.find(delimiter, start);
        cells.push_back(trim(line.substr(start, end - start)));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
}

std::string unquote(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return std::string(s);
}

}  // namespace

Eigen::Index CsvTable::index_of(const std::string& name) const {
    for (size_t j = 0; j < columns.size(); ++j)
        if (columns[j] == name) return static_cast<Eigen::Index>(j);
    std::string known;
    for (size_t j = 0; j < columns.size(); ++j) known += (j ? ", " : "") + columns[j];
    fail(path, ": no column named '", name, "' (columns: ", known, ")");
}

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
    check(options.skip_lines >= 0, "read_csv: skip_lines must be >= 0");
    const std::string text = read_all(path);
    CsvTable table;
    table.path = path;

    std::vector<std::string_view> cells;
    std::vector<double> values;  // row-major while reading
    size_t width = 0;
    bool have_width = false;
    size_t line_number = 0;
    size_t pos = 0;
    const std::string_view all(text);
    while (pos < all.size()) {
        size_t end = all.find('\n', pos);
        if (end == std::string_view::npos) end = all.size();
        const std::string_view line = all.substr(pos, end - pos);
        pos = end + 1;
        ++line_number;
        if (line_number <= static_cast<size_t>(options.skip_lines)) continue;
        if (trim(line).empty()) continue;
        split_cells(line, options.delimiter, cells);
        if (!have_width) {
            width = cells.size();
            have_width = true;
            if (options.header) {
                for (auto c : cells) table.columns.push_back(unquote(c));
                for (size_t j = 0; j < width; ++j)
                    check(!table.columns[j].empty(), path, ":", line_number, ":", j + 1,
                          ": empty column name in the header");
                continue;
            }
            for (size_t j = 0; j < width; ++j) table.columns.push_back(cat("x", j + 1));
        }
        check(cells.size() == width, path, ":", line_number, ": expected ", width, " cells, found ",
              cells.size());
        for (size_t j = 0; j < width; ++j) {
            std::string_view cell = cells[j];
            if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
            double v = 0.0;
            const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
            const std::string where =
                cat(path, ":", line_number, ":", j + 1, " (column '", table.columns[j], "')");
            check(!cell.empty(), where, ": empty cell");
            check(ec == std::errc() && ptr == cell.data() + cell.size(), where,
                  ": non-numeric cell '", cells[j], "'");
            check(std::isfinite(v), where, ": non-finite value '", cells[j], "'");
            values.push_back(v);
        }
    }
    check(have_width, path, ": no data (empty file)");
    const Eigen::Index n = static_cast<Eigen::Index>(width ? values.size() / width : 0);
    table.values =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            values.data(), n, static_cast<Eigen::Index>(width));
    return table;
}

Dataset split_target(const CsvTable& table, const std::string& target) {
    const Eigen::Index t = table.index_of(target);
    const Eigen::Index n = table.values.rows(), p = table.values.cols();
    Dataset d;
    d.target_name = target;
    d.y = table.values.col(t);
    d.X.resize(n, p - 1);
    for (Eigen::Index j = 0, k = 0; j < p; ++j) {
        if (j == t) continue;
        d.X.col(k++) = table.values.col(j);
        d.feature_names.push_back(table.columns[j]);
    }
    return d;
}

}  // namespace gibbs::data
