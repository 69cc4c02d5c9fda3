// A progress bar for long work, drawn on one terminal line (carriage return, no scrolling) with
// the count, the rate and the estimated time left. It draws only when its stream is a terminal
// (isatty) and `quiet` is off, so logs and pipes stay clean.
//
//   epoch 3/10 [==========>         ] 31872/60000  52.3k/s  ETA 0:01  loss 0.3512
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace gibbs::io {

struct ProgressOptions {
    std::string label = "";         // text before the bar, e.g. "epoch 3/10"
    bool quiet = false;             // never draw
    std::FILE* stream = stderr;     // where to draw
    int width = 30;                 // characters inside the brackets
    double min_interval_s = 0.1;    // redraw at most this often (the last state always)
    std::optional<bool> draw = {};  // force drawing on or off; default: isatty(stream)
};

class ProgressBar {
  public:
    // `total` steps; total <= 0 means unknown (count and rate only, no bar or ETA).
    explicit ProgressBar(int64_t total, ProgressOptions options = {});
    ~ProgressBar();  // finish()
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    void advance(int64_t steps = 1) { set(done_ + steps); }
    void set(int64_t done);
    // Text after the ETA, such as the running loss.
    void set_postfix(std::string text) { postfix_ = std::move(text); }
    // Draws the final state and ends the line (once; later calls do nothing).
    void finish();

    bool enabled() const { return enabled_; }
    int64_t done() const { return done_; }

  private:
    void draw();

    int64_t total_, done_ = 0;
    ProgressOptions options_;
    std::string postfix_;
    bool enabled_, finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

// The bar's text for `done` of `total` steps after `seconds` (no carriage return).
std::string format_progress(int64_t done, int64_t total, double seconds, int width,
                            const std::string& label = "", const std::string& postfix = "");

}  // namespace gibbs::io
