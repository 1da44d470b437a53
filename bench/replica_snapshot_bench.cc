// bench_replica_snapshot: a cold start of central's replica cache for one
// store with a long history, from seq 1 (no snapshot: what every start cost
// before replica snapshots) and from the store's snapshot. Prints events
// read, wall time, the snapshot's size and the process's RSS growth for
// the replica built. SQLite in a temp dir.
//
//   bench_replica_snapshot [EVENTS]     (default 100000)
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "central/server/replica_cache.h"
#include "core/journal_chain.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent {
namespace {

int64_t RssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

std::string Sku(int i) { return "sku-" + std::to_string(i % 2000); }

// 70% one-line sales, then receipts, holds placed and cancelled, escrow.
v1::JournalRecord Record(int i) {
  v1::JournalRecord r;
  *r.mutable_client_key() = test::SampleClientKey("t-" + std::to_string(i));
  switch (i % 10) {
    case 0: {
      v1::StockMovement* m = r.mutable_stock()->mutable_movement();
      m->set_reason(v1::StockMovement::REASON_RECEIPT);
      v1::StockDelta* d = m->add_lines();
      d->set_sku(Sku(i));
      d->set_quantity(10);
      break;
    }
    case 1: {
      v1::HoldPlaced* h = r.mutable_stock()->mutable_hold_placed();
      h->set_order_ref("o-" + std::to_string(i));
      h->set_expires_at_us((i + 1 + 3600) * int64_t{1'000'000});
      v1::HoldLine* l = h->add_lines();
      l->set_sku(Sku(i));
      l->set_quantity(1);
      break;
    }
    case 2: {
      v1::HoldCancelled* h = r.mutable_stock()->mutable_hold_cancelled();
      h->set_order_ref("o-" + std::to_string(i - 1));
      h->set_reason("customer");
      h->set_operator_id("op-7");
      break;
    }
    default: {
      *r.mutable_transaction() = test::SampleSale(1);
      v1::TransactionLine* l =
          r.mutable_transaction()->mutable_sale()->mutable_lines(0);
      l->set_sku(Sku(i * 7));
      l->set_quantity(1);
      test::RecomputeTotals(r.mutable_transaction());
      break;
    }
  }
  return r;
}

// A cold start of a new ReplicaCache for `id`, in a child process with a
// connection of its own (so RSS growth is the replica's, not what an
// earlier run left in the allocator). Prints one line.
void ColdStart(const std::string& url, const std::string& id,
               bool from_snapshot, const char* what) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) std::exit(1);
  if (pid > 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::exit(1);
    return;
  }
  Result<std::unique_ptr<central::CentralStore>> store =
      central::OpenCentralStore(url, SystemClock());
  if (!store.ok()) _exit(1);
  central::ReplicaCache::Options o;
  o.snapshot_every = from_snapshot ? central::kReplicaSnapshotEvery : 0;
  const int64_t rss0 = RssKiB();
  int64_t rss_growth = 0;
  size_t skus = 0;
  auto t0 = std::chrono::steady_clock::now();
  central::ReplicaCache cache(**store, SystemClock(), o);
  Status s =
      cache.Latest(id, [&](const core::StockReplay& r, uint64_t, uint64_t) {
        skus = r.figures().size();
        rss_growth = RssKiB() - rss0;
      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    _exit(1);
  }
  if (what != nullptr) {
    std::printf("%-34s %7.3f s, %6llu events read, %zu SKUs, RSS +%lld KiB\n",
                what, seconds,
                static_cast<unsigned long long>(cache.events_read()), skus,
                static_cast<long long>(rss_growth));
  }
  std::fflush(stdout);
  _exit(0);
}

// Ingests the store's events [from, to) in batches of 500.
void Ingest(central::CentralStore& s, const std::string& id, int from, int to,
            std::string* hash) {
  for (int at = from; at < to; at += 500) {
    std::vector<v1::JournalEntry> batch;
    for (int i = at; i < std::min(to, at + 500); ++i) {
      v1::JournalRecord r = Record(i);
      r.set_seq(static_cast<uint64_t>(i) + 1);
      r.set_recorded_at_us(1'000'000 * static_cast<int64_t>(i + 1));
      v1::JournalEntry e;
      *e.mutable_record() = r;
      e.set_prev_hash(*hash);
      *hash = core::ChainHash(*hash, core::CanonicalBytes(r));
      e.set_hash(*hash);
      batch.push_back(std::move(e));
    }
    Result<central::IngestResult> r = s.IngestBatch(id, batch, 1);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::exit(1);
    }
  }
}

int Main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 100000;
  // Events after the snapshot: half the cadence, the average tail.
  const int tail = static_cast<int>(central::kReplicaSnapshotEvery / 2);
  testing::TempDir dir;
  const std::string url = "sqlite:" + dir.File("central.db");
  Result<std::unique_ptr<central::CentralStore>> store =
      central::OpenCentralStore(url, SystemClock());
  if (!store.ok()) return 1;
  central::CentralStore& s = **store;
  // "old": the whole history, never snapshotted. "new": the same history,
  // snapshotted `tail` events before its end.
  std::string old_hash = core::GenesisHash();
  std::string new_hash = core::GenesisHash();
  Ingest(s, "old", 0, events, &old_hash);
  Ingest(s, "new", 0, events - tail, &new_hash);
  ColdStart(url, "new", /*from_snapshot=*/true, nullptr);  // writes it
  Ingest(s, "new", events - tail, events, &new_hash);
  Result<std::optional<central::ReplicaSnapshotRow>> snap =
      s.GetReplicaSnapshot("new");

  std::printf("a store of %d events; the snapshot %d events behind\n", events,
              tail);
  ColdStart(url, "old", /*from_snapshot=*/false,
            "cold start from seq 1 (before):");
  ColdStart(url, "new", /*from_snapshot=*/true, "cold start from snapshot:");
  if (snap.ok() && snap->has_value()) {
    std::printf("snapshot: %zu bytes at store seq %llu\n",
                (*snap)->state.size(),
                static_cast<unsigned long long>((*snap)->store_seq));
  }
  return 0;
}

}  // namespace
}  // namespace storeagent

int main(int argc, char** argv) { return storeagent::Main(argc, argv); }
