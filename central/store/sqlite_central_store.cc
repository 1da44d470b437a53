#include "central/store/sqlite_central_store.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <utility>

#include "central/store/central_schema.h"
#include "central/store/sql_central_store.h"
#include "storage/sqlite_handle.h"
#include "storage/writer.h"

namespace storeagent::central {
namespace {

using storage::Statement;

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(const Statement& s) : s_(s) {}
  int64_t Int(int col) const override { return s_.ColumnInt(col); }
  std::string Text(int col) const override {
    return std::string(s_.ColumnText(col));
  }
  std::string Blob(int col) const override {
    return std::string(s_.ColumnBlob(col));
  }

 private:
  const Statement& s_;
};

class SqliteTx final : public SqlTx {
 public:
  explicit SqliteTx(storage::DbContext& db) : db_(db) {}

  Status Exec(std::string_view sql, SqlParams params) override {
    Result<Statement*> s = Bound(sql, params);
    if (!s.ok()) return s.status();
    return (*s)->Run();
  }

  Status Query(std::string_view sql, SqlParams params,
               const SqlRowFn& each) override {
    Result<Statement*> s = Bound(sql, params);
    if (!s.ok()) return s.status();
    for (;;) {
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      STOREAGENT_RETURN_IF_ERROR(each(SqliteRow(**s)));
    }
  }

  // BEGIN IMMEDIATE took the database's only write lock: a plain SELECT.
  Status LockStoreRow(const std::string& store_id,
                      const SqlRowFn& each) override {
    return Query(kLockStore, {store_id}, each);
  }

  // One cached INSERT per entry (a local call each), then the watermark.
  Status WriteIngest(const std::string& store_id, const IngestPlan& plan,
                     int64_t now_us, int64_t quarantined, int64_t breaches,
                     bool* pending_returns) override {
    for (const PlannedEntry& p : plan.entries) {
      const SqlParam reason =
          p.quarantine_reason.empty()
              ? SqlParam(nullptr)
              : SqlParam(std::string_view(p.quarantine_reason));
      STOREAGENT_RETURN_IF_ERROR(
          Exec("INSERT INTO store_events (store_id, seq, recorded_at_us, "
               "kind, record, prev_hash, hash, quarantined, ingested_at_us) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
               {store_id, SqlInt(p.seq), p.recorded_at_us, p.kind,
                SqlBlob{p.canonical}, SqlBlob{p.prev_hash}, SqlBlob{p.hash},
                reason, now_us}));
    }
    STOREAGENT_RETURN_IF_ERROR(
        Exec("UPDATE stores SET store_seq_held=?2, store_hash_held=?3, "
             "store_recorded_at_us=?4, quarantined=quarantined+?5, "
             "escrow_breaches=escrow_breaches+?6, last_exchange_us=?7 "
             "WHERE store_id=?1",
             {store_id, SqlInt(plan.head.seq), SqlBlob{plan.head.hash},
              plan.head.recorded_at_us, quarantined, breaches, now_us}));
    if (pending_returns == nullptr) return Status::Ok();
    *pending_returns = false;
    return Query(
        "SELECT EXISTS (SELECT 1 FROM kpi_returns WHERE orig_store=?1 AND "
        "resolved=0)",
        {store_id}, [&](const SqlRow& r) {
          *pending_returns = r.Int(0) != 0;
          return Status::Ok();
        });
  }

  Status ExecRows(const std::vector<SqlRows>& all) override {
    for (const SqlRows& rows : all) {
      const size_t width = rows.types.size();
      if (width == 0 || rows.flat.size() % width != 0) {
        return Internal("ExecRows: parameters are not whole rows");
      }
      std::string sql(rows.head);
      sql += " VALUES (";
      for (size_t i = 1; i <= width; ++i) {
        sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
      }
      sql += ") ";
      sql += rows.tail;
      for (size_t at = 0; at < rows.flat.size(); at += width) {
        Result<Statement*> s = db_.Prepare(sql);
        if (!s.ok()) return s.status();
        for (size_t i = 0; i < width; ++i) {
          Bind(**s, static_cast<int>(i + 1), rows.flat[at + i]);
        }
        STOREAGENT_RETURN_IF_ERROR((*s)->Run());
      }
    }
    return Status::Ok();
  }

  // The cached one-key statement, run once per key (a local call each).
  Status QueryLookups(const std::vector<SqlLookup>& all,
                      const SqlLookupFn& each) override {
    for (size_t q = 0; q < all.size(); ++q) {
      const SqlLookup& l = all[q];
      const size_t width = l.types.size();
      if (width == 0 || l.flat.size() % width != 0) {
        return Internal("QueryLookups: parameters are not whole keys");
      }
      const std::string sql(l.sql);
      for (size_t at = 0; at < l.flat.size(); at += width) {
        Result<Statement*> s = db_.Prepare(sql);
        if (!s.ok()) return s.status();
        for (size_t i = 0; i < width; ++i) {
          Bind(**s, static_cast<int>(i + 1), l.flat[at + i]);
        }
        for (;;) {
          Result<bool> row = (*s)->Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          STOREAGENT_RETURN_IF_ERROR(each(q, at / width, SqliteRow(**s)));
        }
      }
    }
    return Status::Ok();
  }

