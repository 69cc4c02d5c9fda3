// Training records as JSON lines (one JSON object per line, https://jsonlines.org), the format of
// a run folder's metrics.jsonl. Each line is flushed as it is written, so an interrupted run
// keeps every finished epoch's record.
#pragma once

#include <cstdio>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace gibbs::io {

struct MetricsLogOptions {
    bool truncate = false;  // start an empty file instead of appending to an existing one
};

class MetricsLog {
  public:
    // Opens (creating if needed) `path`; throws gibbs::Error naming the file when it cannot.
    explicit MetricsLog(const std::string& path, MetricsLogOptions options = {});
    ~MetricsLog();
    MetricsLog(MetricsLog&& other) noexcept;
    MetricsLog& operator=(MetricsLog&& other) noexcept;
    MetricsLog(const MetricsLog&) = delete;
    MetricsLog& operator=(const MetricsLog&) = delete;

    // Appends `record` (a JSON object) as one line and flushes it. NaN and infinity, which JSON
    // cannot hold, are written as null.
    void write(const nlohmann::json& record);
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    std::FILE* file_ = nullptr;
};

// All records of a JSON-lines file, in order; empty lines are skipped. Throws gibbs::Error naming
// the file and line for a line that is not a JSON object.
std::vector<nlohmann::json> read_metrics(const std::string& path);

}  // namespace gibbs::io
