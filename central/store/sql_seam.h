// The narrow SQL seam under CentralStore: what central's rules
// (sql_central_store.cc) need from a SQL engine, implemented once per engine
// by a small adapter (sqlite_central_store.cc, pg_central_store.cc).
//
// Statements are written once with SQLite's numbered placeholders (?1, ?2
// ...); the PostgreSQL adapter turns them into $1, $2. What the dialects
// cannot share sits behind an adapter method of its own: the store's row
// lock, a batch's events, a drift row's id. No seam method throws: an
// engine's failure is a Status (docs/central.md, "Errors").
#ifndef STOREAGENT_CENTRAL_STORE_SQL_SEAM_H_
#define STOREAGENT_CENTRAL_STORE_SQL_SEAM_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "central/store/central_store.h"
#include "central/store/ingest_plan.h"
#include "platform/status.h"

namespace storeagent::central {

// A counter or sequence number as SQL's signed 64-bit integer (both engines
// store INTEGER / BIGINT; every value we bind is below 2^63).
inline int64_t SqlInt(uint64_t v) { return static_cast<int64_t>(v); }
// And back: a column SqlInt wrote, read as the unsigned value it was.
inline uint64_t SqlUint(int64_t v) { return static_cast<uint64_t>(v); }

// A BLOB / BYTEA parameter (a plain string_view is TEXT).
struct SqlBlob {
  std::string_view bytes;
};
// One statement parameter: NULL, an integer, text or bytes. Borrowed: the
// values must outlive the call.
using SqlParam =
    std::variant<std::nullptr_t, int64_t, std::string_view, SqlBlob>;
using SqlParams = std::initializer_list<SqlParam>;

// Rows for one INSERT: `head` is "INSERT INTO t (a, b, c)", `tail` what
// follows the rows ("ON CONFLICT ..."); `types` has one letter per column,
// 't' (text) or 'i' (integer); `flat` holds the rows' values, row after row
// (a multiple of types.size(), NULL not allowed). Borrowed values, as for
// SqlParam.
struct SqlRows {
  std::string_view head;
  std::string_view tail;
  std::string_view types;
  std::vector<SqlParam> flat;
};

// One query run for many keys (a batch's lookups, kpi_index.cc): `sql`
// selects the rows of one key, ?1 .. ?k standing for the key's columns
// (`types`, one letter per column as in SqlRows; 1 <= k <= 9); it returns
// `width` columns, integers or text, never NULL. `flat` holds the keys, key
// after key (borrowed, as for SqlParam). `lock`: kUpdate, the rows found
// are the transaction's to change (PostgreSQL: FOR UPDATE, so a concurrent
// transaction's change is waited for and read, never overwritten); kShare,
// they may not change until it ends (FOR SHARE). SQLite's BEGIN IMMEDIATE
// holds the only write lock already.
enum class SqlLock { kNone, kUpdate, kShare };
struct SqlLookup {
  std::string_view sql;
  std::string_view types;
  int width = 0;
  std::vector<SqlParam> flat;
  SqlLock lock = SqlLock::kNone;
};

// One row of a query's result, typed by the caller. Column indexes start
// at 0.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual int64_t Int(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  virtual std::string Blob(int col) const = 0;
};
// Called for each row in order; an error stops the query and is returned.
using SqlRowFn = std::function<Status(const SqlRow&)>;
// Called for each row a QueryLookups found: `lookup` is the SqlLookup's
// index in the call's vector, `key` the key's (0: its first key); the row's
// columns are the lookup's. An error stops the call and is returned.
using SqlLookupFn =
    std::function<Status(size_t lookup, size_t key, const SqlRow&)>;

