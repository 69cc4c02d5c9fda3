// The data sets that ship with Debian's python3-sklearn, read with gibbs's CSV reader, and the
// Franke-function design used by make_reference.py. Tests skip when the package is absent.
#pragma once

#include <filesystem>
#include <string>

#include "gibbs/data/csv.hpp"
#include "gibbs/linear/design.hpp"
#include "gibbs/linear/model.hpp"

namespace gibbs::testing {

inline const std::string kSklearnData = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

inline bool have_sklearn_data() { return std::filesystem::exists(kSklearnData + "/iris.csv"); }

struct XY {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
};

inline XY load_regression(const std::string& name) {
    using data::read_csv;
    if (name == "diabetes") {
        const data::CsvOptions ws{.delimiter = ' ', .header = false};
        return {read_csv(kSklearnData + "/diabetes_data_raw.csv.gz", ws).values,
                read_csv(kSklearnData + "/diabetes_target.csv.gz", ws).values.col(0)};
    }
    if (name == "wine") {  // alcohol from the other 12 measurements
        const auto t =
            read_csv(kSklearnData + "/wine_data.csv", {.header = false, .skip_lines = 1});
        return {t.values.middleCols(1, 12), t.values.col(0)};
    }
    // Franke function on a 20×20 grid, degree-5 polynomial in (x, y), standardized.
    Eigen::VectorXd x(400), y(400), z(400);
    for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 20; ++j) {
            x(i * 20 + j) = j / 19.0;
            y(i * 20 + j) = i / 19.0;
            z(i * 20 + j) = linear::franke(x(i * 20 + j), y(i * 20 + j));
        }
    const Eigen::MatrixXd P = linear::polynomial_features(x, y, 5).X;
    return {linear::Standardizer::fit(P).transform(P), z};
}

// Features standardized, last column the class label.
inline XY load_classification(const std::string& name) {
    const auto t =
        data::read_csv(kSklearnData + "/" + name + ".csv", {.header = false, .skip_lines = 1});
    const Eigen::MatrixXd F = t.values.leftCols(t.values.cols() - 1);
    return {linear::Standardizer::fit(F).transform(F), t.values.rightCols(1)};
}

}  // namespace gibbs::testing
