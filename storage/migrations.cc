#include "storage/migrations.h"

#include <array>
#include <string>

#include "storage/sqlite_handle.h"

namespace storeagent::storage {
namespace {

// Step N brings the schema from version N-1 to N. Append only; never edit a
// step that has shipped.
constexpr std::array<const char*, 2> kSteps = {
    // 1: the journal of store events and the store's identity.
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per store event, seq 1, 2, 3 ... without gaps.
-- record: the canonical bytes (deterministic protobuf JournalRecord);
-- hash = SHA-256(prev_hash || record).
CREATE TABLE journal (
  seq             INTEGER PRIMARY KEY,
  terminal_id     TEXT    NOT NULL,
  client_txn_id   TEXT    NOT NULL,
  kind            TEXT    NOT NULL,
  recorded_at_us  INTEGER NOT NULL,
  content_digest  BLOB    NOT NULL,
  record          BLOB    NOT NULL,
  prev_hash       BLOB    NOT NULL,
  hash            BLOB    NOT NULL,
  UNIQUE (terminal_id, client_txn_id)
);
)sql",
    // 2: the chain's anchor, where verification starts. (0, zeros) until
    // events are pruned; then the seq and hash of the last pruned event.
    R"sql(
CREATE TABLE journal_anchor (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  seq   INTEGER NOT NULL,
  hash  BLOB    NOT NULL
);
INSERT INTO journal_anchor (id, seq, hash) VALUES (1, 0, zeroblob(32));
)sql",
};

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kSteps.size()); }

Result<int> SchemaVersion(sqlite3* db) {
  Result<Statement> stmt = Statement::Prepare(db, "PRAGMA user_version");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(stmt->ColumnInt(0));
}

Status Migrate(sqlite3* db, int target) {
  if (target < 0) target = LatestSchemaVersion();
  Result<int> current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current > target) {
    return FailedPrecondition(
        "database schema version " + std::to_string(*current) +
        " is newer than this build supports (" + std::to_string(target) +
        "); upgrade storeagentd");
  }
  for (int v = *current + 1; v <= target; ++v) {
    std::string sql = std::string("BEGIN IMMEDIATE;") + kSteps[v - 1] +
                      "PRAGMA user_version=" + std::to_string(v) + ";COMMIT;";
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string what = "migration to schema version " + std::to_string(v) +
                         (err != nullptr ? std::string(": ") + err : "");
      sqlite3_free(err);
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return SqliteStatus(db, rc, what);
    }
  }
  return Status::Ok();
}

}  // namespace storeagent::storage
