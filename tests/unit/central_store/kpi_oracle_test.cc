// Head office's KPIs (docs/kpis.md) on every backend: a generated four-week
// history of five stores is replayed through the store API the sync stream
// uses (IngestBatch, AppendCentralEvent, AckCentralAt, RecordDrift), and
// the report (ComputeKpiReport) must equal an independent oracle computed
// from the raw history, for the fleet, each region and each store, every
// week and the span.
#include "tests/unit/central_store/kpi_oracle.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "central/server/kpi_report.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/central_store/kpi_history.h"

namespace storeagent::testing {
namespace {

constexpr char kLastWeek[] = "2026-W48";
const std::set<std::string> kWeeks = {"2026-W45", "2026-W46", "2026-W47",
                                      "2026-W48"};
const std::set<std::string> kAllStores = {"s1", "s2", "s3", "s4", "s5"};

void ExpectValue(const v1::KpiValue& got, const Expected& want,
                 const std::string& where) {
  EXPECT_EQ(got.present(), want.present) << where;
  EXPECT_EQ(got.numerator(), want.numerator) << where;
  EXPECT_EQ(got.denominator(), want.denominator) << where;
  if (want.present) {
    EXPECT_DOUBLE_EQ(got.value(), want.value) << where;
  }
}

// The report of `request` equals the oracle over `stores`.
void ExpectReport(central::CentralStore& store, const KpiOracle& oracle,
                  v1::GetKpiReportRequest request,
                  const std::set<std::string>& stores) {
  request.set_last_week(kLastWeek);
  request.set_by_store(true);
  v1::GetKpiReportResponse got;
  grpc::Status st = central::ComputeKpiReport(store, request, 0, &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string scope = got.scope();
  ASSERT_EQ(got.weeks_size(), 4) << scope;
  ASSERT_EQ(static_cast<size_t>(got.kpis_size()), KpiOracle::KpiNames().size());
  for (int i = 0; i < got.kpis_size(); ++i) {
    const v1::Kpi& k = got.kpis(i);
    ASSERT_EQ(k.name(), KpiOracle::KpiNames()[static_cast<size_t>(i)]);
    ASSERT_EQ(k.weeks_size(), 4);
    for (const v1::KpiValue& w : k.weeks()) {
      ExpectValue(w, oracle.Value(k.name(), stores, {w.week()}),
                  scope + " " + k.name() + " " + w.week());
    }
    ExpectValue(k.span(), oracle.Value(k.name(), stores, kWeeks),
                scope + " " + k.name() + " span");
    const Expected last = oracle.Value(k.name(), stores, {"2026-W48"});
    const Expected prev = oracle.Value(k.name(), stores, {"2026-W47"});
    EXPECT_EQ(k.week_on_week_present(), last.present && prev.present) << scope;
    if (last.present && prev.present) {
      EXPECT_DOUBLE_EQ(k.week_on_week(), last.value - prev.value)
          << scope << " " << k.name();
    }
  }
  ASSERT_EQ(static_cast<size_t>(got.stores_size()), stores.size()) << scope;
  for (const v1::StoreKpis& s : got.stores()) {
    EXPECT_EQ(stores.count(s.store_id()), 1u) << scope;
    ASSERT_EQ(s.values_size(), got.kpis_size());
    for (int i = 0; i < s.values_size(); ++i) {
      ExpectValue(
          s.values(i), oracle.Value(got.kpis(i).name(), {s.store_id()}, kWeeks),
          scope + " by_store " + s.store_id() + " " + got.kpis(i).name());
    }
  }
}

TEST_P(CentralStoreTest, KpiReportEqualsAnIndependentOracle) {
  const History h = GenerateHistory(20261102);
  ASSERT_TRUE(Replay(h, *store_));
  const KpiOracle oracle(h);
  // The history exercises the late path: returns whose original reached
  // central after them (s4 offline for two days, batches committed late).
  EXPECT_GT(oracle.late_originals(), 0);

  ExpectReport(*store_, oracle, {}, kAllStores);
  v1::GetKpiReportRequest north;
  north.set_region("north");
  ExpectReport(*store_, oracle, north, {"s1", "s2"});
  v1::GetKpiReportRequest south;
  south.set_region("south");
  ExpectReport(*store_, oracle, south, {"s3", "s4"});
  for (const std::string& s : kAllStores) {
    v1::GetKpiReportRequest one;
    one.set_store_id(s);
    ExpectReport(*store_, oracle, one, {s});
  }

  // Every return's original as the change feed will give it.
  int found = 0;
  for (const auto& [key, want] : oracle.originals()) {
    Result<std::optional<v1::ResolvedOriginal>> got =
        store_->ResolveOriginal(key.first, key.second);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << key.first << " " << key.second;
    const std::string at = key.first + " seq " + std::to_string(key.second);
    EXPECT_EQ((*got)->found(), want.found) << at;
    EXPECT_EQ((*got)->store_id(), want.store_id) << at;
    EXPECT_EQ((*got)->seq(), want.seq) << at;
    EXPECT_EQ((*got)->sold_at_us(), want.sold_at_us) << at;
    found += want.found ? 1 : 0;
  }
  EXPECT_GT(found, 0);
  EXPECT_LT(found, static_cast<int>(oracle.originals().size()));
}

TEST_P(CentralStoreTest, KpiAggregatesCountAResentBatchOnce) {
  const History h = GenerateHistory(7);
  ASSERT_TRUE(Replay(h, *store_));
  v1::GetKpiReportRequest r;
  r.set_last_week(kLastWeek);
  v1::GetKpiReportResponse before;
  ASSERT_TRUE(central::ComputeKpiReport(*store_, r, 0, &before).ok());
  // Every batch and ack again, as a reconnecting store resends them.
  for (const HistoryAction& a : h.actions) {
    if (a.kind == HistoryAction::kIngest) {
      ASSERT_TRUE(store_->IngestBatch(a.store_id, a.entries, a.at_us).ok());
    } else if (a.kind == HistoryAction::kAck) {
      ASSERT_TRUE(
          store_->AckCentralAt(a.store_id, a.central_seq, a.at_us).ok());
    }
  }
  v1::GetKpiReportResponse after;
  ASSERT_TRUE(central::ComputeKpiReport(*store_, r, 0, &after).ok());
  EXPECT_EQ(before.SerializeAsString(), after.SerializeAsString());
}

TEST_P(CentralStoreTest, KpiAggregationOffKeepsNoAggregates) {
  store_->SetKpiAggregation(false);
  const History h = GenerateHistory(3);
  ASSERT_TRUE(Replay(h, *store_));
  Result<std::vector<central::KpiCounterSum>> rows =
      store_->ReadKpiCounters({}, "2026-W45", "2026-W48", true);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());
}

TEST_P(CentralStoreTest, SetStoreRegionChecksAndIsRetrySafe) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  Result<bool> bad = store_->SetStoreRegion("s1", "no spaces");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("region:", 0), 0u);
  EXPECT_FALSE(store_->SetStoreRegion("s1", std::string(65, 'r')).ok());
  Result<bool> unknown = store_->SetStoreRegion("s2", "north");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  Result<bool> set = store_->SetStoreRegion("s1", std::string(64, 'r'));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_TRUE(*set);
  Result<bool> again = store_->SetStoreRegion("s1", std::string(64, 'r'));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  Result<std::vector<central::StoreRegion>> regions =
      store_->ListStoreRegions();
  ASSERT_TRUE(regions.ok());
  ASSERT_EQ(regions->size(), 1u);
  EXPECT_EQ((*regions)[0].region, std::string(64, 'r'));
  ASSERT_TRUE(store_->SetStoreRegion("s1", "").ok());  // no region
  regions = store_->ListStoreRegions();
  ASSERT_TRUE(regions.ok());
  EXPECT_EQ((*regions)[0].region, "");
}

TEST_P(CentralStoreTest, KpiReportRefusesBadRequestsNamingTheField) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  auto code = [&](const v1::GetKpiReportRequest& r, std::string* message) {
    v1::GetKpiReportResponse out;
    grpc::Status st = central::ComputeKpiReport(*store_, r, 0, &out);
    *message = st.error_message();
    return st.error_code();
  };
  std::string m;
  v1::GetKpiReportRequest r;
  r.set_weeks(14);
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(m.rfind("weeks:", 0), 0u) << m;
  r.set_weeks(13);
  EXPECT_EQ(code(r, &m), grpc::StatusCode::OK) << m;
  r.set_last_week("2026-W54");
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(m.rfind("last_week:", 0), 0u) << m;
  r.set_last_week("2025-W53");  // 2025 has 52 ISO weeks
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  r.set_last_week("2026-W53");  // 2026 has 53
  EXPECT_EQ(code(r, &m), grpc::StatusCode::OK) << m;
  r.set_store_id("s1");
  r.set_region("north");
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  r.clear_region();
  r.set_store_id("nope");
  EXPECT_EQ(code(r, &m), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(m.rfind("store_id:", 0), 0u) << m;
}

}  // namespace
}  // namespace storeagent::testing
