// The pure KPI rules (central/store/kpi_rules.h): ISO weeks and histogram
// buckets, at their edges.
#include "central/store/kpi_rules.h"

#include <gtest/gtest.h>

namespace storeagent::central::kpi {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;
// Days since the epoch of a few dates (python: date.toordinal() - 719163).
constexpr int64_t k20251229 = 20451;  // Monday
constexpr int64_t k20260101 = 20454;  // Thursday
constexpr int64_t k20270101 = 20819;  // Friday
constexpr int64_t k20241230 = 20087;  // Monday

TEST(KpiRulesTest, IsoWeeksAtYearEdges) {
  EXPECT_EQ(IsoWeek(k20251229 * kDayUs), "2026-W01");
  EXPECT_EQ(IsoWeek(k20251229 * kDayUs - 1), "2025-W52");
  EXPECT_EQ(IsoWeek(k20260101 * kDayUs), "2026-W01");
  EXPECT_EQ(IsoWeek(k20270101 * kDayUs), "2026-W53");
  EXPECT_EQ(IsoWeek(k20241230 * kDayUs), "2025-W01");
  EXPECT_EQ(IsoWeek(0), "1970-W01");
}

TEST(KpiRulesTest, WeekStartRoundTripsAndRefusesWhatIsNoWeek) {
  EXPECT_EQ(WeekStartUs("2026-W01"), k20251229 * kDayUs);
  EXPECT_EQ(IsoWeek(*WeekStartUs("2026-W53")), "2026-W53");
  EXPECT_FALSE(WeekStartUs("2025-W53").has_value());  // 52 weeks
  EXPECT_FALSE(WeekStartUs("2026-W00").has_value());
  EXPECT_FALSE(WeekStartUs("2026-W54").has_value());
  EXPECT_FALSE(WeekStartUs("2026W01").has_value());
  EXPECT_FALSE(WeekStartUs("2026-w01").has_value());
  EXPECT_FALSE(WeekStartUs("20a6-W01").has_value());
  EXPECT_FALSE(WeekStartUs("").has_value());
  EXPECT_EQ(WeekMinus("2026-W01", 1), "2025-W52");
  EXPECT_EQ(WeekMinus("2027-W01", 1), "2026-W53");
  EXPECT_EQ(WeekMinus("2026-W48", 3), "2026-W45");
  EXPECT_EQ(WeekMinus("2026-W52", -1), "2026-W53");
}

TEST(KpiRulesTest, BucketsHoldTheirUpperBound) {
  EXPECT_EQ(BucketOf(-5), 0);
  EXPECT_EQ(BucketOf(0), 0);
  EXPECT_EQ(BucketOf(100'000), 0);
  EXPECT_EQ(BucketOf(100'001), 1);
  EXPECT_EQ(BucketOf(kBoundsUs.back()), kBuckets - 2);
  EXPECT_EQ(BucketOf(kBoundsUs.back() + 1), kBuckets - 1);
  EXPECT_DOUBLE_EQ(BucketSeconds(0), 0.1);
  EXPECT_DOUBLE_EQ(BucketSeconds(kBuckets - 1), 31'536'000.0);
  for (size_t i = 1; i < kBoundsUs.size(); ++i) {
    EXPECT_LT(kBoundsUs[i - 1], kBoundsUs[i]);
  }
}

TEST(KpiRulesTest, UnspecifiedChannelCountsAsStore) {
  EXPECT_EQ(ChannelName(v1::SALES_CHANNEL_UNSPECIFIED), "store");
  EXPECT_EQ(ChannelName(v1::SALES_CHANNEL_STORE), "store");
  EXPECT_EQ(ChannelName(v1::SALES_CHANNEL_ENDLESS_AISLE), "endless_aisle");
}

}  // namespace
}  // namespace storeagent::central::kpi
