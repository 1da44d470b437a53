// bench_sync: the sync stream's figures (issue "Reconcile with head
// office").
//
//   sync_catchup_events_per_s     a store's journal of N 5-line sales, recorded
//                                 while central was down, sent to central
//                                 over mutual TLS on loopback once it starts
//                                 (timed from the agent's Hello)
//   central_raw_insert_rows_per_s  the store_events rows central stored in
//                                 that catch-up, read back and inserted by
//                                 a plain batched SQLite client (500 a
//                                 transaction, synchronous=FULL) into a
//                                 new database with central's schema, same
//                                 run, median of 3 (bench/sync_raw_insert.h)
//   sync_ratio_to_raw_insert      the first over the second
//   catchup_commit_ms_per_batch   central's ingest transaction (plan,
//                                 inserts, KPI rows, commit) per batch
//   catchup_commit_share          those transactions' time over the
//                                 catch-up's wall time (1 = central's
//                                 writer was never idle)
//   catchup_agent_cpu_us_per_event, catchup_central_cpu_us_per_event
//                                 each daemon's CPU time (user + system,
//                                 /proc) over the catch-up, per event
//   catchup_cores_busy            both daemons' CPU time over the
//                                 catch-up's wall time
//   sync_catchup_events_per_s_bytes_only  the same with the agent sending
//                                 each entry as its bytes only
//                                 (sync.send_parsed_records = false)
//   digest_match_after_catchup_s  from the last event held at central until
//                                 central reports the store's digest matches
//   pouchdb_replication_docs_per_s  the same N sale documents replicated by
//                                 PouchDB (LevelDB) to express-pouchdb on
//                                 loopback (bench/sync/pouchdb), same run
//   sync_ratio_to_pouchdb         the first over the third
//   fleet_events_per_s_sqlite     200 simulated stores streaming into one
//   fleet_events_per_s_postgres   central at once, per backend
//   fleet_slowest_store_share     the slowest store's events/s over the mean
//                                 (the worse of the two backends)
//   sync_reconnect_after_central_start_s  how long the agent's reconnect
//                                 backoff took to notice central was back
//
// --quick: 10,000 events instead of 100,000, 200 stores x 100 events.
// --only catchup|pouchdb|fleet: one phase (pouchdb needs catchup's rate
// for its ratio, so it runs catchup too).
#include <grpcpp/grpcpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_env.h"
#include "bench/metrics_scrape.h"
#include "bench/report.h"
#include "bench/sync_raw_insert.h"
#include "core/journal_chain.h"
#include "platform/malloc_tuning.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/agent_process.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

v1::GetStoreSyncStateResponse StoreState(v1::CentralAdminService::Stub& stub,
                                         const std::string& store) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetStoreSyncStateRequest req;
  req.set_store_id(store);
  v1::GetStoreSyncStateResponse state;
  if (!stub.GetStoreSyncState(&ctx, req, &state).ok()) return {};
  return state;
}

// Records `n` 5-line sales through the POS API from `clients` threads.
bool RecordSales(const testing::AgentProcess& agent, int n, int clients) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  const v1::Transaction sale = test::SampleSale(5);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = agent.NewStub();
      for (int i = next++; i < n && !failed; i = next++) {
        v1::RecordTransactionRequest req;
        req.mutable_client_key()->set_terminal_id("till-" + std::to_string(c));
        req.mutable_client_key()->set_client_txn_id("s-" + std::to_string(i));
        *req.mutable_transaction() = sale;
        v1::RecordTransactionResponse reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
        if (!stub->RecordTransaction(&ctx, req, &reply).ok()) failed = true;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return !failed;
}

struct CatchUp {
  double events_per_s = 0;
  RawInsert raw;  // measured only when asked
  // From central's /metrics after the catch-up: its ingest transactions'
  // time (storecentral_batch_commit_seconds) per batch and over the
  // catch-up's wall time.
  double commit_ms_per_batch = -1;
  double commit_share = -1;
  // CPU time of each daemon over the catch-up, per event, and both
  // together over its wall time (2 on this 2-core box = CPU-bound).
  double agent_cpu_us_per_event = -1;
  double central_cpu_us_per_event = -1;
  double cores_busy = -1;
  double digest_s = -1;
  double reconnect_s = -1;
};

