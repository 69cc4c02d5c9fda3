// Metrics as JSON lines, and the progress bar's text and its silence off a terminal.
#include "gibbs/io/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"
#include "gibbs/io/progress.hpp"
#include "gibbs/tensor/error.hpp"

using namespace gibbs::io;
using gibbs::testing::read_text;
using gibbs::testing::TempDir;
using gibbs::testing::write_text;

TEST(MetricsLog, OneFlushedLinePerRecordAppended) {
    TempDir dir;
    const std::string path = dir.file("metrics.jsonl");
    {
        MetricsLog log(path);
        log.write({{"epoch", 1}, {"loss", 0.5}});
        // Flushed: readable before the log is closed.
        EXPECT_EQ(read_text(path), "{\"epoch\":1,\"loss\":0.5}\n");
        log.write({{"epoch", 2}, {"loss", std::nan("")}});  // NaN becomes null
        EXPECT_THROW(log.write(nlohmann::json::array({1, 2})), gibbs::Error);
    }
    MetricsLog(path).write({{"epoch", 3}});  // appends
    const auto records = read_metrics(path);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1]["epoch"], 2);
    EXPECT_TRUE(records[1]["loss"].is_null());
    EXPECT_EQ(records[2]["epoch"], 3);
    MetricsLog(path, {.truncate = true}).write({{"epoch", 1}});
    EXPECT_EQ(read_metrics(path).size(), 1u);
}

TEST(MetricsLog, ErrorsNameTheFileAndLine) {
    TempDir dir;
    try {
        MetricsLog log(dir.file("no/folder/metrics.jsonl"));
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no/folder/metrics.jsonl"), std::string::npos);
    }
    write_text(dir.file("m.jsonl"), "{\"epoch\":1}\n\n{\"epoch\":2,\"lo");
    try {
        read_metrics(dir.file("m.jsonl"));
        ADD_FAILURE() << "no error";
    } catch (const gibbs::Error& e) {
        EXPECT_NE(std::string(e.what()).find(dir.file("m.jsonl") + ":3:"), std::string::npos)
            << e.what();
    }
}

TEST(Progress, FormatShowsBarCountRateAndEta) {
    // 250 of 1000 steps in 5 s: 50 steps/s, 750 left -> 15 s.
    EXPECT_EQ(format_progress(250, 1000, 5.0, 10, "epoch 1/3", "loss 0.25"),
              "epoch 1/3 [==>       ] 250/1000  50.0/s  ETA 0:15  loss 0.25");
    // Done: a full bar and the elapsed time; 60000 in 1 h 2 min 5 s.
    EXPECT_EQ(format_progress(60000, 60000, 3725.0, 4), "[====] 60000/60000  16.1/s  1:02:05");
    // Unknown total: count and rate only.
    EXPECT_EQ(format_progress(52300, 0, 1.0, 4), "52300  52.3k/s");
}

TEST(Progress, SilentOffATerminalOrWhenQuiet) {
    TempDir dir;
    const std::string path = dir.file("out.txt");
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    {
        ProgressBar bar(100, {.stream = f});  // a file is not a terminal
        EXPECT_FALSE(bar.enabled());
        for (int i = 0; i < 100; ++i) bar.advance();
        ProgressBar quiet(100, {.quiet = true, .stream = f, .draw = true});
        EXPECT_FALSE(quiet.enabled());
        quiet.advance(100);
    }
    std::fflush(f);
    EXPECT_EQ(read_text(path), "");
    {
        ProgressBar forced(4, {.label = "x", .stream = f, .width = 4, .draw = true});
        forced.set_postfix("ok");
        forced.advance(4);
    }
    std::fclose(f);
    const std::string text = read_text(path);
    EXPECT_NE(text.find("\rx [====] 4/4"), std::string::npos) << text;
    EXPECT_EQ(text.back(), '\n');
}
