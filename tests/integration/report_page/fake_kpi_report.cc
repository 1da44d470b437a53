#include "tests/integration/report_page/fake_kpi_report.h"

#include <cmath>
#include <string>
#include <vector>

namespace storeagent::central::test {
namespace {

struct FakeStore {
  const char* id;
  const char* region;
};
constexpr FakeStore kStores[] = {{"S-001", "north"},
                                 {"S-002", "north"},
                                 {"S-003", "south"},
                                 {"S-004", "south"},
                                 {"S-005", "west"}};

struct FakeKpi {
  const char* name;
  const char* unit;
  double lo, hi;
};
constexpr FakeKpi kKpis[] = {
    {"order_accuracy", "ratio", 0.85, 0.99},
    {"pick_time_p50_s", "seconds", 300, 1500},
    {"pick_time_p90_s", "seconds", 1200, 5400},
    {"refund_cycle_p50_s", "seconds", 2 * 86400, 9 * 86400},
    {"return_rate", "ratio", 0.02, 0.09},
    {"loyalty_adoption", "ratio", 0.2, 0.6},
    {"enrolments", "count", 0, 40},
    {"sales_value.click_and_collect", "minor_units", 1e6, 5e6},
    {"basket_value_avg", "minor_units", 1800, 4500},
    {"basket_lines_avg", "lines", 2, 6},
    {"data_freshness_p99_s", "seconds", 1, 90},
    {"integration_latency_p99_s", "seconds", 2, 400},
    {"close_discrepancies", "count", 0, 3},
    {"stock_drift", "count", 0, 12},
    {"price_deviation_rate", "ratio", 0.005, 0.04},
};

// ISO weeks back from `last`: "2026-W49" -> {"2026-W46", ..., "2026-W49"}.
std::vector<std::string> Weeks(const std::string& last, int n) {
  int year = std::stoi(last.substr(0, 4));
  int week = std::stoi(last.substr(6, 2));
  std::vector<std::string> out(static_cast<size_t>(n));
  for (int i = n - 1; i >= 0; --i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
    out[static_cast<size_t>(i)] = buf;
    if (--week == 0) {
      --year;
      week = 52;
    }
  }
  return out;
}

// One store's value of KPI `k` in week `w` (an index into the report's
// weeks counted from a fixed origin, so a value never depends on the span).
v1::KpiValue StoreValue(size_t k, size_t s, int w) {
  v1::KpiValue v;
  const FakeKpi& kpi = kKpis[k];
  const bool absent =
      (std::string(kpi.name) == "order_accuracy" && s == 4) ||
      (std::string(kpi.name) == "close_discrepancies" && s == 2 && w % 5 == 1);
  v.set_denominator(absent ? 0
                           : 20 + static_cast<int64_t>((k + s * 7 + w) % 30));
  if (absent) return v;
  v.set_present(true);
  const int h =
      static_cast<int>((k * 131 + s * 31 + static_cast<size_t>(w) * 17) % 97);
  double value = kpi.lo + (kpi.hi - kpi.lo) * h / 96.0;
  if (std::string(kpi.unit) == "count") value = std::round(value);
  if (std::string(kpi.unit) == "minor_units")
    value = std::round(value * 100) / 100;
  v.set_value(value);
  if (std::string(kpi.unit) == "ratio") {
    v.set_numerator(std::llround(value * static_cast<double>(v.denominator())));
    v.set_value(static_cast<double>(v.numerator()) /
                static_cast<double>(v.denominator()));
  }
  return v;
}

// The value of the stores `in` (indexes into kStores) together: counts add
// up, the rest is the mean of the stores that have one.
v1::KpiValue Combined(size_t k, const std::vector<size_t>& in,
                      const std::vector<int>& weeks, const std::string& label) {
  v1::KpiValue out;
  out.set_week(label);
  double sum = 0;
  int present = 0;
  for (size_t s : in) {
    for (int w : weeks) {
      const v1::KpiValue v = StoreValue(k, s, w);
      out.set_denominator(out.denominator() + v.denominator());
      out.set_numerator(out.numerator() + v.numerator());
      if (!v.present()) continue;
      sum += v.value();
      ++present;
    }
  }
  if (present == 0) return out;
  out.set_present(true);
  const bool count = std::string(kKpis[k].unit) == "count";
  out.set_value(count ? sum : sum / present);
  return out;
}

}  // namespace

grpc::Status FakeKpiReport(const v1::GetKpiReportRequest& request,
                           v1::GetKpiReportResponse* out) {
  const int n = request.weeks() == 0 ? 4 : request.weeks();
  const std::string last =
      request.last_week().empty() ? "2026-W49" : request.last_week();
  std::vector<size_t> in;
  for (size_t s = 0; s < std::size(kStores); ++s) {
    if ((request.store_id().empty() || request.store_id() == kStores[s].id) &&
        (request.region().empty() || request.region() == kStores[s].region)) {
      in.push_back(s);
    }
  }
  if (in.empty()) {
    return grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        request.store_id().empty()
            ? "region: no store in '" + request.region() + "'"
            : "store_id: no store '" + request.store_id() + "'");
  }
  out->set_scope(!request.store_id().empty() ? "store:" + request.store_id()
                 : !request.region().empty() ? "region:" + request.region()
                                             : "fleet");
  const std::vector<std::string> labels = Weeks(last, n);
  // Week numbers from a fixed origin: 2026-W49 is 1000.
  const int origin = 1000 - (n - 1) +
                     (std::stoi(last.substr(0, 4)) - 2026) * 52 +
                     (std::stoi(last.substr(6, 2)) - 49);
  std::vector<int> all;
  for (int i = 0; i < n; ++i) all.push_back(origin + i);
  for (const std::string& w : labels) out->add_weeks(w);
  for (size_t k = 0; k < std::size(kKpis); ++k) {
    v1::Kpi* kpi = out->add_kpis();
    kpi->set_name(kKpis[k].name);
    kpi->set_unit(kKpis[k].unit);
    for (int i = 0; i < n; ++i) {
      *kpi->add_weeks() =
          Combined(k, in, {origin + i}, labels[static_cast<size_t>(i)]);
    }
    *kpi->mutable_span() = Combined(k, in, all, "");
    if (n >= 2) {
      const v1::KpiValue& a = kpi->weeks(n - 2);
      const v1::KpiValue& b = kpi->weeks(n - 1);
      if (a.present() && b.present()) {
        kpi->set_week_on_week_present(true);
        kpi->set_week_on_week(b.value() - a.value());
      }
    }
  }
  if (request.by_store()) {
    for (size_t s : in) {
      v1::StoreKpis* st = out->add_stores();
      st->set_store_id(kStores[s].id);
      st->set_region(kStores[s].region);
      for (size_t k = 0; k < std::size(kKpis); ++k) {
        *st->add_values() = Combined(k, {s}, all, "");
      }
    }
  }
  out->set_computed_at_us(1'796'385'600'000'000);  // 2026-12-04 12:00 UTC
  return grpc::Status::OK;
}

}  // namespace storeagent::central::test
