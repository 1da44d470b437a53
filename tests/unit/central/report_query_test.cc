// The report page's query string (central/server/report_query.h): what each
// parameter becomes, the limits at their edges, and every refusal naming
// its parameter and leaving the request as it was.
#include "central/server/report_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "central/server/kpi_report.h"
#include "central/store/store_args.h"

namespace storeagent::central {
namespace {

using ::testing::HasSubstr;

v1::GetKpiReportRequest Parsed(const std::string& query) {
  v1::GetKpiReportRequest r;
  ReportQueryError error;
  EXPECT_TRUE(ParseReportQuery(query, &r, &error))
      << query << ": " << error.message;
  return r;
}

// The refusal of `query`: the parameter it names and its message.
ReportQueryError Refused(const std::string& query) {
  v1::GetKpiReportRequest r;
  r.set_store_id("untouched");
  ReportQueryError error;
  EXPECT_FALSE(ParseReportQuery(query, &r, &error)) << query;
  EXPECT_EQ(r.store_id(), "untouched") << query;
  return error;
}

TEST(ReportQueryTest, NoParametersIsTheFleetOverFourWeeks) {
  const v1::GetKpiReportRequest r = Parsed("");
  EXPECT_EQ(r.store_id(), "");
  EXPECT_EQ(r.region(), "");
  EXPECT_EQ(r.weeks(), kKpiDefaultWeeks);
  EXPECT_EQ(r.last_week(), "");
  EXPECT_FALSE(r.by_store());
}

TEST(ReportQueryTest, EachParameterLandsInItsField) {
  const v1::GetKpiReportRequest s =
      Parsed("store=S-042&weeks=13&last_week=2026-W49&by_store=1");
  EXPECT_EQ(s.store_id(), "S-042");
  EXPECT_EQ(s.weeks(), 13);
  EXPECT_EQ(s.last_week(), "2026-W49");
  EXPECT_TRUE(s.by_store());
  // Percent-encoded, and an empty pair between two ampersands.
  const v1::GetKpiReportRequest r =
      Parsed("region=north%3Aeast&&weeks=1&by_store=false");
  EXPECT_EQ(r.region(), "north:east");
  EXPECT_EQ(r.weeks(), 1);
  EXPECT_FALSE(r.by_store());
  EXPECT_EQ(Parsed("by_store=true").by_store(), true);
  EXPECT_EQ(Parsed("last_week=2020-W53").last_week(), "2020-W53");
  EXPECT_EQ(Parsed("store=" + std::string(64, 'a')).store_id(),
            std::string(64, 'a'));
  EXPECT_EQ(Parsed("region=" + std::string(kMaxRegionLength, 'r')).region(),
            std::string(kMaxRegionLength, 'r'));
}

TEST(ReportQueryTest, BadValuesAreRefusedNamingTheParameter) {
  struct Case {
    std::string query;
    std::string parameter;
    std::string says;
  };
  const Case cases[] = {
      {"weeks=0", "weeks", "1..13"},
      {"weeks=14", "weeks", "got '14'"},
      {"weeks=", "weeks", "1..13"},
      {"weeks=4x", "weeks", "1..13"},
      {"weeks=-1", "weeks", "1..13"},
      {"weeks=004", "weeks", "1..13"},
      {"store=", "store", "1..64"},
      {"store=a%20b", "store", "'a b'"},
      {"store=" + std::string(65, 'a'), "store", "1..64"},
      {"region=north/east", "region", "[A-Za-z0-9._:-]"},
      {"region=" + std::string(kMaxRegionLength + 1, 'r'), "region", "1..64"},
      {"last_week=2026-49", "last_week", "ISO week"},
      {"last_week=2026-W54", "last_week", "ISO week"},
      {"last_week=2026-W00", "last_week", "ISO week"},
      {"last_week=26-W01", "last_week", "ISO week"},
      // 2025 has 52 ISO weeks; the report starts in 1970.
      {"last_week=2025-W53", "last_week", "ISO week"},
      {"last_week=1969-W01", "last_week", "ISO week"},
      {"by_store=yes", "by_store", "1 or 0"},
      {"scope=fleet", "scope", "unknown parameter"},
      {"weeks=4&weeks=5", "weeks", "more than once"},
      {"store=S-1&region=north", "region", "not both"},
      {"store=%zz", "store", "percent-encoding"},
      {"store=%4", "store", "percent-encoding"},
  };
  for (const Case& c : cases) {
    const ReportQueryError e = Refused(c.query);
    EXPECT_EQ(e.parameter, c.parameter) << c.query;
    EXPECT_THAT(e.message, HasSubstr(c.parameter + ": ")) << c.query;
    EXPECT_THAT(e.message, HasSubstr(c.says)) << c.query;
  }
  EXPECT_EQ(Refused("=4").parameter, "");
}

}  // namespace
}  // namespace storeagent::central
