#include "storage/online_backup.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "platform/clock.h"
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

// Copies `src` (inside its open read transaction) into the empty `dest`.
Status CopyPages(sqlite3* src, sqlite3* dest, const BackupOptions& options,
                 BackupReport& report) {
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", src, "main");
  if (b == nullptr) return SqliteStatus(dest, sqlite3_errcode(dest), "backup");
  int rc = SQLITE_OK;
  const int per_step = options.pages_per_step > 0 ? options.pages_per_step : 1;
  // A busy or locked step is retried after the pause, kMaxBusySteps times
  // in a row at most.
  constexpr int kMaxBusySteps = 1000;
  int busy = 0;
  for (;;) {
    rc = sqlite3_backup_step(b, per_step);
    ++report.steps;
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (++busy > kMaxBusySteps) break;
    } else if (rc != SQLITE_OK) {
      break;
    } else {
      busy = 0;
    }
    if (options.pause) {
      options.pause(options.pause_micros);
    } else {
      SleepMicros(options.pause_micros);
    }
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

Result<BackupReport> BackupDatabase(const std::string& source,
                                    const std::string& dest,
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
    // One read transaction around the whole copy: every step reads the same
    // snapshot, so the writer's commits neither restart nor tear it.
    STOREAGENT_RETURN_IF_ERROR(src->Exec("BEGIN"));
    Status snap = src->Exec("SELECT count(*) FROM journal_anchor");
    Status copied =
        snap.ok() ? CopyPages(src->get(), out.get(), options, report) : snap;
    src->Exec("COMMIT").IgnoreError();
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

}  // namespace storeagent::storage
