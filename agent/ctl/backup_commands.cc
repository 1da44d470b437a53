// storeagentctl backup FILE, storeagentctl restore FILE.
//
// backup works directly on the database file, next to a running agent: a
// read-only connection of its own and SQLite's online backup API (WAL lets a
// reader copy while the agent writes). It does not go through the agent.
// restore needs the agent stopped and takes its data directory lock.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>

#include "agent/ctl/commands.h"
#include "platform/clock.h"
#include "platform/file_lock.h"
#include "platform/fs.h"
#include "storage/online_backup.h"

namespace storeagent::ctl {
namespace {

// Deletes meta 'sync_confirmed' from the database at `db_path`.
Status ForgetSyncConfirmation(const std::string& db_path);

std::string DirOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

uint64_t SizeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string SeqRange(const storage::DatabaseFacts& f) {
  if (f.head_seq == f.anchor_seq) {
    return "no events (anchor seq " + std::to_string(f.anchor_seq) + ")";
  }
  return "seq " + std::to_string(f.anchor_seq + 1) + ".." +
         std::to_string(f.head_seq);
}

// "20260501T120000Z" for now.
std::string Stamp() {
  const std::time_t secs =
      static_cast<std::time_t>(SystemClock().NowMicros() / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

struct BackupArgs {
  std::string file;
  int pages_per_step = 256;
  int pause_ms = 2;
  int duty_percent = 10;
};

int Backup(Target& t, const BackupArgs& a) {
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  storage::BackupOptions o;
  o.pages_per_step = a.pages_per_step;
  o.pause_micros = int64_t{a.pause_ms} * 1000;
  o.duty_percent = a.duty_percent;
  // A command-line program: it paces its copy in real time.
  o.clock = &SystemClock();
  o.pause = [](int64_t micros) { SleepMicros(micros); };
  Result<storage::BackupReport> r = storage::BackupDatabase(t.db, a.file, o);
  if (!r.ok()) return Fail("backup of " + t.db + ": " + r.status().ToString());
  std::printf(
      "backup ok: %s (store %s): %s, central_acked_seq %llu, %llu bytes, "
      "%llu pages in %d steps\n",
      a.file.c_str(), r->facts.store_id.c_str(), SeqRange(r->facts).c_str(),
      static_cast<unsigned long long>(r->facts.central_acked_seq),
      static_cast<unsigned long long>(r->facts.bytes),
      static_cast<unsigned long long>(r->pages), r->steps);
  return kExitOk;
}

struct RestoreArgs {
  std::string file;
  bool force = false;
  int64_t central_watermark = -1;
};

int Restore(Target& t, const RestoreArgs& a) {
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  const std::string data_dir = DirOf(t.db);
  if (!Exists(data_dir)) {
    return Fail("restore: data directory " + data_dir +
                " does not exist (storage.data_dir)");
  }
  // The agent must be stopped: its lock on the data directory says whether
  // it runs, and holding it keeps one from starting while we swap files.
  Result<FileLock> lock = FileLock::Acquire(data_dir + "/agent.lock");
  if (!lock.ok()) {
    return Fail("restore: storeagentd is running on " + data_dir + " (" +
                lock.status().message() + "); stop it first");
  }
  if (SizeOf(a.file + "-wal") > 0) {
    return Fail("restore: " + a.file +
                " has a WAL file beside it; restore a file written by "
                "'storeagentctl backup'");
  }
  Result<storage::DatabaseFacts> backup = storage::CheckDatabaseFile(a.file);
  if (!backup.ok()) {
    return Fail("restore: backup " + a.file +
                " is not usable: " + backup.status().message());
  }
  uint64_t watermark = 0;
  std::string why;
  const bool have_live = Exists(t.db);
  if (have_live) {
    Result<storage::DatabaseFacts> live = storage::ReadDatabaseFacts(t.db);
    if (!live.ok() && !a.force) {
      return Fail("restore: cannot read the live database " + t.db + " (" +
                  live.status().message() +
                  ") to learn central's watermark; pass --central-watermark "
                  "N and --force");
    }
    if (live.ok()) {
      if (!live->store_id.empty() && live->store_id != backup->store_id) {
        return Fail("restore: backup " + a.file + " belongs to store '" +
                    backup->store_id + "', the live database to store '" +
                    live->store_id + "'");
      }
      watermark = live->central_acked_seq;
      why = "central_acked_seq of the live database is " +
            std::to_string(live->central_acked_seq);
    }
  }
  if (a.central_watermark >= 0) {
    if (!why.empty()) why += "; ";
    why += "--central-watermark is " + std::to_string(a.central_watermark);
    watermark = std::max(watermark, static_cast<uint64_t>(a.central_watermark));
  }
  if (backup->head_seq < watermark) {
    const std::string msg =
        "backup " + a.file + " ends at seq " +
        std::to_string(backup->head_seq) + ", behind central's watermark " +
        std::to_string(watermark) + " (" + why +
        "): central already holds events the backup lacks, and the agent "
        "would record new events under their seqs";
    if (!a.force) {
      return Fail("restore refused: " + msg +
                  ". Use a newer backup, or --force to restore anyway");
    }
    std::fprintf(stderr, "storeagentctl: warning (--force): %s\n", msg.c_str());
  }
  std::string kept;
  if (have_live) {
    kept = t.db + ".before-restore-" + Stamp();
    // Never replace an earlier kept file (two restores in one second).
    const std::string base = kept;
    for (int n = 2; n < 1000 && (Exists(kept) || Exists(kept + "-wal")); ++n) {
      kept = base + "-" + std::to_string(n);
    }
    if (std::rename(t.db.c_str(), kept.c_str()) != 0) {
      return Fail(fs::ErrnoStatus(errno, "rename", t.db).ToString());
    }
    // The WAL holds committed transactions: it goes with its database.
    if (Exists(t.db + "-wal") &&
        std::rename((t.db + "-wal").c_str(), (kept + "-wal").c_str()) != 0) {
      return Fail(fs::ErrnoStatus(errno, "rename", t.db + "-wal").ToString());
    }
    ::unlink((t.db + "-shm").c_str());
  }
  Status copied = fs::CopyFileDurably(a.file, t.db, 0640, kept);
  if (!copied.ok()) {
    return Fail("restore: " + copied.ToString() +
                (kept.empty() ? "" : "; the previous database is " + kept));
  }
  // The restored journal may be behind what central holds: the agent must
  // not journal anything before central has answered it (the sync gate,
  // docs/sync-protocol.md), so the "confirmed" mark goes.
  if (Status s = ForgetSyncConfirmation(t.db); !s.ok()) {
    return Fail("restore: " + s.ToString() + "; the restored database is " +
                t.db + (kept.empty() ? "" : ", the previous one " + kept));
  }
  std::printf("restored %s to %s (store %s): %s, %llu bytes\n", a.file.c_str(),
              t.db.c_str(), backup->store_id.c_str(), SeqRange(*backup).c_str(),
              static_cast<unsigned long long>(SizeOf(t.db)));
  if (!kept.empty()) {
    std::printf("the previous database is kept as %s\n", kept.c_str());
  }
  return kExitOk;
}

Status ForgetSyncConfirmation(const std::string& db_path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db,
                      "PRAGMA synchronous=FULL; DELETE FROM meta WHERE key = "
                      "'sync_confirmed'",
                      nullptr, nullptr, nullptr);
  }
  const std::string why = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return Internal(db_path + ": " + why);
  return Status::Ok();
}

}  // namespace

void AddBackupCommands(CLI::App& app, Target& t, Action& action) {
  auto b = std::make_shared<BackupArgs>();
  CLI::App* backup = app.add_subcommand(
      "backup",
      "copy the live database to FILE while the agent runs (SQLite online "
      "backup from a read-only connection: one consistent snapshot, the "
      "agent keeps recording); the copy is checked (integrity_check, "
      "journal verify) before it is renamed to FILE");
  backup->add_option("FILE", b->file, "where the backup goes")->required();
  backup->add_option("--db", t.db, "database file (default: from --config)");
  backup
      ->add_option("--pages-per-step", b->pages_per_step,
                   "pages copied per step")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  backup->add_option("--pause-ms", b->pause_ms, "least pause between steps")
      ->capture_default_str()
      ->check(CLI::Range(0, 10'000));
  backup
      ->add_option("--duty-percent", b->duty_percent,
                   "share of the copy's time spent copying: the pause after "
                   "a step is at least its time x (100 - N) / N")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  backup->callback([&, b] { action = [&, b] { return Backup(t, *b); }; });

  auto r = std::make_shared<RestoreArgs>();
  CLI::App* restore = app.add_subcommand(
      "restore",
      "replace the database with a backup; storeagentd must be stopped. "
      "Refused when the backup is damaged, belongs to another store, or "
      "ends before central's watermark (unless --force); the old database "
      "is kept as agent.db.before-restore-<time>");
  restore->add_option("FILE", r->file, "the backup")->required();
  restore->add_option("--db", t.db, "database file (default: from --config)");
  restore->add_flag("--force", r->force,
                    "restore even if the backup ends before central's "
                    "watermark");
  restore
      ->add_option("--central-watermark", r->central_watermark,
                   "central's last acknowledged store seq, if known "
                   "(when the live database is lost or older)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
  restore->callback([&, r] { action = [&, r] { return Restore(t, *r); }; });
}

}  // namespace storeagent::ctl
