// bench_record: how fast storeagentd records sales durably, each figure next
// to a baseline measured in the same run: the no-op RPC on the same server
// (the transport ceiling) and one fsync'd SQLite transaction per sale (the
// disk), with the disk's own flush and with every flush slowed by 2 ms; then
// the cost of signed checkpoints (against the same agent without) and the
// rate of `journal verify` with signatures;
// latency at a paced 1,000 sales/s and the real daemon's memory; and sales/s
// while an online backup of a large database runs and while the journal is
// pruned, each over plain rounds of the same run.
// `bench/run record [--quick]` builds and runs it.
//
//   bench_record [--quick] [--rounds N]
//                [--only record|checkpoints|slowflush|paced|ops|rss|fsync]
//
// A figure and its baselines run in alternating rounds of one second, so a
// slow spell of a shared machine hits them alike and the ratios hold.
// Prints `NAME VALUE UNIT` lines on stdout (bench/report.h); exits 1 when a
// phase failed or any call was refused.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "agent/agent_server.h"
#include "agent/journal_prune_timer.h"
#include "bench/fsync_probe.h"
#include "bench/load_driver.h"
#include "bench/one_txn_baseline.h"
#include "bench/pos_call_slots.h"
#include "bench/report.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/malloc_tuning.h"
#include "platform/signing.h"
#include "storage/journal_verify.h"
#include "storage/online_backup.h"
#include "storage/sqlite_handle.h"
#include "tests/support/agent_process.h"
#include "tests/support/fault_vfs.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

// The load: 8 tills, 5-line sales, a 2 ms flush, 32 in flight.
constexpr int kClientThreads = 8;
constexpr int kSaleLines = 5;
constexpr int64_t kSlowFlushUs = 2000;
constexpr int kSlowFlushDepth = 4;  // per thread: 8 x 4 = 32 in flight
constexpr int64_t kPacedSalesPerSecond = 1000;
constexpr int kPacedDepth = 4;  // per thread: a late answer delays no send
constexpr int kRssDepth = 8;    // per thread, to get through 1 M sales fast
constexpr int64_t kRoundUs = 1'000'000;

