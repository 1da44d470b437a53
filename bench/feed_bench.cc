// bench_feed: the change feed's figures on their own (bench/feed_measure.h):
// loads a history into a fresh PostgreSQL schema through CentralStore
// (stores x events sales, plus central events), starts storecentrald over
// it and prints feed_events_per_s, the raw scan's rows/s and
// feed_ratio_to_raw_scan (target >= 0.5). `bench/run kpi` calls
// MeasureFeed on its own history.
//
//   bench_feed [--stores N] [--events N] [--central N] [--keep]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_env.h"
#include "bench/feed_measure.h"
#include "bench/fleet_pg.h"
#include "bench/report.h"
#include "central/store/central_store.h"
#include "core/journal_chain.h"
#include "platform/clock.h"
#include "platform/malloc_tuning.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

struct Plan {
  int stores = 200;
  int events = 1000;  // per store
  int central = 10;   // central events per store
  bool keep = false;  // leave the schema for a look
};

// One store's journal, in batches of 500 as an agent sends them.
Status LoadStore(central::CentralStore& store, const std::string& id,
                 const Plan& plan, int64_t now_us) {
  std::string hash = core::GenesisHash();
  std::vector<v1::JournalEntry> batch;
  for (int seq = 1; seq <= plan.events; ++seq) {
    v1::JournalRecord r;
    *r.mutable_client_key() =
        test::SampleClientKey("txn-" + std::to_string(seq));
    *r.mutable_transaction() = test::SampleSale(3);
    r.set_seq(static_cast<uint64_t>(seq));
    r.set_recorded_at_us(now_us - (plan.events - seq) * 1000);
    v1::JournalEntry e;
    e.set_prev_hash(hash);
    hash = core::ChainHash(hash, core::CanonicalBytes(r));
    e.set_hash(hash);
    *e.mutable_record() = std::move(r);
    batch.push_back(std::move(e));
    if (batch.size() == 500 || seq == plan.events) {
      Result<central::IngestResult> in = store.IngestBatch(id, batch, now_us);
      if (!in.ok()) return in.status();
      batch.clear();
    }
  }
  for (int i = 0; i < plan.central; ++i) {
    v1::CentralEvent e;
    e.set_reference("asn-" + std::to_string(i));
    e.mutable_movement()->set_reason(v1::StockMovement::REASON_RECEIPT);
    v1::StockDelta* d = e.mutable_movement()->add_lines();
    d->set_sku(test::SampleSale(1).sale().lines(0).sku());
    d->set_quantity(12);
    Result<central::PushResult> p = store.AppendCentralEvent(
        id, "asn-" + std::to_string(i), std::move(e), now_us);
    if (!p.ok()) return p.status();
  }
  return Status::Ok();
}

bool Load(const std::string& url, const Plan& plan) {
  Result<std::unique_ptr<central::CentralStore>> store =
      central::OpenCentralStore(url, SystemClock(), 4);
  if (!store.ok()) {
    Error("load", store.status().ToString());
    return false;
  }
  const int64_t now_us = SystemClock().NowMicros();
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < plan.stores && !failed; i = next++) {
        char id[32];
        std::snprintf(id, sizeof(id), "store-%04d", i);
        Status s = LoadStore(**store, id, plan, now_us);
        if (!s.ok()) {
          Error("load", std::string(id) + ": " + s.ToString());
          failed = true;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return !failed;
}

int Run(const Plan& plan) {
  const std::string pg = PostgresUrl();
  if (pg.empty()) {
    Error("postgres", "no PostgreSQL (set STOREAGENT_TEST_PG_URL)");
    return 1;
  }
  const std::string schema = "bench_feed_" + std::to_string(getpid());
  std::string error;
  if (!CreateCentralSchema(pg, schema, &error)) {
    Error("schema", error);
    return 1;
  }
  const std::string url = WithSearchPath(pg, schema);
  Progress("loading " + std::to_string(plan.stores) + " stores x " +
           std::to_string(plan.events) + " events + " +
           std::to_string(plan.central) + " central events");
  int rc = 1;
  if (Load(url, plan)) {
    PgExec(url, "ANALYZE store_events; ANALYZE central_events", &error);
    testing::TempDir dir;
    testing::CentralOptions copts;
    copts.store_url = url;
    testing::CentralProcess central(dir.path(), copts);
    if (!central.Start(60000)) {
      Error("central",
            "storecentrald did not start (log: " + central.log_path() + ")");
    } else {
      Progress("reading the feed");
      const FeedFigures f = MeasureFeed(
          "127.0.0.1:" + std::to_string(central.admin_port()), pg, schema);
      if (!f.ok) {
        Error("measure", f.error);
      } else {
        Figure("feed_events", static_cast<double>(f.feed_events), 0, "events");
        Figure("feed_events_per_s", f.feed_events_per_s, 0, "events/s");
        Figure("feed_raw_scan_rows_per_s", f.raw_rows_per_s, 0, "rows/s");
        Figure("feed_ratio_to_raw_scan", f.feed_ratio_to_raw_scan, 2, "ratio");
        rc = 0;
      }
      central.Terminate();
    }
  }
  if (!plan.keep) PgExec(pg, "DROP SCHEMA " + schema + " CASCADE", &error);
  return Failed() ? 1 : rc;
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  storeagent::bench::Plan plan;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (a == "--stores") {
      plan.stores = value();
    } else if (a == "--events") {
      plan.events = value();
    } else if (a == "--central") {
      plan.central = value();
    } else if (a == "--keep") {
      plan.keep = true;
    } else if (a == "--quick") {
      plan.stores = 20;
    } else {
      std::fprintf(stderr,
                   "usage: bench_feed [--stores N] [--events N] "
                   "[--central N] [--quick] [--keep]\n");
      return 2;
    }
  }
  if (plan.stores < 1 || plan.events < 1 || plan.central < 0) {
    std::fprintf(stderr, "bench_feed: --stores and --events must be >= 1\n");
    return 2;
  }
  return storeagent::bench::Run(plan);
}
