// process_* metrics: /proc/self/stat parsing and what a live process reads.
#include "platform/process_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <string>

namespace storeagent::platform {
namespace {

using ::testing::HasSubstr;

// Fields 1..24 of a stat line whose command name holds ") (" and spaces.
constexpr char kStat[] =
    "4242 (a) (b c) S 1 4242 4242 0 -1 4194560 900 0 0 0 "
    "150 50 0 0 20 0 9 0 123456 987654321 2048 18446744073709551615\n";

TEST(ProcessMetricsTest, ParsesAfterTheLastParenthesis) {
  Result<ProcStat> s = ParseProcStat(kStat);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->utime_ticks, 150u);
  EXPECT_EQ(s->stime_ticks, 50u);
  EXPECT_EQ(s->start_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 987654321u);
  EXPECT_EQ(s->rss_pages, 2048u);
}

TEST(ProcessMetricsTest, RefusesALineItCannotRead) {
  EXPECT_FALSE(ParseProcStat("4242 no parenthesis").ok());
  EXPECT_FALSE(ParseProcStat("4242 (a) S 1 2 3").ok());
  std::string bad = kStat;
  bad.replace(bad.find(" 150 "), 5, " x50 ");
  EXPECT_FALSE(ParseProcStat(bad).ok());
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  Result<ProcessFigures> f = ReadProcessFigures();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_GT(f->resident_bytes, 0u);
  EXPECT_GE(f->virtual_bytes, f->resident_bytes);
  EXPECT_GE(f->open_fds, 3u);  // stdin, stdout, stderr at least
  EXPECT_GE(f->max_fds, f->open_fds);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(f->start_time_seconds, now + 1);
  EXPECT_GT(f->start_time_seconds, now - 3600);  // started within the hour

  MetricsText m;
  RenderProcessMetrics(*f, m);
  EXPECT_THAT(m.text(),
              HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(m.text(), HasSubstr("\nprocess_max_fds "));
}

}  // namespace
}  // namespace storeagent::platform
