// bench_kpi: head office's KPIs at fleet scale on PostgreSQL
// (docs/kpis.md). Figures, one line each on stdout:
//
//   kpi_events_loaded     store events ingested through IngestBatch with
//                         the KPI aggregation on: 200 stores x 28 days x
//                         ~2,000 events per store-day (--quick: 20 stores)
//   kpi_fleet_report_ms   the rolling 4-week fleet report (median of 5);
//                         target <= 500
//   kpi_store_report_ms   one store's (median of 5); target <= 50
//   kpi_ingest_ratio      ingest events/s with the aggregation on / off, in
//                         the same run: each day is loaded for the fleet
//                         (on) and for a control group of a tenth as many
//                         stores (off, another CentralStore over the same
//                         database), alternately; target >= 0.8
//
// The change feed's figures (feed_events_per_s, feed_ratio_to_raw_scan) are
// measured on the loaded database after the load, through a storecentrald
// started on it (bench/feed_measure.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_env.h"
#include "bench/feed_measure.h"
#include "bench/fleet_pg.h"
#include "bench/kpi_load.h"
#include "bench/report.h"
#include "central/server/kpi_report.h"
#include "central/store/central_store.h"
#include "platform/clock.h"
#include "platform/malloc_tuning.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"

namespace storeagent::bench {
namespace {

constexpr int64_t kStartUs = 1'793'577'600'000'000;  // 2026-W45's Monday
constexpr char kLastWeek[] = "2026-W48";
constexpr int kDays = 28;
constexpr int kEventsPerDay = 2000;
constexpr int kBatch = 500;  // central's default sync.max_batch_events
constexpr int kThreads = static_cast<int>(central::kPgDefaultPoolSize);

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

// Loads day `day` of every store in `loads` on kThreads threads: the
// events are made first, then ingested; adds them to `events` and returns
// the seconds the ingest took (negative on error).
double LoadDay(central::CentralStore& store,
               std::vector<std::unique_ptr<StoreDayLoad>>& loads, int day,
               int64_t* events) {
  {
    std::atomic<size_t> made{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (size_t i; (i = made++) < loads.size();) {
          loads[i]->MakeDay(kStartUs, day, kEventsPerDay, kBatch);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> total{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < loads.size() && !failed;) {
        Result<int64_t> n = loads[i]->IngestDay(store);
        if (!n.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          Error("ingest", n.status().ToString());
          failed = true;
          return;
        }
        total += *n;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  *events += total;
  return failed ? -1 : Since(t0);
}

// Median milliseconds of 5 reports.
double ReportMs(central::CentralStore& store,
                const v1::GetKpiReportRequest& r) {
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    v1::GetKpiReportResponse out;
    const auto t0 = std::chrono::steady_clock::now();
    grpc::Status st = central::ComputeKpiReport(store, r, 0, &out);
    ms.push_back(Since(t0) * 1000);
    if (!st.ok()) {
      Error("report", st.error_message());
      return 0;
    }
  }
  std::sort(ms.begin(), ms.end());
  return ms[2];
}

int Run(bool quick) {
  const int stores = quick ? 20 : 200;
  // At least one store per thread, so both groups keep every thread busy.
  const int control = std::max(kThreads, stores / 10);
  const std::string url = PostgresUrl();
  if (url.empty()) {
    Error("postgres",
          "no server: set STOREAGENT_TEST_PG_URL or run "
          "scripts/start-postgres");
    return 1;
  }
  const std::string schema = "kpi_bench";
  std::string error;
  if (!CreateCentralSchema(url, schema, &error)) {
    Error("schema", error);
    return 1;
  }
  const std::string schema_url = WithSearchPath(url, schema);
  auto on = central::OpenCentralStore(schema_url, SystemClock(), kThreads);
  auto off = central::OpenCentralStore(schema_url, SystemClock(), kThreads);
  if (!on.ok() || !off.ok()) {
    Error("open", (on.ok() ? off.status() : on.status()).ToString());
    return 1;
  }
  (*off)->SetKpiAggregation(false);
  std::vector<std::unique_ptr<StoreDayLoad>> fleet, ctl;
  for (int i = 0; i < stores; ++i) {
    fleet.push_back(std::make_unique<StoreDayLoad>("k" + std::to_string(i)));
  }
  for (int i = 0; i < control; ++i) {
    ctl.push_back(std::make_unique<StoreDayLoad>("c" + std::to_string(i)));
  }
  int64_t on_events = 0, off_events = 0;
  double on_s = 0, off_s = 0;
  for (int day = 0; day < kDays; ++day) {
    const double a = LoadDay(**on, fleet, day, &on_events);
    const double b = LoadDay(**off, ctl, day, &off_events);
    if (a < 0 || b < 0) return 1;
    on_s += a;
    off_s += b;
    Progress("day " + std::to_string(day + 1) + ": " +
             std::to_string(on_events) + " events with KPIs");
  }
  const double on_rate = Ratio(static_cast<double>(on_events), on_s);
  const double off_rate = Ratio(static_cast<double>(off_events), off_s);

  // After the load: the change feed read to the end by one consumer of a
  // storecentrald on the same database, against a plain SELECT of the
  // same rows (bench/feed_measure.h).
  FeedFigures feed;
  {
    PgExec(schema_url, "ANALYZE store_events; ANALYZE central_events", &error);
    testing::TempDir dir;
    testing::CentralOptions copts;
    copts.store_url = schema_url;
    testing::CentralProcess central(dir.path(), copts);
    if (!central.Start(60000)) {
      Error("central",
            "storecentrald did not start (log: " + central.log_path() + ")");
      return 1;
    }
    Progress("reading the change feed");
    feed = MeasureFeed("127.0.0.1:" + std::to_string(central.admin_port()), url,
                       schema);
    central.Terminate();
    if (!feed.ok) {
      Error("feed", feed.error);
      return 1;
    }
  }

  v1::GetKpiReportRequest fleet_req;
  fleet_req.set_last_week(kLastWeek);
  const double fleet_ms = ReportMs(**on, fleet_req);
  {  // what the report says, so a run that aggregated nothing shows
    v1::GetKpiReportResponse out;
    (void)central::ComputeKpiReport(**on, fleet_req, 0, &out);
    int present = 0;
    for (const v1::Kpi& k : out.kpis()) present += k.span().present();
    Progress("fleet report: " + std::to_string(present) + " of " +
             std::to_string(out.kpis_size()) + " KPIs present; " +
             (out.kpis_size() > 0
                  ? out.kpis(0).name() + " " +
                        std::to_string(out.kpis(0).span().value())
                  : std::string()));
  }
  v1::GetKpiReportRequest store_req = fleet_req;
  store_req.set_store_id("k0");
  const double store_ms = ReportMs(**on, store_req);

  Figure("kpi_events_loaded", static_cast<double>(on_events), 0, "events");
  Figure("kpi_fleet_report_ms", fleet_ms, 1, "ms");
  Figure("kpi_store_report_ms", store_ms, 1, "ms");
  Figure("kpi_ingest_ratio", Ratio(on_rate, off_rate), 3, "ratio");
  Figure("feed_events_per_s", feed.feed_events_per_s, 0, "events/s");
  Figure("feed_raw_scan_rows_per_s", feed.raw_rows_per_s, 0, "rows/s");
  Figure("feed_ratio_to_raw_scan", feed.feed_ratio_to_raw_scan, 2, "ratio");
  Progress("ingest with KPIs " + std::to_string(on_rate) +
           " events/s, without " + std::to_string(off_rate));
  std::string ignored;
  PgExec(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE", &ignored);
  return Failed() ? 1 : 0;
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: bench_kpi [--quick]\n");
      return 2;
    }
  }
  return storeagent::bench::Run(quick);
}
