#include "storage/migrations.h"

#include <array>
#include <string>

#include "storage/sqlite_handle.h"

namespace storeagent::storage {
namespace {

// Step N brings the schema from version N-1 to N. Append only; never edit a
// step that has shipped.
constexpr std::array<const char*, 9> kSteps = {
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
    // 3: the catalog, the materialised stock figures and the holds.
    R"sql(
CREATE TABLE catalog (
  sku           TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  name_fold     TEXT    NOT NULL,  -- lower-case name, for prefix search
  department    TEXT    NOT NULL,
  price_minor   INTEGER NOT NULL,
  currency      TEXT    NOT NULL,
  safety_stock  INTEGER NOT NULL,
  unit          TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX catalog_by_name ON catalog (name_fold);
CREATE TABLE catalog_gtin (
  gtin  TEXT PRIMARY KEY,
  sku   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX catalog_gtin_by_sku ON catalog_gtin (sku);

-- Materialised from the journal by core::StockEffectsOf, in the same
-- transaction as each event; `storeagentctl stock rebuild --verify`
-- recomputes it from the journal.
CREATE TABLE stock (
  sku                TEXT    PRIMARY KEY,
  on_hand            INTEGER NOT NULL DEFAULT 0,
  held               INTEGER NOT NULL DEFAULT 0,
  unavailable        INTEGER NOT NULL DEFAULT 0,
  count_qty          INTEGER,
  count_store_seq    INTEGER NOT NULL DEFAULT 0,
  count_central_seq  INTEGER NOT NULL DEFAULT 0,
  updated_seq        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE holds (
  order_ref      TEXT    PRIMARY KEY,
  state          INTEGER NOT NULL,
  expires_at_us  INTEGER NOT NULL,
  hold           BLOB    NOT NULL   -- storeagent.v1.Hold
) WITHOUT ROWID;
CREATE INDEX holds_by_state ON holds (state, expires_at_us);

-- Transactions already post-voided, so a second void cannot reverse the
-- same sale twice.
CREATE TABLE voided (
  terminal_id    TEXT    NOT NULL,
  client_txn_id  TEXT    NOT NULL,
  void_seq       INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, client_txn_id)
) WITHOUT ROWID;
)sql",
    // 4: sync. The inbox of central events applied (central_seq 1, 2, 3 ...
    // without gaps, the watermark in meta 'central_seq') and the escrow the
    // store granted central, kept from the journal's EscrowChanged events.
    // meta 'central_acked_seq': highest store seq central acknowledged;
    // meta 'sync_confirmed': central answered a Hello at least once.
    R"sql(
CREATE TABLE inbox (
  central_seq    INTEGER PRIMARY KEY,
  kind           TEXT    NOT NULL,
  created_at_us  INTEGER NOT NULL,
  event          BLOB    NOT NULL,  -- storeagent.v1.CentralEvent
  applied_at_us  INTEGER NOT NULL
);
CREATE TABLE escrow (
  sku       TEXT    PRIMARY KEY,
  quantity  INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 5: the day's close (docs/pos-api.md, "X and Z reports"). Each till
    // transaction's business day (the POS's business_day field, or the
    // local date it was recorded on), indexed so a day's events are found
    // without scanning the journal; NULL for other events. closed_days: the
    // terminals whose day is closed, terminal_id '*' for a whole-store
    // close, kept in the same transaction as the close's append (and on
    // re-seed); meta 'day_index' = '1' once rows journaled before this
    // version have their day (storage/day_close_store.h).
    R"sql(
ALTER TABLE journal ADD COLUMN business_day TEXT;
CREATE INDEX journal_by_day ON journal (business_day)
  WHERE business_day IS NOT NULL;
CREATE TABLE closed_days (
  business_day  TEXT    NOT NULL,
  terminal_id   TEXT    NOT NULL,
  close_seq     INTEGER NOT NULL,
  PRIMARY KEY (business_day, terminal_id)
) WITHOUT ROWID;
)sql",
    // 6: the units the returns naming a sale of this journal (by client
    // key) took back, per SKU and unit (storage/return_limits.h), kept in
    // the same transaction as each return's and post-void's append (and on
    // re-seed); meta 'returned_index' = '1' once returns journaled before
    // this version are counted.
    R"sql(
CREATE TABLE returned_units (
  terminal_id    TEXT    NOT NULL,
  client_txn_id  TEXT    NOT NULL,
  sku            TEXT    NOT NULL,
  unit           INTEGER NOT NULL,
  quantity       INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, client_txn_id, sku, unit)
) WITHOUT ROWID;
)sql",
    // 7: head office's price book: the latest version held of each price
    // list ('list') and promotion ('promotion'), as central sent it
    // (storage/price_store.h). meta keys price_book_central_seq,
    // price_book_applied_at_us and store_region go with it.
    R"sql(
CREATE TABLE price_book (
  kind           TEXT    NOT NULL,
  id             TEXT    NOT NULL,
  version        INTEGER NOT NULL,
  body           BLOB    NOT NULL,
  central_seq    INTEGER NOT NULL,
  applied_at_us  INTEGER NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
)sql",
    // 8: who owns each product (storage/catalog_store.h): 'central' (pushed
    // by head office) or 'local' (the store's own import). Products of an
    // older database count as the store's until head office pushes them.
    R"sql(
ALTER TABLE catalog ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
)sql",
    // 9: the store's perpetual grand totals and its last signed checkpoint
    // (storage/checkpoint_keeper.h), kept in the transaction of each event.
    // counted_seq: the last journal seq the totals have seen (an older
    // database's journal is counted on its first open).
    R"sql(
CREATE TABLE grand_totals (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  counted_seq        INTEGER NOT NULL,
  totals             BLOB    NOT NULL,
  checkpoint_seq     INTEGER NOT NULL,
  checkpoint_at_us   INTEGER NOT NULL
);
INSERT INTO grand_totals VALUES (1, 0, x'', 0, 0);
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
