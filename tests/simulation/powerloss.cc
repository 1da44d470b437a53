#include "tests/simulation/powerloss.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storage/event_store.h"
#include "storage/journal_store.h"
#include "storage/online_backup.h"
#include "storage/sqlite_handle.h"
#include "storeagent/v1/events.pb.h"
#include "tests/support/fault_vfs.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::sim {
namespace {

constexpr char kStore[] = "store-powerloss";
constexpr char kTerminal[] = "T1";
constexpr size_t kMaxFailuresKept = 5;

// Lines per sale, in turn: small baskets and large ones, so a commit writes
// one WAL page or dozens.
constexpr int kLines[] = {1, 200, 3, 120, 12, 200, 1, 60, 2, 150};

v1::JournalRecord WorkloadEvent(int i) {
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id(kTerminal);
  r.mutable_client_key()->set_client_txn_id("pl-" + std::to_string(i));
  *r.mutable_transaction() =
      test::SampleSale(kLines[static_cast<size_t>(i) % std::size(kLines)]);
  r.mutable_transaction()->mutable_sale()->set_receipt_number(
      "R-" + std::to_string(i));
  return r;
}

struct Ack {
  uint64_t seq = 0;
  std::string txn;
  std::string hash;
};

struct Run {
  std::vector<Ack> acks;
  uint64_t syncs_at_end = 0;  // syncs when the last event was acknowledged
  uint64_t database_syncs_at_end = 0;  // of them, the database file's
  std::string harness_error;
};

// What the power went at: the sync numbered `crash_at`, or (0) the end of
// the workload.
Run RunUntilCrash(const std::string& path, const PowerlossOptions& options,
                  uint64_t crash_at, uint64_t skip_at, uint64_t seed,
                  const Clock& clock) {
  testing::FaultVfsKnobs& knobs = testing::RegisterFaultVfs();
  testing::ResetFaultVfs();
  knobs.crash_tracking = true;
  knobs.crash_at_sync = crash_at;
  knobs.skip_sync_at = skip_at;
  knobs.crash_seed = seed;
  Run run;
  {
    storage::DatabaseOptions o;
    o.path = path;
    o.store_id = kStore;
    o.vfs = testing::kFaultVfsName;
    o.read_threads = 1;
    o.synchronous_normal = options.synchronous_normal;
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock);
    if (!db.ok() && !testing::FaultVfsCrashed()) {
      run.harness_error = "open: " + db.status().ToString();
    }
    for (int i = 0; db.ok() && i < options.events; ++i) {
      storage::AgentDatabase& d = **db;
      storage::AppendResult out;
      Status s = d.writer().Run([&](storage::WriteContext& ctx) -> Status {
        Result<storage::AppendResult> a =
            storage::AppendEvent(ctx, d.journal(), WorkloadEvent(i));
        if (!a.ok()) return a.status();
        out = *a;
        return Status::Ok();
      });
      if (!s.ok()) {
        // The power went (nothing after it is acknowledged), or the
        // workload itself is wrong.
        if (!testing::FaultVfsCrashed()) {
          run.harness_error =
              "event " + std::to_string(i) + ": " + s.ToString();
        }
        break;
      }
      // The till is told now: this event must survive.
      run.acks.push_back(
          {out.seq, WorkloadEvent(i).client_key().client_txn_id(), out.hash});
      run.syncs_at_end = knobs.syncs.load();
      run.database_syncs_at_end = knobs.database_syncs.load();
    }
    // The power goes after the last acknowledgement, if it has not yet.
    testing::CrashNow();
  }  // every connection of the dead process closes here
  return run;
}