  // drift_id is the store's largest plus one.
  Status InsertDrift(const v1::Drift& d) override {
    return Exec(
        "INSERT INTO drift (store_id, drift_id, sku, found_at_us, drift) "
        "VALUES (?1, (SELECT COALESCE(MAX(drift_id), 0) + 1 FROM drift "
        "WHERE store_id=?1), ?2, ?3, ?4)",
        {d.store_id(), d.sku(), d.found_at_us(),
         SqlBlob{d.SerializeAsString()}});
  }

 private:
  inline static const std::string kLockStore =
      "SELECT " + std::string(kStoreColumns) +
      " FROM stores WHERE store_id = ?1";

  // A statement from the connection's cache (parsed once), with `params`
  // bound to ?1, ?2 ...
  Result<Statement*> Bound(std::string_view sql, SqlParams params) {
    Result<Statement*> s = db_.Prepare(std::string(sql));
    if (!s.ok()) return s.status();
    int i = 1;
    for (const SqlParam& p : params) Bind(**s, i++, p);
    return s;
  }

  static void Bind(Statement& s, int i, const SqlParam& p) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            s.BindNull(i);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            s.BindInt(i, v);
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            s.BindText(i, v);
          } else {
            s.BindBlob(i, v.bytes);
          }
        },
        p);
  }

  storage::DbContext& db_;
};

class SqliteEngine final : public SqlEngine {
 public:
  explicit SqliteEngine(storage::Connection conn)
      : conn_(std::move(conn)), ctx_(conn_.get()) {}

  // BEGIN IMMEDIATE .. COMMIT under the mutex; rolled back when the body
  // (or the commit) fails. One attempt: nothing aborts a transaction that
  // holds SQLite's write lock.
  Status InTransaction(const std::string& /*what*/,
                       const SqlTxBody& body) override {
    std::lock_guard<std::mutex> lock(mu_);
    STOREAGENT_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
    SqliteTx tx(ctx_);
    Status st = body(tx);
    // No cached statement may keep the read snapshot past the transaction.
    ctx_.ResetBusyStatements();
    if (st.ok()) st = conn_.Exec("COMMIT");
    if (!st.ok()) conn_.Exec("ROLLBACK").IgnoreError();
    return st;
  }

  // Creates or migrates the schema, one step per transaction.
  Status Migrate(const std::string& path) {
    STOREAGENT_RETURN_IF_ERROR(conn_.Exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT "
        "NULL)"));
    for (;;) {
      int version = 0;
      Status st = InTransaction("migrate", [&](SqlTx& tx) -> Status {
        STOREAGENT_RETURN_IF_ERROR(
            tx.Query("SELECT COALESCE(MAX(version), 0) FROM "
                     "schema_version",
                     {}, [&](const SqlRow& r) {
                       version = static_cast<int>(r.Int(0));
                       return Status::Ok();
                     }));
        if (version > kCentralSchemaVersion) {
          return SchemaTooNew(path + ":", version);
        }
        if (version == kCentralSchemaVersion) return Status::Ok();
        STOREAGENT_RETURN_IF_ERROR(
            conn_.Exec(std::string(kSqliteSchema[version])));
        return conn_.Exec(
            "DELETE FROM schema_version; INSERT INTO schema_version "
            "VALUES (" +
            std::to_string(version + 1) + ")");
      });
      STOREAGENT_RETURN_IF_ERROR(st);
      if (version == kCentralSchemaVersion) return Status::Ok();
    }
  }

 private:
  std::mutex mu_;
  storage::Connection conn_;
  storage::DbContext ctx_;  // conn_'s statement cache; after conn_
};

// The "C" collation PostgreSQL has: byte order (memcmp), what SQLite's
// BINARY does. Central's queries that order text say COLLATE "C" so that
// both backends agree (PostgreSQL's default follows the locale).
int ByteCollation(void*, int n1, const void* a, int n2, const void* b) {
  const int c = std::memcmp(a, b, static_cast<size_t>(std::min(n1, n2)));
  if (c != 0) return c;
  return n1 < n2 ? -1 : (n1 > n2 ? 1 : 0);
}

}  // namespace

Result<std::unique_ptr<CentralStore>> OpenSqliteCentralStore(
    const std::string& path, const std::string& vfs) {
  storage::ConnectionOptions options;
  options.vfs = vfs;
  Result<storage::Connection> conn = storage::Connection::Open(path, options);
  if (!conn.ok()) return conn.status();
  const int rc = sqlite3_create_collation_v2(conn->get(), "C", SQLITE_UTF8,
                                             nullptr, ByteCollation, nullptr);
  if (rc != SQLITE_OK) {
    return storage::SqliteStatus(conn->get(), rc, "collation C");
  }
  auto engine = std::make_unique<SqliteEngine>(std::move(conn).value());
  STOREAGENT_RETURN_IF_ERROR(engine->Migrate(path));
  return std::unique_ptr<CentralStore>(
      std::make_unique<SqlCentralStore>(std::move(engine)));
}

}  // namespace storeagent::central
