// A reader for numeric tables in CSV form: a header row of column names, then one row of numbers
// per line. Every cell must parse as a finite float64; anything else (text, an empty cell, NaN,
// inf, a short row) is one gibbs::Error naming the file, the line and the column.
// Files ending in .gz are decompressed on the fly (zlib), so scikit-learn's bundled data sets
// (e.g. diabetes_data_raw.csv.gz, whitespace-separated, no header) read directly.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace gibbs::data {

struct CsvOptions {
    char delimiter = ',';  // ' ' means any run of spaces or tabs
    bool header = true;    // first (non-skipped) line holds column names
    int skip_lines = 0;    // lines to ignore before the header or the first row
};

// A table of numbers with named columns.
struct CsvTable {
    std::string path;
    std::vector<std::string> columns;  // (P) names; "x1".."xP" when the file has no header
    Eigen::MatrixXd values;            // (N, P)

    // The column called `name`, or a gibbs::Error listing the columns that exist.
    Eigen::Index index_of(const std::string& name) const;
};

CsvTable read_csv(const std::string& path, const CsvOptions& options = {});

// A table split into a design matrix X and a target y.
struct Dataset {
    Eigen::MatrixXd X;                       // (N, P)
    Eigen::VectorXd y;                       // (N)
    std::vector<std::string> feature_names;  // (P)
    std::string target_name;
};

// Takes column `target` as y and all other columns, in file order, as X.
Dataset split_target(const CsvTable& table, const std::string& target);

}  // namespace gibbs::data
