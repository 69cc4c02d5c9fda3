// JSON-lines metrics: fopen in append mode, one dump per line, fflush after each.
#include "gibbs/io/metrics.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "gibbs/tensor/error.hpp"

namespace gibbs::io {

MetricsLog::MetricsLog(const std::string& path, MetricsLogOptions options) : path_(path) {
    file_ = std::fopen(path.c_str(), options.truncate ? "w" : "a");
    check(file_ != nullptr, path, ": cannot open metrics log: ", std::strerror(errno));
}

MetricsLog::~MetricsLog() {
    if (file_) std::fclose(file_);
}

MetricsLog::MetricsLog(MetricsLog&& other) noexcept
    : path_(std::move(other.path_)), file_(std::exchange(other.file_, nullptr)) {}

MetricsLog& MetricsLog::operator=(MetricsLog&& other) noexcept {
    if (this != &other) {
        if (file_) std::fclose(file_);
        path_ = std::move(other.path_);
        file_ = std::exchange(other.file_, nullptr);
    }
    return *this;
}

void MetricsLog::write(const nlohmann::json& record) {
    check(file_ != nullptr, "metrics log was moved from");
    check(record.is_object(), path_, ": a metrics record must be a JSON object, got ",
          record.type_name());
    // Invalid UTF-8 in a string is replaced rather than thrown on: a log line must not fail.
    std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    const bool ok =
        std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fflush(file_) == 0;
    check(ok, path_, ": cannot write metrics: ", std::strerror(errno));
}

std::vector<nlohmann::json> read_metrics(const std::string& path) {
    std::ifstream in(path);
    check(in.good(), path, ": cannot open metrics log: ", std::strerror(errno));
    std::vector<nlohmann::json> records;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
        check(!record.is_discarded() && record.is_object(), path, ":", number,
              ": not a JSON object");
        records.push_back(std::move(record));
    }
    return records;
}

}  // namespace gibbs::io
