// The progress bar: throttled redraws of one line with '\r' and an erase-to-end-of-line code.
#include "gibbs/io/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "gibbs/tensor/error.hpp"

namespace gibbs::io {
namespace {

// 1234567 -> "1.23M", 52300 -> "52.3k", 12 -> "12.0".
std::string short_number(double v) {
    char buffer[32];
    if (v >= 1e6)
        std::snprintf(buffer, sizeof buffer, "%.2fM", v / 1e6);
    else if (v >= 1e3)
        std::snprintf(buffer, sizeof buffer, "%.1fk", v / 1e3);
    else
        std::snprintf(buffer, sizeof buffer, "%.1f", v);
    return buffer;
}

// 75 -> "1:15", 3725 -> "1:02:05".
std::string clock_time(double seconds) {
    const int64_t s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
    char buffer[32];
    if (s >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", static_cast<long>(s / 3600),
                      static_cast<long>(s / 60 % 60), static_cast<long>(s % 60));
    else
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld", static_cast<long>(s / 60),
                      static_cast<long>(s % 60));
    return buffer;
}

}  // namespace

std::string format_progress(int64_t done, int64_t total, double seconds, int width,
                            const std::string& label, const std::string& postfix) {
    std::string line = label;
    if (!line.empty()) line += ' ';
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    if (total > 0) {
        const double fraction = std::clamp(static_cast<double>(done) / total, 0.0, 1.0);
        const int filled = static_cast<int>(fraction * width);
        line += '[';
        line.append(filled, '=');
        if (filled < width) {
            line += '>';
            line.append(width - filled - 1, ' ');
        }
        line += "] " + std::to_string(done) + "/" + std::to_string(total);
    } else {
        line += std::to_string(done);
    }
    line += "  " + short_number(rate) + "/s";
    if (total > 0) {
        line += done >= total ? "  " + clock_time(seconds)
                : rate > 0    ? "  ETA " + clock_time((total - done) / rate)
                              : "  ETA ?";
    }
    if (!postfix.empty()) line += "  " + postfix;
    return line;
}

ProgressBar::ProgressBar(int64_t total, ProgressOptions options)
    : total_(total), options_(std::move(options)) {
    enabled_ = !options_.quiet && options_.stream != nullptr &&
               options_.draw.value_or(::isatty(::fileno(options_.stream)) == 1);
    start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::set(int64_t done) {
    done_ = done;
    if (!enabled_ || finished_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool last = total_ > 0 && done_ >= total_;
    if (last || std::chrono::duration<double>(now - last_draw_).count() >= options_.min_interval_s)
        draw();
}

void ProgressBar::draw() {
    last_draw_ = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(last_draw_ - start_).count();
    const std::string line =
        format_progress(done_, total_, seconds, options_.width, options_.label, postfix_);
    std::fprintf(options_.stream, "\r%s\x1b[K", line.c_str());
    std::fflush(options_.stream);
}

void ProgressBar::finish() {
    if (finished_) return;
    finished_ = true;
    if (!enabled_) return;
    draw();
    std::fputc('\n', options_.stream);
    std::fflush(options_.stream);
}

}  // namespace gibbs::io
