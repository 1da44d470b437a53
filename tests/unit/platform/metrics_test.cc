// The Prometheus text rendering (platform/metrics.h).
#include "platform/metrics.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace storeagent::platform {
namespace {

TEST(MetricsText, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\"b"), "a\\\"b");
  EXPECT_EQ(EscapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeLabelValue("a\nb"), "a\\nb");
  MetricsText m;
  m.Family("x_total", "counter", "help");
  m.Sample("x_total", {{"kind", "say \"hi\"\\\n"}}, 3);
  EXPECT_EQ(m.text(),
            "# HELP x_total help\n# TYPE x_total counter\n"
            "x_total{kind=\"say \\\"hi\\\"\\\\\\n\"} 3\n");
}

TEST(MetricsText, EscapesHelpButNotQuotes) {
  EXPECT_EQ(EscapeHelp("a \"q\" \\ \n"), "a \"q\" \\\\ \\n");
}

TEST(MetricsText, FormatsValues) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-7), "-7");
  EXPECT_EQ(FormatValue(0.5), "0.5");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(FormatValue(kInf), "+Inf");
  EXPECT_EQ(FormatValue(-kInf), "-Inf");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatValue(1e20), "1e+20");
}

TEST(Histogram, BucketsAreCumulativeWithSumAndCount) {
  Histogram h({1, 5, 10});
  for (double v : {0.5, 1.0, 3.0, 7.0, 100.0, 100.0}) h.Observe(v);
  HistogramSnapshot s = h.Snapshot();
  // le=1 holds 0.5 and 1 (upper bounds are inclusive).
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 4, 6}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.sum, 211.5);

  MetricsText m;
  m.Family("lat_seconds", "histogram", "latency");
  m.HistogramSamples("lat_seconds", {{"op", "commit"}}, s);
  EXPECT_EQ(m.text(),
            "# HELP lat_seconds latency\n# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{op=\"commit\",le=\"1\"} 2\n"
            "lat_seconds_bucket{op=\"commit\",le=\"5\"} 3\n"
            "lat_seconds_bucket{op=\"commit\",le=\"10\"} 4\n"
            "lat_seconds_bucket{op=\"commit\",le=\"+Inf\"} 6\n"
            "lat_seconds_sum{op=\"commit\"} 211.5\n"
            "lat_seconds_count{op=\"commit\"} 6\n");
}

TEST(Histogram, ConcurrentObservationsAllCount) {
  Histogram h({10});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.Observe(i % 2 == 0 ? 1 : 20);
    });
  }
  for (auto& t : threads) t.join();
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 20000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000 * 1 + 20000 * 20);
}

TEST(CounterFamily, OneSeriesPerLabelValuesInLabelOrder) {
  CounterFamily f("x_handled_total", "Calls handled.", {"method", "code"});
  f.With({"Record", "OK"}).Add(2);
  f.With({"Record", "INVALID_ARGUMENT"}).Add();
  Counter& ok = f.With({"Record", "OK"});  // the same series again
  ok.Add();
  f.With({"Ping", "OK"});  // made at 0
  EXPECT_EQ(f.size(), 3u);
  MetricsText m;
  f.Render(m);
  EXPECT_EQ(m.text(),
            "# HELP x_handled_total Calls handled.\n"
            "# TYPE x_handled_total counter\n"
            "x_handled_total{method=\"Ping\",code=\"OK\"} 0\n"
            "x_handled_total{method=\"Record\",code=\"INVALID_ARGUMENT\"} 1\n"
            "x_handled_total{method=\"Record\",code=\"OK\"} 3\n");
}

TEST(CounterFamily, PastMaxSeriesCountsIntoOther) {
  CounterFamily f("y_total", "help", {"a", "b"}, /*max_series=*/2);
  f.With({"1", "1"}).Add();
  f.With({"2", "2"}).Add();
  f.With({"3", "3"}).Add(5);
  f.With({"4", "4"}).Add(1);
  f.With({"only one value"}).Add(1);
  f.With({"1", "1"}).Add();  // an existing series still counts as itself
  MetricsText m;
  f.Render(m);
  EXPECT_NE(m.text().find("y_total{a=\"1\",b=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(m.text().find("y_total{a=\"other\",b=\"other\"} 7\n"),
            std::string::npos);
  EXPECT_EQ(m.text().find("\"3\""), std::string::npos);
  EXPECT_EQ(f.size(), 3u);
}

TEST(CounterFamily, ConcurrentAddsAreAllCounted) {
  CounterFamily f("z_total", "help", {"code"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&f, t] {
      for (int i = 0; i < 10000; ++i) {
        f.With({i % 2 == 0 ? "OK" : (t % 2 == 0 ? "A" : "B")}).Add();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(f.With({"OK"}).value(), 20000u);
  EXPECT_EQ(f.With({"A"}).value() + f.With({"B"}).value(), 20000u);
}

}  // namespace
}  // namespace storeagent::platform