// One open transaction.
class SqlTx {
 public:
  virtual ~SqlTx() = default;
  // A statement that returns no rows.
  virtual Status Exec(std::string_view sql, SqlParams params) = 0;
  // A statement that returns rows, each passed to `each`.
  virtual Status Query(std::string_view sql, SqlParams params,
                       const SqlRowFn& each) = 0;
  // The same for a statement run over and over (a change feed page): on
  // PostgreSQL prepared once per connection, so it is parsed and planned
  // once; elsewhere Query. `sql` must be one of a few fixed texts.
  virtual Status QueryPrepared(const std::string& sql, SqlParams params,
                               const SqlRowFn& each) {
    return Query(sql, params, each);
  }
  // The store's row (kStoreColumns), locked until the transaction ends:
  // PostgreSQL's SELECT .. FOR UPDATE (prepared once per connection);
  // SQLite's BEGIN IMMEDIATE holds the only write lock already. No row
  // (the store is new): `each` is not called.
  virtual Status LockStoreRow(const std::string& store_id,
                              const SqlRowFn& each) = 0;
  // Appends the plan's entries to store_events (ingested_at_us = now_us)
  // and moves the store's watermark to plan.head, adding `quarantined` and
  // `breaches` to its counters and stamping last_exchange_us = now_us.
  // SQLite: one cached INSERT per entry and an UPDATE; PostgreSQL: one
  // prepared statement for the whole batch (unnest .. WITH ORDINALITY).
  // With `pending_returns` (KPIs on), also sets it to whether any pending
  // KPI return (kpi_returns, resolved = 0) names the store, as the database
  // holds after the store's row was locked (PostgreSQL: in the same
  // statement, so no round trip more): when none does, the KPI side skips
  // reading them (docs/kpis.md, "How they are kept").
  virtual Status WriteIngest(const std::string& store_id,
                             const IngestPlan& plan, int64_t now_us,
                             int64_t quarantined, int64_t breaches,
                             bool* pending_returns) = 0;
  // Writes each SqlRows (a batch's KPI rows, sql_seam.h) in as few round
  // trips as the engine allows: SQLite runs each one-row statement, cached,
  // once per row; PostgreSQL sends every column as one array parameter
  // (INSERT .. SELECT FROM unnest(..)), all of them in one statement (one
  // data-modifying WITH per SqlRows), prepared once per connection and
  // shape. No two rows of one statement may hit
  // the same key of a DO UPDATE (PostgreSQL refuses it): callers merge them
  // first.
  virtual Status ExecRows(const std::vector<SqlRows>& all) = 0;
  // Runs every lookup for each of its keys and calls `each` for every row
  // found (rows of one key in the query's order; keys and lookups in no
  // particular order). SQLite runs the cached one-key statement per key;
  // PostgreSQL runs them all as one statement, prepared once per
  // connection and shape: each lookup a LATERAL join of its query over its
  // keys' column arrays, UNION ALL, one round trip.
  virtual Status QueryLookups(const std::vector<SqlLookup>& all,
                              const SqlLookupFn& each) = 0;
  // Inserts one drift row with the store's next drift_id (SQLite: MAX + 1;
  // PostgreSQL: the IDENTITY column).
  virtual Status InsertDrift(const v1::Drift& drift) = 0;
};

using SqlTxBody = std::function<Status(SqlTx&)>;

// An engine: runs bodies in transactions.
class SqlEngine {
 public:
  virtual ~SqlEngine() = default;
  // Runs `body` in one transaction and commits when it returns OK, else
  // rolls back. `what` names the method in an engine's error messages. The
  // body may run more than once (PostgreSQL retries a transaction it
  // aborted): it must set its outputs afresh on every call.
  virtual Status InTransaction(const std::string& what,
                               const SqlTxBody& body) = 0;
  virtual PoolFigures pool_figures() const { return {}; }
};

// Runs attempt(engine_aborted) until it succeeds, fails for another reason,
// or has run max_attempts times. An attempt is tried again only when it
// returns ABORTED and has set engine_aborted (the engine aborted the
// transaction: a serialization failure or a deadlock); an ABORTED of
// central's own (a stale expected head) is final.
Status RetryOnAborted(
    int max_attempts,
    const std::function<Status(bool& engine_aborted)>& attempt);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_SQL_SEAM_H_