// Reopens the database as the agent does and checks what survived; adds
// to `figures`. Returns a failure's description, or "".
std::string CheckAfterCrash(const std::string& path,
                            const std::vector<Ack>& acks, const Clock& clock,
                            PowerlossFigures& figures) {
  {
    storage::DatabaseOptions o;
    o.path = path;
    o.store_id = kStore;
    o.read_threads = 1;
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock);
    if (!db.ok()) {
      ++figures.unrecoverable;
      figures.lost_acks += acks.size();
      return "the agent cannot open its database: " + db.status().ToString();
    }
  }
  storage::ConnectionOptions ro;
  ro.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(path, ro);
  if (!conn.ok()) {
    ++figures.unrecoverable;
    figures.lost_acks += acks.size();
    return "reopen: " + conn.status().ToString();
  }
  std::string failure;
  for (const Ack& a : acks) {
    Result<std::optional<v1::JournalEntry>> e =
        storage::JournalStore::ReadBySeq(conn->get(), a.seq);
    const bool same = e.ok() && e->has_value() &&
                      (*e)->record().client_key().client_txn_id() == a.txn &&
                      (*e)->hash() == a.hash;
    if (same) continue;
    ++figures.lost_acks;
    if (failure.empty()) {
      failure = "acknowledged seq " + std::to_string(a.seq) + " (" + a.txn +
                ") " +
                (!e.ok()           ? "unreadable: " + e.status().ToString()
                 : !e->has_value() ? std::string("is missing")
                                   : std::string("has other content"));
    }
  }
  // The chain and SQLite's integrity check, as a backup copy is checked.
  Result<storage::DatabaseFacts> checked = storage::CheckDatabaseFile(path);
  if (!checked.ok()) {
    ++figures.unrecoverable;
    if (failure.empty()) failure = checked.status().ToString();
  }
  return failure;
}

}  // namespace

PowerlossFigures RunPowerlossSweep(const PowerlossOptions& options) {
  PowerlossFigures figures;
  FakeClock clock;
  testing::FaultVfsKnobs& knobs = testing::RegisterFaultVfs();
  // The dry run: how many syncs the workload makes.
  uint64_t total_syncs = 0;
  {
    testing::TempDir dir;
    Run dry =
        RunUntilCrash(dir.File("agent.db"), options, 0, 0, options.seed, clock);
    testing::ResetFaultVfs();
    if (!dry.harness_error.empty()) {
      figures.harness_error = "dry run: " + dry.harness_error;
      return figures;
    }
    if (dry.acks.size() != static_cast<size_t>(options.events)) {
      figures.harness_error = "dry run: " + std::to_string(dry.acks.size()) +
                              " of " + std::to_string(options.events) +
                              " events acknowledged";
      return figures;
    }
    total_syncs = dry.syncs_at_end;
    figures.database_crash_points = dry.database_syncs_at_end;
  }
  // Crash points 1..S, then S + 1: the end of the workload.
  const uint64_t stride = static_cast<uint64_t>(std::max(options.stride, 1));
  for (uint64_t n = 1; n <= total_syncs + 1; ++n) {
    const bool at_end = n > total_syncs;
    if (!at_end && (n - 1) % stride != 0) continue;
    const uint64_t crash_at = at_end ? 0 : n;
    uint64_t skip_at = 0;
    if (options.skip_sync_before_crash) skip_at = at_end ? total_syncs : n - 1;
    testing::TempDir dir;
    const std::string path = dir.File("agent.db");
    Run run = RunUntilCrash(path, options, crash_at, skip_at,
                            options.seed * 1'000'003 + n, clock);
    figures.writes_kept += knobs.crash_kept.load();
    figures.writes_dropped += knobs.crash_dropped.load();
    figures.writes_torn += knobs.crash_torn.load();
    testing::ResetFaultVfs();
    if (!run.harness_error.empty()) {
      figures.harness_error =
          "crash point " + std::to_string(n) + ": " + run.harness_error;
      return figures;
    }
    ++figures.crash_points;
    figures.acks += run.acks.size();
    std::string failure = CheckAfterCrash(path, run.acks, clock, figures);
    if (!failure.empty() && figures.failures.size() < kMaxFailuresKept) {
      figures.failures.push_back(
          "crash point " + std::to_string(n) +
          (at_end ? " (end of workload)"
                  : " (sync " + std::to_string(n) + ")") +
          ", " + std::to_string(run.acks.size()) + " acks: " + failure);
    }
  }
  return figures;
}

}  // namespace storeagent::sim
