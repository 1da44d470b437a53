#include "storage/online_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <thread>

#include "platform/fs.h"
#include "storage/journal_prune.h"
#include "storage/journal_store.h"
#include "storage/journal_verify.h"
#include "storage/sqlite_handle.h"

namespace storeagent::storage {
namespace {

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<DatabaseFacts> FactsOf(sqlite3* db, const std::string& path) {
  DatabaseFacts f;
  Result<Statement> s =
      Statement::Prepare(db, "SELECT value FROM meta WHERE key = 'store_id'");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (*row) f.store_id = std::string(s->ColumnText(0));
  Result<JournalHead> anchor = JournalStore::ReadAnchor(db);
  if (!anchor.ok()) return anchor.status();
  f.anchor_seq = anchor->seq;
  Result<JournalHead> head = JournalStore::ReadHead(db);
  if (!head.ok()) return head.status();
  f.head_seq = head->seq;
  Result<uint64_t> acked = ReadCentralAckedSeq(db);
  if (!acked.ok()) return acked.status();
  f.central_acked_seq = *acked;
  f.bytes = FileBytes(path) + FileBytes(path + "-wal");
  return f;
}

Result<Connection> OpenReadOnly(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return NotFound(path + ": no such database file");
  }
  ConnectionOptions o;
  o.read_only = true;
  return Connection::Open(path, o);
}

Status IntegrityCheck(sqlite3* db, const std::string& path) {
  Result<Statement> s = Statement::Prepare(db, "PRAGMA integrity_check");
  if (!s.ok()) return s.status();
  std::string problems;
  for (int i = 0; i < 10; ++i) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string line(s->ColumnText(0));
    if (line == "ok") return Status::Ok();
    problems += (problems.empty() ? "" : "; ") + line;
  }
  return DataLoss(path + ": integrity_check: " + problems);
}

constexpr int64_t kMaxPauseMicros = 1'000'000;

// Waits until the pages written to `fd` so far are on the disk, without a
// file-system journal commit; a no-op for fd -1 or where unsupported.
void WriteOut(int fd) {
  if (fd < 0) return;
  ::sync_file_range(fd, 0, 0,
                    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                        SYNC_FILE_RANGE_WAIT_AFTER);
}

// Copies `src` (inside its open read transaction) into the empty `dest`,
// writing each step's pages out through `dest_fd` (the same file) before
// the pause, so the copy reaches the disk in step-sized pieces rather than
// as one large flush at the end that the agent's WAL fsyncs would queue
// behind (ext4 orders a file's pending data before any journal commit).
Status CopyPages(sqlite3* src, sqlite3* dest, int dest_fd,
                 const BackupOptions& options, BackupReport& report) {
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", src, "main");
  if (b == nullptr) return SqliteStatus(dest, sqlite3_errcode(dest), "backup");
  int rc = SQLITE_OK;
  const int per_step = options.pages_per_step > 0 ? options.pages_per_step : 1;
  // A busy or locked step is retried after the pause, kMaxBusySteps times
  // in a row at most. The pause after a step that took T is
  // max(pause_micros, T x (100 - duty) / duty), at most kMaxPauseMicros.
  constexpr int kMaxBusySteps = 1000;
  int busy = 0;
  const int duty = std::clamp(options.duty_percent, 1, 100);
  auto now = [&options] {
    return options.clock != nullptr ? options.clock->MonotonicMicros() : 0;
  };
  for (;;) {
    const int64_t started = now();
    rc = sqlite3_backup_step(b, per_step);
    ++report.steps;
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (++busy > kMaxBusySteps) break;
    } else if (rc != SQLITE_OK) {
      break;
    } else {
      busy = 0;
      WriteOut(dest_fd);
    }
    const int64_t took = now() - started;
    const int64_t pause =
        std::min(std::max(options.pause_micros, took * (100 - duty) / duty),
                 kMaxPauseMicros);
    report.paused_micros += pause;
    if (options.pause) options.pause(pause);
  }
  report.pages = static_cast<uint64_t>(sqlite3_backup_pagecount(b));
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return SqliteStatus(dest, rc, "backup step");
  return Status::Ok();
}

}  // namespace

Result<DatabaseFacts> ReadDatabaseFacts(const std::string& path) {
  Result<Connection> conn = OpenReadOnly(path);
  if (!conn.ok()) return conn.status();
  return FactsOf(conn->get(), path);
}

