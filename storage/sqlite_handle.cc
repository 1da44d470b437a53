#include "storage/sqlite_handle.h"

#include "storage/keep_map_vfs.h"

namespace storeagent::storage {

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::Ok();
    case SQLITE_FULL:
      return ResourceExhausted(msg + " (disk full)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(msg);
    case SQLITE_CONSTRAINT:
      return AlreadyExists(msg);
    default:
      return Internal(msg);
  }
}

Result<Connection> Connection::Open(const std::string& path,
                                    const ConnectionOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= options.read_only ? SQLITE_OPEN_READONLY
                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const char* vfs = options.vfs.empty() ? nullptr : options.vfs.c_str();
  if (vfs == nullptr && options.read_only) {
    // A reader keeps its map of the file across other connections' commits
    // (storage/keep_map_vfs.h).
    STOREAGENT_RETURN_IF_ERROR(RegisterKeepMapVfs());
    vfs = kKeepMapVfsName;
  }
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  Connection conn;
  conn.db_.reset(raw);
  if (rc != SQLITE_OK) {
    return SqliteStatus(raw, rc, "open " + path);
  }
  std::string pragmas =
      "PRAGMA busy_timeout=5000;"
      "PRAGMA foreign_keys=ON;"
      "PRAGMA cache_size=-" +
      std::to_string(options.cache_kib) + ";";
  if (options.read_only) {
    // Readers map the file instead of copying pages through a small cache:
    // availability lookups touch random pages of a large catalog.
    pragmas += "PRAGMA mmap_size=268435456;";
  } else {
    // WAL with a full fsync of the log at every commit: a commit that
    // returned is on disk. Checkpoints are the writer's alone.
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += options.synchronous_normal ? "PRAGMA synchronous=NORMAL;"
                                          : "PRAGMA synchronous=FULL;";
  }
  STOREAGENT_RETURN_IF_ERROR(conn.Exec(pragmas));
  return conn;
}

Status Connection::Exec(std::string_view sql) const {
  char* err = nullptr;
  int rc =
      sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string what = err != nullptr ? err : "exec";
    sqlite3_free(err);
    return SqliteStatus(db_.get(), rc, what);
  }
  return Status::Ok();
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteStatus(db, rc, "prepare");
  }
  Statement s;
  s.stmt_.reset(raw);
  return s;
}

void Statement::BindInt(int i, int64_t v) {
  sqlite3_bind_int64(stmt_.get(), i, v);
}
void Statement::BindText(int i, std::string_view v) {
  sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()),
                    SQLITE_TRANSIENT);
}
void Statement::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob(stmt_.get(), i, v.data(), static_cast<int>(v.size()),
                    SQLITE_TRANSIENT);
}
void Statement::BindNull(int i) { sqlite3_bind_null(stmt_.get(), i); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(sqlite3_db_handle(stmt_.get()), rc, "step");
}

Status Statement::Run() {
  Result<bool> r = Step();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::ColumnInt(int i) const {
  return sqlite3_column_int64(stmt_.get(), i);
}
std::string_view Statement::ColumnText(int i) const {
  const auto* p =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), i));
  return p == nullptr
             ? std::string_view()
             : std::string_view(p, sqlite3_column_bytes(stmt_.get(), i));
}
std::string_view Statement::ColumnBlob(int i) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), i));
  return p == nullptr
             ? std::string_view()
             : std::string_view(p, sqlite3_column_bytes(stmt_.get(), i));
}
bool Statement::ColumnIsNull(int i) const {
  return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL;
}

}  // namespace storeagent::storage