unsigned CpuCount() {
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

struct Settings {
  int rounds = 5;  // of kRoundUs per figure
  int64_t warmup_us = 500'000;
  int64_t paced_us = 5'000'000;
  int64_t probe_us = 1'000'000;  // raw fsync probe
  int64_t idle_us = 3'000'000;   // before idle RSS is read
  uint64_t rss_sales = 1'000'000;
  uint64_t large_db_sales = 200'000;  // before the backup / prune rounds
  int64_t rss_cap_us = 900'000'000;   // bounds the 1 M phase: 15 min

  static Settings Quick() {
    Settings s;
    s.rounds = 2;
    s.warmup_us = 300'000;
    s.paced_us = 2'000'000;
    s.probe_us = 500'000;
    s.idle_us = 2'000'000;
    s.rss_sales = 50'000;
    s.large_db_sales = 30'000;
    s.rss_cap_us = 25'000'000;
    return s;
  }
};

v1::RecordTransactionRequest Sale() {
  v1::RecordTransactionRequest r;
  *r.mutable_client_key() = test::SampleClientKey();
  *r.mutable_transaction() = test::SampleSale(kSaleLines);
  return r;
}

// Runs one load on the server at `socket`; every call must be answered OK.
LoadResult Load(const std::string& phase, const std::string& socket,
                const LoadSpec& spec, const SlotFactory& slots) {
  Progress(phase);
  LoadResult r = RunLoad(
      spec, [&] { return OwnChannel("unix:" + socket); }, slots);
  if (r.failed > 0 || r.ok == 0) {
    Error(phase, std::to_string(r.failed) + " of " +
                     std::to_string(r.ok + r.failed) +
                     " calls failed, first: " + r.first_error);
  }
  return r;
}

// The daemon in-process, in `dir`, its database on the SQLite VFS `vfs`.
// `checkpoint_every` < 0: the default checkpoint settings; 0: none (no
// interval, no timer).
std::unique_ptr<agent::AgentServer> StartAgent(const testing::TempDir& dir,
                                               const std::string& vfs,
                                               int checkpoint_every = -1) {
  agent::AgentConfig config;
  config.store_id = "store-0001";
  config.data_dir = dir.File("data");
  config.pos_socket = dir.File("pos.sock");
  if (checkpoint_every >= 0) {
    config.checkpoint_every_events = checkpoint_every;
    if (checkpoint_every == 0) config.checkpoint_every_minutes = 0;
  }
  Result<std::unique_ptr<agent::AgentServer>> server =
      agent::AgentServer::Start(config, SystemClock(), {.vfs = vfs});
  if (!server.ok()) {
    Error("start agent", server.status().ToString());
    return nullptr;
  }
  return std::move(server).value();
}

std::unique_ptr<OneTxnBaseline> OpenBaseline(const testing::TempDir& dir,
                                             const std::string& vfs) {
  std::string record;
  Sale().SerializeToString(&record);
  Result<std::unique_ptr<OneTxnBaseline>> b =
      OneTxnBaseline::Open(dir.File("one_txn.db"), vfs, std::move(record));
  if (!b.ok()) {
    Error("open one-txn baseline", b.status().ToString());
    return nullptr;
  }
  return std::move(b).value();
}

// One round of the one-transaction-per-sale baseline, added to `total`.
void BaselineRound(const std::string& phase, OneTxnBaseline& baseline,
                   int64_t duration_us, OneTxnResult& total) {
  Progress(phase);
  Result<OneTxnResult> r = baseline.Run(duration_us);
  if (!r.ok()) return Error(phase, r.status().ToString());
  total.sales += r->sales;
  total.seconds += r->seconds;
}

// Runs `run`, adding the server writer's commits and the commands they
// committed meanwhile to `commits` and `sales`.
template <typename Run>
LoadResult CountingCommits(agent::AgentServer& server, uint64_t& commits,
                           uint64_t& sales, Run run) {
  const storage::WriterStats before = server.database().writer().stats();
  LoadResult r = run();
  const storage::WriterStats after = server.database().writer().stats();
  commits += after.commits - before.commits;
  sales += after.commands - before.commands;
  return r;
}

// 8 tills, one sale at a time each, against the no-op ceiling on the same
// server and one transaction per sale on the same disk.
void RecordFigures(const Settings& s) {
  testing::TempDir dir;
  std::unique_ptr<agent::AgentServer> server = StartAgent(dir, "");
  std::unique_ptr<OneTxnBaseline> baseline = OpenBaseline(dir, "");
  if (server == nullptr || baseline == nullptr) return;
  const std::string socket = dir.File("pos.sock");
  LoadSpec spec{.threads = kClientThreads, .depth = 1};
  spec.duration_us = s.warmup_us;
  Load("warm-up ping", socket, spec, PingSlots());
  Load("warm-up record", socket, spec, RecordSlots(Sale()));
  OneTxnResult warm;
  BaselineRound("warm-up one txn per sale", *baseline, s.warmup_us, warm);
  spec.duration_us = kRoundUs;
  LoadResult noop, rec;
  OneTxnResult one;
  uint64_t commits = 0, committed = 0;
  for (int i = 0; i < s.rounds; ++i) {
    noop.Add(Load("noop ping", socket, spec, PingSlots()));
    rec.Add(CountingCommits(*server, commits, committed, [&] {
      return Load("record", socket, spec, RecordSlots(Sale()));
    }));
    BaselineRound("sqlite one txn per sale", *baseline, kRoundUs, one);
  }
  server->Shutdown();

  Figure("record_sales_per_s", rec.CallsPerSecond(), 0, "sales/s");
  Figure("noop_rpc_calls_per_s", noop.CallsPerSecond(), 0, "calls/s");
  Figure("record_ratio_to_noop",
         Ratio(rec.CallsPerSecond(), noop.CallsPerSecond()), 2, "x");
  Figure("sqlite_one_txn_sales_per_s", one.SalesPerSecond(), 0, "sales/s");
  Figure("record_p50_ms", rec.PercentileMs(50), 2, "ms");
  Figure("record_p99_ms", rec.PercentileMs(99), 2, "ms");
  Figure("record_sales_per_commit", Ratio(committed, commits), 2,
         "sales/commit");
  Figure("noop_p50_ms", noop.PercentileMs(50), 2, "ms");
  Figure("noop_p99_ms", noop.PercentileMs(99), 2, "ms");
  // Client and server share this process: CPU per call covers both.
  Figure("record_cpu_us_per_sale", rec.CpuMicrosPerCall(), 0, "us");
  Figure("noop_cpu_us_per_call", noop.CpuMicrosPerCall(), 0, "us");
  Figure("record_cores_busy", rec.CoresBusy(), 2, "cores");
  Figure("noop_cores_busy", noop.CoresBusy(), 2, "cores");
}

// What signed checkpoints cost (docs/security.md, "Signed checkpoints"):
// the agent at the default interval against the same agent with none, in
// alternating rounds; then `journal verify` with signatures over the first
// one's journal.
void CheckpointFigures(const Settings& s) {
  testing::TempDir with_dir, without_dir;
  std::unique_ptr<agent::AgentServer> with = StartAgent(with_dir, "");
  std::unique_ptr<agent::AgentServer> without =
      StartAgent(without_dir, "", /*checkpoint_every=*/0);
  if (with == nullptr || without == nullptr) return;
  const std::string with_socket = with_dir.File("pos.sock");
  const std::string without_socket = without_dir.File("pos.sock");
  LoadSpec spec{.threads = kClientThreads, .depth = 1};
  spec.duration_us = s.warmup_us;
  Load("checkpoints warm-up", with_socket, spec, RecordSlots(Sale()));
  Load("no checkpoints warm-up", without_socket, spec, RecordSlots(Sale()));
  spec.duration_us = kRoundUs;
  LoadResult on, off;
  for (int i = 0; i < s.rounds; ++i) {
    on.Add(Load("record, checkpoints every 1000", with_socket, spec,
                RecordSlots(Sale())));
    off.Add(Load("record, no checkpoints", without_socket, spec,
                 RecordSlots(Sale())));
  }
  const uint64_t checkpoints = with->database().checkpoints().checkpoint_seq();
  with->Shutdown();
  without->Shutdown();
  Figure("record_sales_per_s_with_checkpoints", on.CallsPerSecond(), 0,
         "sales/s");
  Figure("record_sales_per_s_without_checkpoints", off.CallsPerSecond(), 0,
         "sales/s");
  Figure("record_ratio_with_checkpoints",
         Ratio(on.CallsPerSecond(), off.CallsPerSecond()), 2, "x");
  if (checkpoints == 0) Error("checkpoints", "the agent wrote none");

  // journal verify, signatures included, over what was recorded.
  Progress("journal verify");
  Result<crypto::SigningKey> key =
      crypto::SigningKey::Load(with_dir.File("data/signing.key"));
  if (!key.ok()) return Error("journal verify", key.status().ToString());
  storage::SignatureKeys keys;
  keys.store_id = "store-0001";
  keys.keys.emplace(key->key_id(), key->public_key());
  storage::ConnectionOptions ro;
  ro.read_only = true;
  Result<storage::Connection> conn =
      storage::Connection::Open(with_dir.File("data/agent.db"), ro);
  if (!conn.ok()) return Error("journal verify", conn.status().ToString());
  const auto started = std::chrono::steady_clock::now();
  Result<storage::VerifyReport> r = storage::VerifyJournal(conn->get(), &keys);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  if (!r.ok()) return Error("journal verify", r.status().ToString());
  if (!r->problem.ok()) {
    return Error("journal verify", r->problem.ToString());
  }
  Figure("journal_verify_records", static_cast<double>(r->entries_checked), 0,
         "records");
  Figure("journal_verify_checkpoints",
         static_cast<double>(r->checkpoints_verified), 0, "checkpoints");
  Figure("journal_verify_records_per_s",
         Ratio(static_cast<double>(r->entries_checked), seconds), 0,
         "records/s");
}

// Every fsync slowed by 2 ms, 32 sales in flight, against one transaction
// per sale on the same slow flush. REQUIRES: the fault VFS's delay is set.
void SlowFlushRounds(const Settings& s) {
  testing::TempDir dir;
  std::unique_ptr<agent::AgentServer> server =
      StartAgent(dir, testing::kFaultVfsName);
  std::unique_ptr<OneTxnBaseline> baseline =
      OpenBaseline(dir, testing::kFaultVfsName);
  if (server == nullptr || baseline == nullptr) return;
  const std::string socket = dir.File("pos.sock");
  LoadSpec spec{.threads = kClientThreads, .depth = kSlowFlushDepth};
  spec.duration_us = s.warmup_us;
  Load("slow flush warm-up", socket, spec, RecordSlots(Sale()));
  spec.duration_us = kRoundUs;
  LoadResult rec;
  OneTxnResult one;
  uint64_t commits = 0, committed = 0;
  for (int i = 0; i < s.rounds; ++i) {
    rec.Add(CountingCommits(*server, commits, committed, [&] {
      return Load("slow flush record, 32 in flight", socket, spec,
                  RecordSlots(Sale()));
    }));
    BaselineRound("slow flush sqlite one txn per sale", *baseline, kRoundUs,
                  one);
  }
  server->Shutdown();

  Figure("slowflush_record_sales_per_s", rec.CallsPerSecond(), 0, "sales/s");
  Figure("slowflush_one_txn_sales_per_s", one.SalesPerSecond(), 0, "sales/s");
  Figure("slowflush_group_commit_gain",
         Ratio(rec.CallsPerSecond(), one.SalesPerSecond()), 2, "x");
  Figure("slowflush_record_p50_ms", rec.PercentileMs(50), 2, "ms");
  Figure("slowflush_record_p99_ms", rec.PercentileMs(99), 2, "ms");
  Figure("slowflush_sales_per_commit", Ratio(committed, commits), 2,
         "sales/commit");
  Figure("slowflush_record_cores_busy", rec.CoresBusy(), 2, "cores");
}

void SlowFlushFigures(const Settings& s) {
  testing::FaultVfsKnobs& knobs = testing::RegisterFaultVfs();
  knobs.sync_delay_us.store(kSlowFlushUs);
  SlowFlushRounds(s);
  knobs.sync_delay_us.store(0);
}

// 1,000 sales/s spread over the 8 tills; latency from the scheduled send.
void PacedFigures(const Settings& s) {
  testing::TempDir dir;
  std::unique_ptr<agent::AgentServer> server = StartAgent(dir, "");
  if (server == nullptr) return;
  const std::string socket = dir.File("pos.sock");
  LoadSpec spec{.threads = kClientThreads,
                .depth = kPacedDepth,
                .pace_per_s = kPacedSalesPerSecond};
  spec.duration_us = s.warmup_us;  // the same load, so the WAL is settled
  Load("paced warm-up", socket, spec, RecordSlots(Sale()));
  spec.duration_us = s.paced_us;
  const LoadResult rec =
      Load("record paced at 1000 sales/s", socket, spec, RecordSlots(Sale()));
  server->Shutdown();
  Figure("record_p99_ms_paced_1000", rec.PercentileMs(99), 2, "ms");
  Figure("record_p50_ms_paced_1000", rec.PercentileMs(50), 2, "ms");
  Figure("paced_sales_per_s", rec.CallsPerSecond(), 0, "sales/s");
}

// Wall time since construction, on the steady clock.
class Stopwatch {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
};

// Runs `work` on a thread until `load` returns; `work` is called again and
// again while the flag it gets is false.
template <typename Work>
LoadResult WhileRunning(Work work, const std::function<LoadResult()>& load) {
  std::atomic<bool> done{false};
  std::thread t([&] {
    while (!done.load()) work(done);
  });
  LoadResult r = load();
  done.store(true);
  t.join();
  return r;
}

// Sets meta central_acked_seq to the head, as if central had acknowledged
// everything (the sync client keeps this key in production).
Status AckEverything(agent::AgentServer& server) {
  return server.database().writer().Run([&](storage::WriteContext& ctx) {
    Result<storage::Statement*> st = ctx.Prepare(
        "INSERT INTO meta (key, value) VALUES ('central_acked_seq', ?1) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st.ok()) return st.status();
    (*st)->BindText(1, std::to_string(server.database().journal().head().seq));
    return (*st)->Run();
  });
}

// 8 tills recording into a large database: plain rounds, rounds while an
// online backup of it runs (back to back, default BackupOptions: paced),
// rounds while the journal is pruned with the [retention] defaults (batches
// of 500, paced to a 10% duty), alternating.
void OpsFigures(const Settings& s) {
  testing::TempDir dir;
  std::unique_ptr<agent::AgentServer> server = StartAgent(dir, "");
  if (server == nullptr) return;
  const std::string socket = dir.File("pos.sock");
  LoadSpec fill{.threads = kClientThreads, .depth = kRssDepth};
  fill.duration_us = s.rss_cap_us;
  fill.max_calls = s.large_db_sales;
  fill.keep_latencies = false;
  Load("fill the database for backup/prune rounds", socket, fill,
       RecordSlots(Sale()));
  const double db_mib =
      static_cast<double>(server->database().SizeBytes()) / (1 << 20);
  // Only the cutoff comes from this clock: everything is old enough.
  FakeClock future(SystemClock().NowMicros() + int64_t{3650} * 86'400'000'000);
  LoadSpec spec{.threads = kClientThreads, .depth = 1};
  spec.duration_us = kRoundUs;
  LoadResult plain, backup, prune;
  uint64_t backups = 0, pruned = 0;
  // How long the backup / prune threads ran, s: their rates below show the
  // pacing does not buy the ratios by doing nothing.
  double backup_s = 0, prune_s = 0;
  const std::string copy = dir.File("backup.db");
  for (int i = 0; i < s.rounds; ++i) {
    plain.Add(
        Load("record, no backup or prune", socket, spec, RecordSlots(Sale())));
    Stopwatch backup_watch;
    backup.Add(WhileRunning(
        [&](const std::atomic<bool>&) {
          storage::BackupOptions bo;  // paced in real time, as storeagentctl
          bo.clock = &SystemClock();
          bo.pause = [](int64_t micros) { SleepMicros(micros); };
          Result<storage::BackupReport> r =
              storage::BackupDatabase(server->database().path(), copy, bo);
          if (!r.ok()) {
            Error("online backup", r.status().ToString());
          } else {
            ++backups;
          }
        },
        [&] {
          return Load("record while backing up", socket, spec,
                      RecordSlots(Sale()));
        }));
    backup_s += backup_watch.Seconds();
    Stopwatch prune_watch;
    prune.Add(WhileRunning(
        [&](const std::atomic<bool>& done) {
          if (Status a = AckEverything(*server); !a.ok()) {
            return Error("ack", a.ToString());
          }
          agent::PruneOptions po;  // paced in real time, as the daemon
          po.pause = [](int64_t micros) { SleepMicros(micros); };
          Result<agent::PruneRun> r =
              agent::PruneJournalNow(server->database(), future, po, &done);
          if (!r.ok()) return Error("prune", r.status().ToString());
          pruned += r->pruned;
        },
        [&] {
          return Load("record while pruning", socket, spec,
                      RecordSlots(Sale()));
        }));
    prune_s += prune_watch.Seconds();
  }
  server->Shutdown();
  Figure("ops_db_mib_at_start", db_mib, 1, "MiB");
  Figure("ops_record_sales_per_s", plain.CallsPerSecond(), 0, "sales/s");
  Figure("record_ratio_during_backup",
         Ratio(backup.CallsPerSecond(), plain.CallsPerSecond()), 2, "x");
  Figure("record_p99_ratio_during_backup",
         Ratio(backup.PercentileMs(99), plain.PercentileMs(99)), 2, "x");
  Figure("backups_completed", static_cast<double>(backups), 0, "backups");
  Figure("backup_mib_per_s",
         Ratio(static_cast<double>(backups) * db_mib, backup_s), 1, "MiB/s");
  Figure("record_ratio_during_prune",
         Ratio(prune.CallsPerSecond(), plain.CallsPerSecond()), 2, "x");
  Figure("record_p99_ratio_during_prune",
         Ratio(prune.PercentileMs(99), plain.PercentileMs(99)), 2, "x");
  Figure("events_pruned", static_cast<double>(pruned), 0, "events");
  Figure("prune_events_per_s", Ratio(static_cast<double>(pruned), prune_s), 0,
         "events/s");
}

// The real storeagentd: RSS when idle, then after 1 M sales (fewer with
// --quick; rss_after_sales_count says how many).
void RssFigures(const Settings& s) {
  Progress("storeagentd start");
  testing::TempDir dir;
  testing::AgentProcess proc(dir.path());
  if (!proc.Start()) {
    return Error("start storeagentd",
                 std::string("did not answer; see ").append(proc.log_path()));
  }
  Progress("storeagentd idle");
  std::this_thread::sleep_for(std::chrono::microseconds(s.idle_us));
  const double idle = testing::ResidentMiB(proc.pid());
  LoadSpec spec{.threads = kClientThreads, .depth = kRssDepth};
  spec.duration_us = s.rss_cap_us;
  spec.max_calls = s.rss_sales;
  spec.keep_latencies = false;
  const LoadResult rec = Load(std::string("storeagentd recording ")
                                  .append(std::to_string(s.rss_sales))
                                  .append(" sales"),
                              proc.socket_path(), spec, RecordSlots(Sale()));
  const double after = testing::ResidentMiB(proc.pid());
  if (proc.Terminate() != 0) Error("stop storeagentd", "unclean exit");
  Figure("idle_rss_mib", idle, 1, "MiB");
  Figure("rss_after_1m_mib", after, 1, "MiB");
  Figure("rss_after_sales_count", static_cast<double>(rec.ok), 0, "sales");
  Figure("rss_phase_sales_per_s", rec.CallsPerSecond(), 0, "sales/s");
}

// The disk's own flush latency under the temp dir, with the CPUs idle (as
// a lone fsync loop sees it) and kept busy (as a busy daemon sees it).
void FsyncFigures(const Settings& s) {
  testing::TempDir dir;
  Progress("raw fsync probe, CPUs idle");
  Result<FsyncProbeResult> idle = ProbeFsync(dir.File("probe"), s.probe_us);
  Progress("raw fsync probe, CPUs busy");
  Result<FsyncProbeResult> busy =
      ProbeFsync(dir.File("probe"), s.probe_us, static_cast<int>(CpuCount()));
  if (!idle.ok()) return Error("raw fsync probe", idle.status().ToString());
  if (!busy.ok()) return Error("raw fsync probe", busy.status().ToString());
  Figure("raw_fdatasync_p50_ms", idle->p50_ms, 2, "ms");
  Figure("raw_fdatasync_p99_ms", idle->p99_ms, 2, "ms");
  Figure("raw_fdatasync_busy_cpu_p50_ms", busy->p50_ms, 2, "ms");
  Figure("raw_fdatasync_busy_cpu_p99_ms", busy->p99_ms, 2, "ms");
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  namespace sb = storeagent::bench;
  sb::Settings settings;
  std::string only;  // empty: every phase
  int rounds = 0;    // 0: the setting's
  const char* const phases[] = {"record", "checkpoints", "slowflush", "paced",
                                "ops",    "rss",         "fsync"};
  bool usage = false;
  for (int i = 1; i < argc && !usage; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      settings = sb::Settings::Quick();
    } else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
      usage = rounds < 1 || rounds > 100;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
      usage = std::find(std::begin(phases), std::end(phases), only) ==
              std::end(phases);
    } else {
      usage = true;
    }
  }
  if (usage) {
    std::fprintf(stderr,
                 "usage: %s [--quick] [--rounds N] [--only PHASE]\n"
                 "  --quick  2 rounds per figure and 50000 sales for the "
                 "RSS figure, under a minute\n"
                 "  --rounds rounds per figure, 1..100 (after --quick)\n"
                 "  --only   one phase: record, checkpoints, slowflush, "
                 "paced, ops, rss or fsync\n",
                 argv[0]);
    return 2;
  }
  if (rounds > 0) settings.rounds = rounds;
  auto run = [&](const char* phase) { return only.empty() || only == phase; };
  storeagent::ConfigureLog("warn", "text");
  sb::Progress("start");
  if (run("record")) sb::RecordFigures(settings);
  if (run("checkpoints")) sb::CheckpointFigures(settings);
  if (run("slowflush")) sb::SlowFlushFigures(settings);
  if (run("paced")) sb::PacedFigures(settings);
  if (run("ops")) sb::OpsFigures(settings);
  if (run("rss")) sb::RssFigures(settings);
  if (run("fsync")) sb::FsyncFigures(settings);
  return sb::Failed() ? 1 : 0;
}
