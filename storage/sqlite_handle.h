// RAII wrappers over SQLite connections and statements, and the mapping from
// SQLite result codes to Status.
//
// A Connection is used by one thread at a time. Statements borrow their
// connection and must not outlive it.
#ifndef STOREAGENT_STORAGE_SQLITE_HANDLE_H_
#define STOREAGENT_STORAGE_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::storage {

// Maps a SQLite result code to a Status whose message starts with `what`:
// SQLITE_FULL -> RESOURCE_EXHAUSTED (disk full, retry once space returns),
// SQLITE_BUSY/LOCKED/IOERR -> UNAVAILABLE, SQLITE_CORRUPT/NOTADB -> DATA_LOSS,
// SQLITE_CONSTRAINT -> ALREADY_EXISTS, anything else -> INTERNAL.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

struct ConnectionOptions {
  bool read_only = false;
  // Name of a registered SQLite VFS; empty means the default.
  std::string vfs;
  // Page cache per connection, KiB.
  int cache_kib = 2048;
  // synchronous=NORMAL instead of FULL: a commit may return before the WAL
  // is on disk. Never set by the product: only the power-loss sweep's test
  // of itself (tests/simulation/powerloss.h) sets it, to show the sweep
  // sees the loss.
  bool synchronous_normal = false;
};

class Connection {
 public:
  Connection() = default;
  // Opens `path` and applies the durability settings: WAL journal,
  // synchronous=FULL (see synchronous_normal), foreign keys on, a busy timeout.
  // Creates the file when not read-only.
  static Result<Connection> Open(const std::string& path,
                                 const ConnectionOptions& options);

  sqlite3* get() const { return db_.get(); }
  explicit operator bool() const { return db_ != nullptr; }

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
};

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement() = default;
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql);

  void BindInt(int i, int64_t v);
  void BindText(int i, std::string_view v);
  void BindBlob(int i, std::string_view v);
  void BindNull(int i);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps a statement that returns no rows to completion.
  Status Run();
  // Clears bindings and rewinds, for reuse.
  void Reset();

  int64_t ColumnInt(int i) const;
  std::string_view ColumnText(int i) const;
  std::string_view ColumnBlob(int i) const;
  bool ColumnIsNull(int i) const;

  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_SQLITE_HANDLE_H_
