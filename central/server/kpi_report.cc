#include "central/server/kpi_report.h"

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "central/server/grpc_status.h"
#include "central/store/kpi_rules.h"
#include "central/store/store_args.h"

namespace storeagent::central {
namespace {

using Sums = std::map<std::string, int64_t, std::less<>>;

int64_t Get(const Sums& s, std::string_view name) {
  auto it = s.find(name);
  return it == s.end() ? 0 : it->second;
}

enum class Kind { kRatio, kPercentile, kCount };

// One KPI: how it is computed from a (store, week)'s summed counters.
struct Def {
  std::string_view name;
  std::string_view unit;
  Kind kind;
  std::string_view a;  // numerator counter, or the histogram
  std::string_view b;  // denominator counter ("" none)
  int64_t p_num = 0;   // percentile p = p_num / 100
};

const std::array<Def, 21>& Defs() {
  using kpi::kCloses, kpi::kClosesDiscrepant, kpi::kSalesCount,
      kpi::kSalesValue;
  static const std::array<Def, 21> defs = {{
      {"order_accuracy", "ratio", Kind::kRatio, kpi::kOrdersComplete,
       kpi::kOrdersFinished},
      {"pick_time_p50_s", "seconds", Kind::kPercentile, kpi::kPickTime, "", 50},
      {"pick_time_p90_s", "seconds", Kind::kPercentile, kpi::kPickTime, "", 90},
      {"refund_cycle_p50_s", "seconds", Kind::kPercentile, kpi::kRefundCycle,
       "", 50},
      {"refund_cycle_p90_s", "seconds", Kind::kPercentile, kpi::kRefundCycle,
       "", 90},
      {"return_rate", "ratio", Kind::kRatio, kpi::kReturnsValue, kSalesValue},
      {"loyalty_adoption", "ratio", Kind::kRatio, kpi::kSalesMember,
       kSalesCount},
      {"enrolments", "count", Kind::kCount, kpi::kEnrolments, ""},
      {"sales_value.store", "minor_units", Kind::kCount, "sales.value.store",
       ""},
      {"sales_value.click_and_collect", "minor_units", Kind::kCount,
       "sales.value.click_and_collect", ""},
      {"sales_value.ship_from_store", "minor_units", Kind::kCount,
       "sales.value.ship_from_store", ""},
      {"sales_value.endless_aisle", "minor_units", Kind::kCount,
       "sales.value.endless_aisle", ""},
      {"basket_value_avg", "minor_units", Kind::kRatio, kSalesValue,
       kSalesCount},
      {"basket_lines_avg", "lines", Kind::kRatio, kpi::kSalesLines,
       kSalesCount},
      {"data_freshness_p50_s", "seconds", Kind::kPercentile, kpi::kFreshness,
       "", 50},
      {"data_freshness_p99_s", "seconds", Kind::kPercentile, kpi::kFreshness,
       "", 99},
      {"integration_latency_p50_s", "seconds", Kind::kPercentile, kpi::kLatency,
       "", 50},
      {"integration_latency_p99_s", "seconds", Kind::kPercentile, kpi::kLatency,
       "", 99},
      {"close_discrepancies", "count", Kind::kCount, kClosesDiscrepant,
       kCloses},
      {"stock_drift", "count", Kind::kCount, kpi::kDrift, ""},
      {"price_deviation_rate", "ratio", Kind::kRatio, kpi::kPriceLinesDeviating,
       kpi::kPriceLinesChecked},
  }};
  return defs;
}

v1::KpiValue Compute(const Def& d, const Sums& s) {
  v1::KpiValue v;
  switch (d.kind) {
    case Kind::kRatio: {
      const int64_t num = Get(s, d.a);
      const int64_t den = Get(s, d.b);
      v.set_numerator(num);
      v.set_denominator(den);
      v.set_present(den != 0);
      if (den != 0) {
        v.set_value(static_cast<double>(num) / static_cast<double>(den));
      }
      break;
    }
    case Kind::kCount: {
      const int64_t num = Get(s, d.a);
      v.set_numerator(num);
      if (!d.b.empty()) v.set_denominator(Get(s, d.b));
      v.set_present(true);
      v.set_value(static_cast<double>(num));
      break;
    }
    case Kind::kPercentile: {
      std::array<int64_t, kpi::kBuckets> counts{};
      int64_t n = 0;
      for (int b = 0; b < kpi::kBuckets; ++b) {
        counts[static_cast<size_t>(b)] = Get(s, kpi::BucketCounter(d.a, b));
        n += counts[static_cast<size_t>(b)];
      }
      v.set_denominator(n);
      v.set_present(n > 0);
      if (n <= 0) break;
      const int64_t rank = (d.p_num * n + 99) / 100;  // ceil(p·n)
      int64_t seen = 0;
      for (int b = 0; b < kpi::kBuckets; ++b) {
        seen += counts[static_cast<size_t>(b)];
        if (seen >= rank) {
          v.set_value(kpi::BucketSeconds(b));
          break;
        }
      }
      break;
    }
  }
  return v;
}

Status Validate(CentralStore& store, const v1::GetKpiReportRequest& r) {
  if (!r.store_id().empty() && !r.region().empty()) {
    return InvalidArgument("store_id, region: give at most one of them");
  }
  if (!r.store_id().empty()) {
    STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(r.store_id()));
  }
  STOREAGENT_RETURN_IF_ERROR(ValidateRegion(r.region()));
  if (r.weeks() < 0 || r.weeks() > kKpiMaxWeeks) {
    return InvalidArgument("weeks: must be 1.." + std::to_string(kKpiMaxWeeks) +
                           " (0: " + std::to_string(kKpiDefaultWeeks) + ")");
  }
  if (!r.last_week().empty() && !kpi::WeekStartUs(r.last_week())) {
    return InvalidArgument("last_week: \"" + r.last_week() +
                           "\" is not an ISO week like 2026-W49");
  }
  if (!r.store_id().empty()) {
    Result<std::optional<StoreRow>> row = store.GetStore(r.store_id());
    if (!row.ok()) return row.status();
    if (!row->has_value()) {
      return NotFound("store_id: central has never seen store " + r.store_id());
    }
  }
  return Status::Ok();
}

Status Compute(CentralStore& store, const v1::GetKpiReportRequest& r,
               int64_t now_us, v1::GetKpiReportResponse* out) {
  STOREAGENT_RETURN_IF_ERROR(Validate(store, r));
  const int n = r.weeks() == 0 ? kKpiDefaultWeeks : r.weeks();
  const std::string last =
      r.last_week().empty() ? kpi::IsoWeek(now_us) : r.last_week();
  std::vector<std::string> weeks;
  for (int i = n - 1; i >= 0; --i) weeks.push_back(kpi::WeekMinus(last, i));
  Result<std::vector<KpiCounterSum>> rows =
      store.ReadKpiCounters(KpiScope{r.store_id(), r.region()}, weeks.front(),
                            weeks.back(), r.by_store());
  if (!rows.ok()) return rows.status();
  std::map<std::string, Sums> by_week, by_store;
  Sums span;
  for (const KpiCounterSum& c : *rows) {
    if (c.store_id.empty()) {
      by_week[c.week][c.name] += c.value;
      span[c.name] += c.value;
    } else {
      by_store[c.store_id][c.name] += c.value;
    }
  }
  out->Clear();
  out->set_scope(!r.store_id().empty() ? "store:" + r.store_id()
                 : !r.region().empty() ? "region:" + r.region()
                                       : "fleet");
  for (const std::string& w : weeks) out->add_weeks(w);
  out->set_computed_at_us(now_us);
  for (const Def& d : Defs()) {
    v1::Kpi* k = out->add_kpis();
    k->set_name(std::string(d.name));
    k->set_unit(std::string(d.unit));
    for (const std::string& w : weeks) {
      v1::KpiValue v = Compute(d, by_week[w]);
      v.set_week(w);
      *k->add_weeks() = std::move(v);
    }
    *k->mutable_span() = Compute(d, span);
    if (n >= 2) {
      const v1::KpiValue& a = k->weeks(n - 1);
      const v1::KpiValue& b = k->weeks(n - 2);
      k->set_week_on_week_present(a.present() && b.present());
      if (k->week_on_week_present()) {
        k->set_week_on_week(a.value() - b.value());
      }
    }
  }
  if (!r.by_store()) return Status::Ok();
  Result<std::vector<StoreRegion>> stores = store.ListStoreRegions();
  if (!stores.ok()) return stores.status();
  for (const StoreRegion& s : *stores) {
    if (!r.store_id().empty() && s.store_id != r.store_id()) continue;
    if (!r.region().empty() && s.region != r.region()) continue;
    v1::StoreKpis* sk = out->add_stores();
    sk->set_store_id(s.store_id);
    sk->set_region(s.region);
    const Sums& sums = by_store[s.store_id];
    for (const Def& d : Defs()) *sk->add_values() = Compute(d, sums);
  }
  return Status::Ok();
}

}  // namespace

grpc::Status ComputeKpiReport(CentralStore& store,
                              const v1::GetKpiReportRequest& request,
                              int64_t now_us, v1::GetKpiReportResponse* out) {
  return ToGrpc(Compute(store, request, now_us, out));
}

}  // namespace storeagent::central