// `bytes_only`: the agent sends each entry as its stored bytes and a
// seq-only record (sync.send_parsed_records = false). `raw_insert`: once
// central has stopped, its rows are inserted again by a plain client.
CatchUp RunCatchUp(int events, bool bytes_only, bool raw_insert) {
  CatchUp out;
  testing::TempDir dir;
  const std::string tls = dir.path() + "/tls";
  const std::string ca = SourceDir() + "/installer/dev-ca";
  std::string ignored;
  if (!Capture(ca + " init " + tls + " >&2 && " + ca + " central " + tls +
                   " >&2 && " + ca + " store " + tls + " store-0001 >&2",
               &ignored)) {
    Error("catchup", "installer/dev-ca failed");
    return out;
  }
  testing::CentralOptions copts;
  copts.tls_dir = tls;
  const int metrics_port = testing::FreeLoopbackPort();
  copts.extra_toml =
      "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port) +
      "\"\n";
  testing::CentralProcess central(dir.path(), copts);
  const std::string sync = "[sync]\ncentral = \"" + central.sync_address() +
                           "\"\n" + "ca_file = \"" + tls +
                           "/ca.pem\"\ncert_file = \"" + tls +
                           "/store-store-0001.pem\"\nkey_file = \"" + tls +
                           "/store-store-0001.key\"\n" +
                           (bytes_only ? "send_parsed_records = false\n" : "");
  testing::AgentProcess agent(dir.path(), "store-0001", sync);
  // First contact (an empty journal waits for central's Welcome), then
  // central goes away while the store records.
  if (!central.Start() || !agent.Start()) {
    Error("catchup", "could not start central and agent");
    return out;
  }
  const auto welcome_deadline = Clock::now() + std::chrono::seconds(30);
  // One admin channel for all polling: a new one per poll would cost
  // central (and the two cores) a connection set-up every few ms.
  std::unique_ptr<v1::CentralAdminService::Stub> admin = central.NewAdminStub();
  while (StoreState(*admin, "store-0001").agent_version().empty() &&
         Clock::now() < welcome_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  central.Terminate();
  Progress("recording " + std::to_string(events) + " sales with central down");
  if (!RecordSales(agent, events, 8)) {
    Error("catchup", "recording sales failed");
    return out;
  }
  Progress("starting central");
  const Clock::time_point started = Clock::now();
  if (!central.Start()) {
    Error("catchup", "central did not restart");
    return out;
  }
  // The agent comes back on its own reconnect backoff (up to 120 s after a
  // long outage); that wait is reported on its own line, and the rate is
  // timed from the stream's Hello, when sending can begin.
  const auto deadline = started + std::chrono::seconds(600);
  admin = central.NewAdminStub();
  v1::GetStoreSyncStateResponse s = StoreState(*admin, "store-0001");
  while (!s.connected() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    s = StoreState(*admin, "store-0001");
  }
  const Clock::time_point t0 = Clock::now();
  const std::string agent_pid = std::to_string(agent.pid());
  const std::string central_pid = std::to_string(central.pid());
  const double agent_cpu0 = CpuSecondsOf(agent_pid);
  const double central_cpu0 = CpuSecondsOf(central_pid);
  out.reconnect_s = std::chrono::duration<double>(t0 - started).count();
  while (Clock::now() < deadline) {
    if (s.store_seq_held() >= static_cast<uint64_t>(events)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    s = StoreState(*admin, "store-0001");
  }
  const double catchup_s = SecondsSince(t0);
  const double agent_cpu = CpuSecondsOf(agent_pid) - agent_cpu0;
  const double central_cpu = CpuSecondsOf(central_pid) - central_cpu0;
  if (s.store_seq_held() < static_cast<uint64_t>(events)) {
    Error("catchup", "central holds " + std::to_string(s.store_seq_held()) +
                         " of " + std::to_string(events) + " events");
    return out;
  }
  out.events_per_s = events / catchup_s;
  if (agent_cpu >= 0 && central_cpu >= 0) {
    out.agent_cpu_us_per_event = agent_cpu * 1e6 / events;
    out.central_cpu_us_per_event = central_cpu * 1e6 / events;
    out.cores_busy = (agent_cpu + central_cpu) / catchup_s;
  }
  // Central restarted for the catch-up: its counters hold only that.
  const std::string metrics = ScrapeMetrics(metrics_port);
  const double commit_s =
      MetricSample(metrics, "storecentral_batch_commit_seconds_sum");
  const double batches =
      MetricSample(metrics, "storecentral_batch_commit_seconds_count");
  if (commit_s >= 0 && batches > 0) {
    out.commit_ms_per_batch = commit_s * 1e3 / batches;
    out.commit_share = commit_s / catchup_s;
  }
  const Clock::time_point t1 = Clock::now();
  while (Clock::now() < t1 + std::chrono::seconds(60)) {
    s = StoreState(*admin, "store-0001");
    if (s.last_digest() == "match" &&
        s.last_digest_store_seq() >= static_cast<uint64_t>(events)) {
      out.digest_s = SecondsSince(t1);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (out.digest_s < 0) {
    Error("catchup", "no matching digest 60 s after catch-up (last: '" +
                         s.last_digest() + "')");
  }
  agent.Terminate();
  central.Terminate();
  if (raw_insert) {
    Progress("the same rows by a plain batched SQLite client");
    out.raw = MeasureRawInsert(dir.path() + "/central.db",
                               dir.path() + "/raw-insert.db", 500);
    if (out.raw.ok && out.raw.rows < static_cast<size_t>(events)) {
      Error("raw insert", "central's database holds " +
                              std::to_string(out.raw.rows) + " rows, not " +
                              std::to_string(events));
    }
  }
  return out;
}

// ---------------------------------------------------------------- fleet

// A store's journal of `n` 5-line sales, chained.
std::vector<v1::JournalEntry> Journal(const std::string& store, int n) {
  std::vector<v1::JournalEntry> out;
  out.reserve(static_cast<size_t>(n));
  std::string prev = core::GenesisHash();
  const v1::Transaction sale = test::SampleSale(5);
  for (int i = 1; i <= n; ++i) {
    v1::JournalEntry e;
    v1::JournalRecord* r = e.mutable_record();
    r->set_seq(static_cast<uint64_t>(i));
    r->set_recorded_at_us(1'800'000'000'000'000 + i);
    r->mutable_client_key()->set_terminal_id("till-01");
    r->mutable_client_key()->set_client_txn_id(store + "-" + std::to_string(i));
    *r->mutable_transaction() = sale;
    std::string bytes = core::CanonicalBytes(*r);
    e.set_prev_hash(prev);
    e.set_hash(core::ChainHash(prev, bytes));
    // As a 0.4 agent sends by default: the record parsed and its bytes.
    e.set_canonical_record(std::move(bytes));
    prev = e.hash();
    out.push_back(std::move(e));
  }
  return out;
}

struct StoreRun {
  double seconds = 0;
  bool ok = false;
  std::string error;
};

// One simulated store: Hello, then batches of 500 with 4 in flight, until
// central acknowledged everything.
StoreRun StreamStore(const std::string& target, const std::string& store,
                     const std::vector<v1::JournalEntry>& journal) {
  StoreRun run;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(16 << 20);
  auto stub = v1::SyncService::NewStub(grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext ctx;
  const Clock::time_point t0 = Clock::now();
  auto stream = stub->Sync(&ctx);
  v1::SyncRequest hello;
  hello.mutable_hello()->set_store_id(store);
  hello.mutable_hello()->set_agent_version("bench");
  hello.mutable_hello()->set_journal_head_seq(journal.size());
  hello.mutable_hello()->set_journal_head_hash(journal.back().hash());
  v1::SyncResponse in;
  if (!stream->Write(hello) || !stream->Read(&in) || !in.has_welcome()) {
    run.error = "no Welcome";
    return run;
  }
  constexpr size_t kBatch = 500;
  constexpr size_t kWindow = 4;
  size_t sent = in.welcome().store_seq_held();
  uint64_t acked = sent;
  while (acked < journal.size()) {
    while (sent < journal.size() && (sent - acked) / kBatch < kWindow) {
      v1::SyncRequest batch;
      const size_t end = std::min(journal.size(), sent + kBatch);
      for (size_t i = sent; i < end; ++i) {
        *batch.mutable_events()->add_entries() = journal[i];
      }
      if (!stream->Write(batch)) {
        run.error = "write failed";
        return run;
      }
      sent = end;
    }
    if (!stream->Read(&in)) {
      run.error = "stream ended: " + stream->Finish().error_message();
      return run;
    }
    if (in.has_ack()) acked = std::max(acked, in.ack().acked_seq());
  }
  run.seconds = SecondsSince(t0);
  run.ok = true;
  stream->WritesDone();
  ctx.TryCancel();
  return run;
}

struct Fleet {
  double events_per_s = 0;
  double slowest_share = 0;
};

Fleet RunFleet(const std::string& store_url, int stores, int per_store) {
  Fleet out;
  testing::TempDir dir;
  testing::CentralOptions copts;
  copts.store_url = store_url;
  testing::CentralProcess central(dir.path(), copts);
  if (!central.Start()) {
    Error("fleet", "central did not start");
    return out;
  }
  std::vector<std::vector<v1::JournalEntry>> journals;
  const std::string tag = std::to_string(::getpid());
  for (int s = 0; s < stores; ++s) {
    journals.push_back(
        Journal("bench-" + tag + "-" + std::to_string(s), per_store));
  }
  std::vector<StoreRun> runs(static_cast<size_t>(stores));
  const Clock::time_point t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < stores; ++s) {
    threads.emplace_back([&, s] {
      runs[static_cast<size_t>(s)] = StreamStore(
          central.sync_address(), "bench-" + tag + "-" + std::to_string(s),
          journals[static_cast<size_t>(s)]);
    });
  }
  for (std::thread& t : threads) t.join();
  const double total_s = SecondsSince(t0);
  double sum_rate = 0;
  double min_rate = 1e18;
  for (const StoreRun& r : runs) {
    if (!r.ok) {
      Error("fleet", r.error);
      return out;
    }
    const double rate = per_store / r.seconds;
    sum_rate += rate;
    min_rate = std::min(min_rate, rate);
  }
  out.events_per_s = static_cast<double>(stores) * per_store / total_s;
  out.slowest_share = min_rate / (sum_rate / stores);
  central.Terminate();
  return out;
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  using namespace storeagent::bench;  // NOLINT
  bool quick = false;
  std::string only;  // empty: every phase
  bool usage = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
      usage = only != "catchup" && only != "pouchdb" && only != "fleet";
    } else {
      usage = true;
    }
  }
  if (usage) {
    std::fprintf(stderr,
                 "usage: %s [--quick] [--only catchup|pouchdb|fleet]\n"
                 "  --quick  10,000 catch-up events, 200 stores x 100 events\n"
                 "  --only   one phase (pouchdb runs catchup too, for its "
                 "ratio)\n",
                 argv[0]);
    return 2;
  }
  auto run = [&](const char* phase) { return only.empty() || only == phase; };
  const int events = quick ? 10'000 : 100'000;
  const int stores = 200;
  const int per_store = quick ? 100 : 1'000;

  CatchUp c;
  if (run("catchup") || run("pouchdb")) {
    c = RunCatchUp(events, false, true);
    Figure("sync_catchup_events_per_s", c.events_per_s, 0, "events/s");
    Figure("central_raw_insert_rows_per_s", c.raw.rows_per_s, 0, "rows/s");
    Figure("sync_ratio_to_raw_insert", Ratio(c.events_per_s, c.raw.rows_per_s),
           2, "x");
    Figure("catchup_commit_ms_per_batch", c.commit_ms_per_batch, 2, "ms");
    Figure("catchup_commit_share", c.commit_share, 2, "x");
    Figure("catchup_agent_cpu_us_per_event", c.agent_cpu_us_per_event, 1, "us");
    Figure("catchup_central_cpu_us_per_event", c.central_cpu_us_per_event, 1,
           "us");
    Figure("catchup_cores_busy", c.cores_busy, 2, "cores");
  }
  if (run("catchup")) {
    Progress("catch-up again, the agent sending record bytes only");
    const CatchUp b = RunCatchUp(events, true, false);
    Figure("sync_catchup_events_per_s_bytes_only", b.events_per_s, 0,
           "events/s");
  }
  if (run("pouchdb")) {
    std::string pouch;
    Progress("PouchDB replication of " + std::to_string(events) + " docs");
    if (!Capture(SourceDir() + "/bench/sync/pouchdb/run --docs " +
                     std::to_string(events),
                 &pouch)) {
      Error("pouchdb", "bench/sync/pouchdb/run failed");
    }
    const double pouch_rate =
        MetricSample(pouch, "pouchdb_replication_docs_per_s");
    Figure("pouchdb_replication_docs_per_s", pouch_rate, 0, "docs/s");
    Figure("sync_ratio_to_pouchdb", Ratio(c.events_per_s, pouch_rate), 2, "x");
  }
  if (run("catchup")) {
    Figure("digest_match_after_catchup_s", c.digest_s, 3, "s");
    Figure("sync_reconnect_after_central_start_s", c.reconnect_s, 2, "s");
  }
  if (run("fleet")) {
    Progress("fleet: " + std::to_string(stores) + " stores, SQLite");
    const Fleet lite = RunFleet("", stores, per_store);
    Figure("fleet_events_per_s_sqlite", lite.events_per_s, 0, "events/s");
    const std::string pg_url = PostgresUrl();
    if (pg_url.empty()) Error("fleet", "scripts/start-postgres failed");
    Fleet pg;
    if (!pg_url.empty()) {
      Progress("fleet: " + std::to_string(stores) + " stores, PostgreSQL");
      pg = RunFleet(pg_url, stores, per_store);
    }
    Figure("fleet_events_per_s_postgres", pg.events_per_s, 0, "events/s");
    Figure(
        "fleet_slowest_store_share",
        std::min(lite.slowest_share,
                 pg.slowest_share > 0 ? pg.slowest_share : lite.slowest_share),
        2, "x");
  }
  return Failed() ? 1 : 0;
}
