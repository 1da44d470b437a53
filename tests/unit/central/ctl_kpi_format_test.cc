// What `storecentralctl kpi` prints (central/ctl_kpi_format.h).
#include "central/ctl_kpi_format.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace storeagent::central {
namespace {

v1::KpiValue Value(bool present, double value, const std::string& week = "") {
  v1::KpiValue v;
  v.set_week(week);
  v.set_present(present);
  v.set_value(value);
  return v;
}

v1::GetKpiReportResponse Report() {
  v1::GetKpiReportResponse r;
  r.set_scope("region:north");
  r.add_weeks("2026-W47");
  r.add_weeks("2026-W48");
  v1::Kpi* k = r.add_kpis();
  k->set_name("order_accuracy");
  k->set_unit("ratio");
  *k->add_weeks() = Value(true, 0.9, "2026-W47");
  *k->add_weeks() = Value(true, 0.95, "2026-W48");
  *k->mutable_span() = Value(true, 0.925);
  k->set_week_on_week_present(true);
  k->set_week_on_week(0.05);
  v1::Kpi* p = r.add_kpis();
  p->set_name("pick_time_p50_s");
  p->set_unit("seconds");
  *p->add_weeks() = Value(false, 0, "2026-W47");
  *p->add_weeks() = Value(true, 300, "2026-W48");
  *p->mutable_span() = Value(true, 300);
  for (const char* id : {"s1", "s2"}) {
    v1::StoreKpis* s = r.add_stores();
    s->set_store_id(id);
    s->set_region("north");
    *s->add_values() = Value(true, id[1] == '1' ? 0.5 : 1.0);
    *s->add_values() = Value(id[1] == '1', 60);
  }
  return r;
}

TEST(CtlKpiFormatTest, ValuesByUnit) {
  EXPECT_EQ(FormatKpiValue("ratio", Value(true, 0.9254)), "92.5%");
  EXPECT_EQ(FormatKpiValue("seconds", Value(true, 0.25)), "0.25s");
  EXPECT_EQ(FormatKpiValue("seconds", Value(true, 3600)), "3600s");
  EXPECT_EQ(FormatKpiValue("minor_units", Value(true, 12345)), "12345");
  EXPECT_EQ(FormatKpiValue("lines", Value(true, 2.5)), "2.50");
  EXPECT_EQ(FormatKpiValue("count", Value(false, 0)), "-");
}

TEST(CtlKpiFormatTest, TableHasAColumnPerWeekAndRanksStores) {
  const std::string t = FormatKpiTable(Report());
  EXPECT_EQ(t.rfind("region:north\nKPI", 0), 0u) << t;
  EXPECT_NE(t.find("2026-W47"), std::string::npos) << t;
  EXPECT_NE(t.find("SPAN"), std::string::npos) << t;
  EXPECT_NE(t.find("+5.0pt"), std::string::npos) << t;  // 90% -> 95%
  // s2 (100%) ranks above s1 (50%); s1's pick time ranks above s2's absent.
  EXPECT_LT(t.find("1     s2"), t.find("2     s1")) << t;
  EXPECT_LT(t.find("1     s1"), t.find("2     s2")) << t;
}

TEST(CtlKpiFormatTest, CsvIsOneRowPerKpiPerWeek) {
  const std::string c = FormatKpiCsv(Report());
  EXPECT_EQ(c.rfind("scope,store_id,kpi,unit,week,present,value,numerator,"
                    "denominator\n",
                    0),
            0u);
  EXPECT_NE(c.find("region:north,,order_accuracy,ratio,2026-W48,true,"
                   "0.950000,0,0\n"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("region:north,,pick_time_p50_s,seconds,2026-W47,false,,0,"
                   "0\n"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("region:north,s1,order_accuracy,ratio,span,true,"),
            std::string::npos)
      << c;
  // header + 2 KPIs x (2 weeks + span) + 2 stores x 2 KPIs
  EXPECT_EQ(std::count(c.begin(), c.end(), '\n'), 1 + 6 + 4);
}

}  // namespace
}  // namespace storeagent::central