Result<DatabaseFacts> CheckDatabaseFile(const std::string& path) {
  Result<Connection> conn = OpenReadOnly(path);
  if (!conn.ok()) return conn.status();
  STOREAGENT_RETURN_IF_ERROR(IntegrityCheck(conn->get(), path));
  Result<VerifyReport> chain = VerifyJournal(conn->get());
  if (!chain.ok()) return chain.status();
  if (!chain->problem.ok()) {
    return DataLoss(path + ": journal verify: broken at seq " +
                    std::to_string(chain->first_bad_seq) + ": " +
                    chain->problem.message());
  }
  return FactsOf(conn->get(), path);
}

namespace {

// Lowers the calling thread's CPU priority to nice 19 (Linux: per thread).
// Its I/O priority is left alone on purpose: the agent's WAL fsyncs wait on
// a file-system journal commit that may carry this thread's writes, and
// measured, an idle/low I/O class for the copy made sales slower, not
// faster (docs/operations.md).
bool LowerThisThreadsPriority() {
  return ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19) == 0;
}

Result<BackupReport> Backup(const std::string& source, const std::string& dest,
                            const BackupOptions& options) {
  Result<Connection> src = OpenReadOnly(source);
  if (!src.ok()) return src.status();
  const std::string tmp = dest + ".tmp";
  ::unlink(tmp.c_str());
  ::unlink((tmp + "-journal").c_str());
  BackupReport report;
  {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(
        tmp.c_str(), &raw,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
        nullptr);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> out(raw, sqlite3_close_v2);
    if (rc != SQLITE_OK) {
      return FailedPrecondition(tmp + ": cannot create (" +
                                std::string(sqlite3_errstr(rc)) + ")");
    }
    // DEST.tmp needs no rollback journal and no fsync of its own until it
    // is complete (it is fsynced and checked before the rename, and a torn
    // one is never renamed); a small cache makes each step's pages spill
    // to the file, where WriteOut flushes them.
    const int per_step =
        options.pages_per_step > 0 ? options.pages_per_step : 1;
    rc = sqlite3_exec(out.get(),
                      ("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                       "PRAGMA cache_size=" +
                       std::to_string(per_step) + ";")
                          .c_str(),
                      nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(out.get(), rc, "backup pragmas");
    const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    // One read transaction around the whole copy: every step reads the same
    // snapshot, so the writer's commits neither restart nor tear it.
    STOREAGENT_RETURN_IF_ERROR(src->Exec("BEGIN"));
    Status snap = src->Exec("SELECT count(*) FROM journal_anchor");
    Status copied = snap.ok()
                        ? CopyPages(src->get(), out.get(), fd, options, report)
                        : snap;
    src->Exec("COMMIT").IgnoreError();
    if (fd >= 0) ::close(fd);
    if (!copied.ok()) {
      out.reset();
      ::unlink(tmp.c_str());
      return copied;
    }
  }
  Status synced = fs::FsyncFile(tmp);
  if (!synced.ok()) {
    ::unlink(tmp.c_str());
    return synced;
  }
  Result<DatabaseFacts> facts = CheckDatabaseFile(tmp);
  if (!facts.ok()) {
    ::unlink(tmp.c_str());
    return DataLoss("backup copy failed its check, not kept: " +
                    facts.status().message());
  }
  // A read-only check leaves at most an empty shared-memory index behind.
  if (FileBytes(tmp + "-wal") == 0) {
    ::unlink((tmp + "-wal").c_str());
    ::unlink((tmp + "-shm").c_str());
  }
  facts->bytes = FileBytes(tmp);
  if (std::rename(tmp.c_str(), dest.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fs::ErrnoStatus(errno, "rename", tmp + " -> " + dest);
  }
  STOREAGENT_RETURN_IF_ERROR(fs::FsyncDirectory(DirOf(dest)));
  report.facts = std::move(facts).value();
  return report;
}

}  // namespace

Result<BackupReport> BackupDatabase(const std::string& source,
                                    const std::string& dest,
                                    const BackupOptions& options) {
  if (!options.low_priority) return Backup(source, dest, options);
  // A thread of its own, so the caller's priority is left as it was (an
  // unprivileged thread cannot raise it back).
  Result<BackupReport> out = Internal("backup thread did not run");
  std::thread worker([&] {
    const bool lowered = LowerThisThreadsPriority();
    out = Backup(source, dest, options);
    if (out.ok()) out->ran_low_priority = lowered;
  });
  worker.join();
  return out;
}

}  // namespace storeagent::storage
