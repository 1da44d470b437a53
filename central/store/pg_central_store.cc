#include "central/store/pg_central_store.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <functional>
#include <type_traits>
#include <utility>

#include "central/store/central_schema.h"
#include "central/store/ingest_plan.h"
#include "central/store/pg_arrays.h"
#include "central/store/pg_pool.h"
#include "central/store/sql_central_store.h"
#include "core/journal_chain.h"

// A seam parameter as libpqxx passes it: text format (PostgreSQL infers
// each parameter's type from the statement), a blob as bytea's hex text.
namespace pqxx {
template <>
struct string_traits<storeagent::central::SqlParam> {
  using Param = storeagent::central::SqlParam;
  static constexpr const char* name() noexcept { return "SqlParam"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const Param& p) {
    return std::holds_alternative<std::nullptr_t>(p);
  }
  static std::string to_string(const Param& p) {
    return std::visit(
        [](const auto& v) -> std::string {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return "";
          } else if constexpr (std::is_same_v<T, int64_t>) {
            return std::to_string(v);
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            return std::string(v);
          } else {
            static constexpr char kHex[] = "0123456789abcdef";
            std::string hex = "\\x";
            hex.reserve(2 + 2 * v.bytes.size());
            for (const char c : v.bytes) {
              const auto b = static_cast<unsigned char>(c);
              hex += kHex[b >> 4];
              hex += kHex[b & 0xf];
            }
            return hex;
          }
        },
        p);
  }
};
}  // namespace pqxx

namespace storeagent::central {
namespace {

// Key of the advisory lock held while the schema is created or migrated.
constexpr int64_t kSchemaLockKey = 0x73746f7265;  // "store"

// Prepared statement names.
const std::string kLockStore = "lock_store";
const std::string kIngestBatch = "ingest_batch";
const std::string kIngestBatchKpi = "ingest_batch_kpi";

pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s); }

// The seam's ?1, ?2 ... as PostgreSQL's $1, $2 (no statement of central's
// has a question mark elsewhere).
std::string Dollars(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '?' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '$';
  }
  return out;
}

// The rows of a batch as columns: one parameter per column, so a batch of
// any size is one statement (and one round trip). The bytes travel in
// binary: the records end to end in one bytea with their offsets and
// lengths, the hashes (32 bytes each, checked by PlanIngest) end to end.
// Offsets travel as int[] (PostgreSQL's substring takes int): a batch's
// records must fit 2^31 - 1 bytes. gRPC's message limit keeps real batches
// far below (16 MiB).
constexpr size_t kMaxBatchRecordBytes = 0x7fffffff;

struct EventColumns {
  std::vector<int64_t> seq, recorded_at_us, offset, length;
  std::vector<std::string> kind, quarantined;
  std::string records, prev_hashes, hashes;

  static Result<EventColumns> Of(const std::vector<PlannedEntry>& entries) {
    EventColumns c;
    size_t bytes = 0;
    for (const PlannedEntry& p : entries) bytes += p.canonical.size();
    c.records.reserve(bytes);
    c.prev_hashes.reserve(entries.size() * core::kHashBytes);
    c.hashes.reserve(entries.size() * core::kHashBytes);
    for (const PlannedEntry& p : entries) {
      if (p.prev_hash.size() != core::kHashBytes ||
          p.hash.size() != core::kHashBytes) {
        return Internal("ingest: seq " + std::to_string(p.seq) +
                        ": a hash is not " + std::to_string(core::kHashBytes) +
                        " bytes");
      }
      if (c.records.size() + p.canonical.size() > kMaxBatchRecordBytes) {
        return InvalidArgument(
            "entries: more than " + std::to_string(kMaxBatchRecordBytes) +
            " bytes of records in one batch (send smaller batches)");
      }
      c.seq.push_back(SqlInt(p.seq));
      c.recorded_at_us.push_back(p.recorded_at_us);
      c.offset.push_back(static_cast<int64_t>(c.records.size()));
      c.length.push_back(static_cast<int64_t>(p.canonical.size()));
      c.kind.push_back(p.kind);
      c.quarantined.push_back(p.quarantine_reason);
      c.records += p.canonical;
      c.prev_hashes += p.prev_hash;
      c.hashes += p.hash;
    }
    return c;
  }
};

// Every connection's prepared statements (PgPool's OnConnect).
void PrepareStatements(pqxx::connection& conn) {
  conn.prepare(kLockStore, "SELECT " + std::string(kStoreColumns) +
                               " FROM stores WHERE store_id = $1 FOR UPDATE");
  // A batch's events and the store's new watermark in one statement: the
  // data-modifying WITH runs to completion whatever the UPDATE reads.
  const std::string ingest =
      "WITH ev AS (INSERT INTO store_events (store_id, seq, recorded_at_us, "
      "kind, record, prev_hash, hash, quarantined, ingested_at_us) "
      "SELECT $1, u.seq, u.at, u.kind, "
      "substring($7::bytea FROM u.off + 1 FOR u.len), "
      "substring($8::bytea FROM (u.i::int - 1) * 32 + 1 FOR 32), "  // kHashBytes
      "substring($9::bytea FROM (u.i::int - 1) * 32 + 1 FOR 32), "
      "NULLIF(u.q, ''), $11 "
      "FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::int[], "
      "$6::int[], $10::text[]) WITH ORDINALITY "
      "AS u(seq, at, kind, off, len, q, i) RETURNING 1) "
      "UPDATE stores SET store_seq_held=$12, store_hash_held=$13, "
      "store_recorded_at_us=$14, quarantined=quarantined+$15, "
      "escrow_breaches=escrow_breaches+$16, last_exchange_us=$11 "
      "WHERE store_id=$1";
  conn.prepare(kIngestBatch, ingest);
  // With KPIs on, the same statement also says whether a pending return
  // names the store. Its snapshot is taken after LockStoreRow's wait, so it
  // sees the pending returns of another store's ingest that held this
  // store's row FOR SHARE (kpi_index.cc, Prefetch).
  conn.prepare(kIngestBatchKpi,
               ingest +
                   " RETURNING EXISTS (SELECT 1 FROM kpi_returns WHERE "
                   "orig_store=$1 AND resolved=0)");
}

static_assert(core::kHashBytes == 32, "kIngestBatch slices 32-byte hashes");

// Each character's value as a hex digit, -1 for any other character.
constexpr std::array<int8_t, 256> kHexDigits = [] {
  std::array<int8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c >= '0' && c <= '9'   ? static_cast<int8_t>(c - '0')
           : c >= 'a' && c <= 'f' ? static_cast<int8_t>(c - 'a' + 10)
           : c >= 'A' && c <= 'F' ? static_cast<int8_t>(c - 'A' + 10)
                                  : int8_t{-1};
  }
  return t;
}();

int HexDigit(char c) { return kHexDigits[static_cast<unsigned char>(c)]; }

// A result row; its columns from `first` on (QueryLookups' rows start
// with the lookup and the key).
class PgRow final : public SqlRow {
 public:
  explicit PgRow(const pqxx::row& r, int first = 0) : r_(r), first_(first) {}
  int64_t Int(int col) const override { return r_[first_ + col].as<int64_t>(); }
  std::string Text(int col) const override {
    return r_[first_ + col].as<std::string>();
  }
  // bytea arrives as text; in PostgreSQL's default hex form ("\\x" and two
  // hex digits a byte) it is decoded here in one pass into the string
  // returned (libpqxx's binarystring would unescape it into a buffer of
  // libpq's first and copy it again). Any other form goes through libpq.
  std::string Blob(int col) const override {
    const pqxx::field f = r_[first_ + col];
    const char* text = f.c_str();
    const size_t size = f.size();
    if (f.is_null() || size < 2 || text[0] != '\\' || text[1] != 'x' ||
        size % 2 != 0) {
      return pqxx::binarystring(f).str();
    }
    std::string out((size - 2) / 2, '\0');
    for (size_t i = 0; i < out.size(); ++i) {
      const int hi = HexDigit(text[2 + 2 * i]);
      const int lo = HexDigit(text[3 + 2 * i]);
      if (hi < 0 || lo < 0) return pqxx::binarystring(f).str();
      out[i] = static_cast<char>((hi << 4) | lo);
    }
    return out;
  }

 private:
  const pqxx::row& r_;
  const int first_;
};

// One transaction. Each method turns libpqxx's exceptions into a Status
// (PgStatus); an abort by PostgreSQL is also kept, for PgEngine to hand back
// to the pool, which retries it.
class PgTx final : public SqlTx {
 public:
  PgTx(pqxx::work& w, const std::string& what) : w_(w), what_(what) {}

  // The serialization failure or deadlock that aborted the transaction.
  std::exception_ptr rollback() const { return rollback_; }

  Status Exec(std::string_view sql, SqlParams params) override {
    return Guarded([&] {
      w_.exec_params(Dollars(sql), pqxx::prepare::make_dynamic_params(
                                       params.begin(), params.end()));
      return Status::Ok();
    });
  }

  Status Query(std::string_view sql, SqlParams params,
               const SqlRowFn& each) override {
    return Guarded([&] {
      return Each(
          w_.exec_params(Dollars(sql), pqxx::prepare::make_dynamic_params(
                                           params.begin(), params.end())),
          each);
    });
  }

  Status QueryPrepared(const std::string& sql, SqlParams params,
                       const SqlRowFn& each) override {
    return Guarded([&] {
      return Each(w_.exec_prepared(Prepared(Dollars(sql)),
                                   pqxx::prepare::make_dynamic_params(
                                       params.begin(), params.end())),
                  each);
    });
  }

  // Prepared once per connection: one round trip when the row exists.
  Status LockStoreRow(const std::string& store_id,
                      const SqlRowFn& each) override {
    return Guarded(
        [&] { return Each(w_.exec_prepared(kLockStore, store_id), each); });
  }

  // One statement for the whole batch (PrepareStatements).
  Status WriteIngest(const std::string& store_id, const IngestPlan& plan,
                     int64_t now_us, int64_t quarantined, int64_t breaches,
                     bool* pending_returns) override {
    Result<EventColumns> cols = EventColumns::Of(plan.entries);
    if (!cols.ok()) return cols.status();
    return Guarded([&] {
      const pqxx::result r = w_.exec_prepared(
          pending_returns != nullptr ? kIngestBatchKpi : kIngestBatch, store_id,
          IntArray(cols->seq), IntArray(cols->recorded_at_us),
          TextArray(cols->kind), IntArray(cols->offset), IntArray(cols->length),
          Bin(cols->records), Bin(cols->prev_hashes), Bin(cols->hashes),
          TextArray(cols->quarantined), now_us, SqlInt(plan.head.seq),
          Bin(plan.head.hash), plan.head.recorded_at_us, quarantined, breaches);
      if (pending_returns != nullptr) {
        // No row: the store's row is missing, which LockStore rules out;
        // look, to be safe.
        *pending_returns = r.empty() || r[0][0].as<bool>();
      }
      return Status::Ok();
    });
  }

  // Every SqlRows as columns (one array parameter each), all in one
  // statement: a batch's KPI rows cost one round trip.
  Status ExecRows(const std::vector<SqlRows>& all) override {
    std::vector<std::string> arrays;
    std::string sql;
    int n = 0;  // statements in the WITH
    for (const SqlRows& rows : all) {
      const size_t width = rows.types.size();
      if (width == 0 || rows.flat.size() % width != 0) {
        return Internal("ExecRows: parameters are not whole rows");
      }
      if (rows.flat.empty()) continue;
      std::string select = "SELECT * FROM unnest(";
      for (size_t c = 0; c < width; ++c) {
        const bool text = rows.types[c] == 't';
        Result<std::string> a = Column(rows.flat, width, c, text);
        if (!a.ok()) return a.status();
        arrays.push_back(std::move(a).value());
        select += (c > 0 ? ", $" : "$") + std::to_string(arrays.size()) +
                  (text ? "::text[]" : "::bigint[]");
      }
      select += ")";
      const std::string stmt =
          std::string(rows.head) + " " + select + " " + std::string(rows.tail);
      sql += (n == 0 ? "WITH w0 AS (" : ", w" + std::to_string(n) + " AS (") +
             stmt + ")";  // no RETURNING: nothing to keep, still run
      ++n;
    }
    if (n == 0) return Status::Ok();
    sql += " SELECT 1";
    return Guarded([&] {
      w_.exec_prepared(Prepared(sql), pqxx::prepare::make_dynamic_params(
                                          arrays.begin(), arrays.end()));
      return Status::Ok();
    });
  }

  // All lookups in one statement: each one's keys as column arrays (one
  // parameter each) joined LATERAL with its query, every column as text so
  // that the lookups' rows fit one UNION ALL; a row is (lookup, key's
  // ordinal, its columns).
  Status QueryLookups(const std::vector<SqlLookup>& all,
                      const SqlLookupFn& each) override {
    int width = 0;
    for (const SqlLookup& l : all) width = std::max(width, l.width);
    std::vector<std::string> arrays;
    std::string sql;
    for (size_t q = 0; q < all.size(); ++q) {
      const SqlLookup& l = all[q];
      const size_t k = l.types.size();
      if (k == 0 || k > 9 || l.flat.size() % k != 0 || l.width <= 0) {
        return Internal("QueryLookups: parameters are not whole keys");
      }
      if (l.flat.empty()) continue;
      std::string keys = "unnest(";
      std::string names = "u(";
      for (size_t c = 0; c < k; ++c) {
        Result<std::string> a = Column(l.flat, k, c, l.types[c] == 't');
        if (!a.ok()) return a.status();
        arrays.push_back(std::move(a).value());
        keys += (c > 0 ? ", $" : "$") + std::to_string(arrays.size()) +
                (l.types[c] == 't' ? "::text[]" : "::bigint[]");
        names += "k" + std::to_string(c + 1) + ", ";
      }
      keys += ") WITH ORDINALITY AS " + names + "i)";
      // The one-key query over u's columns: ?N is u.kN.
      std::string body(l.sql);
      for (size_t at = 0; at + 1 < body.size(); ++at) {
        if (body[at] == '?' && body[at + 1] >= '1' && body[at + 1] <= '9') {
          body.replace(at, 1, "u.k");
        }
      }
      if (l.lock == SqlLock::kUpdate) body += " FOR UPDATE";
      if (l.lock == SqlLock::kShare) body += " FOR SHARE";
      std::string cols = "x(";
      std::string select = "SELECT " + std::to_string(q) + ", u.i";
      for (int c = 1; c <= width; ++c) {
        if (c <= l.width) {
          cols += (c > 1 ? ", c" : "c") + std::to_string(c);
          select += ", x.c" + std::to_string(c) + "::text";
        } else {
          select += ", NULL::text";
        }
      }
      cols += ")";
      if (!sql.empty()) sql += " UNION ALL ";
      sql += select + " FROM " + keys + " CROSS JOIN LATERAL (" + body +
             ") AS " + cols;
    }
    if (sql.empty()) return Status::Ok();
    return Guarded([&] {
      const pqxx::result r = w_.exec_prepared(
          Prepared(sql),
          pqxx::prepare::make_dynamic_params(arrays.begin(), arrays.end()));
      for (const pqxx::row& row : r) {
        const auto q = row[0].as<size_t>();
        const auto i = row[1].as<size_t>();  // from 1
        STOREAGENT_RETURN_IF_ERROR(each(q, i - 1, PgRow(row, 2)));
      }
      return Status::Ok();
    });
  }

  // drift_id is an IDENTITY column.
  Status InsertDrift(const v1::Drift& d) override {
    return Guarded([&] {
      w_.exec_params(
          "INSERT INTO drift (store_id, sku, found_at_us, drift) "
          "VALUES ($1, $2, $3, $4)",
          d.store_id(), d.sku(), d.found_at_us(), Bin(d.SerializeAsString()));
      return Status::Ok();
    });
  }

 private:
  // Column `c` of rows `width` wide in `flat`, as an array literal.
  static Result<std::string> Column(const std::vector<SqlParam>& flat,
                                    size_t width, size_t c, bool text) {
    std::vector<std::string> texts;
    std::vector<int64_t> ints;
    for (size_t at = c; at < flat.size(); at += width) {
      const SqlParam& p = flat[at];
      if (text) {
        const auto* v = std::get_if<std::string_view>(&p);
        if (v == nullptr)
          return Internal("column " + std::to_string(c) + ": text expected");
        texts.emplace_back(*v);
      } else {
        const auto* v = std::get_if<int64_t>(&p);
        if (v == nullptr)
          return Internal("column " + std::to_string(c) + ": integer expected");
        ints.push_back(*v);
      }
    }
    return text ? TextArray(texts) : IntArray(ints);
  }

  // The name of `sql` prepared on this connection: libpqxx prepares it on
  // first use and keeps it for the connection's life (defining it again
  // with the same text does nothing). Statements are named by their text's
  // hash; the few shapes a batch's KPI statements take, and the change
  // feed's page queries, are prepared once.
  std::string Prepared(const std::string& sql) {
    char name[32];
    std::snprintf(name, sizeof(name), "stmt_%016zx",
                  std::hash<std::string>{}(sql));
    w_.conn().prepare(name, sql);
    return name;
  }

  static Status Each(const pqxx::result& r, const SqlRowFn& each) {
    for (const pqxx::row& row : r) {
      STOREAGENT_RETURN_IF_ERROR(each(PgRow(row)));
    }
    return Status::Ok();
  }

  template <typename Fn>
  Status Guarded(Fn&& fn) {
    try {
      return fn();
    } catch (const pqxx::transaction_rollback&) {
      rollback_ = std::current_exception();
      return PgStatus(rollback_, what_);
    } catch (...) {
      return PgStatus(std::current_exception(), what_);
    }
  }

  pqxx::work& w_;
  const std::string& what_;
  std::exception_ptr rollback_;
};

class PgEngine final : public SqlEngine {
 public:
  explicit PgEngine(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  // PgPool::InTransaction maps the errors and retries an abort (up to
  // kPgMaxAttempts); an abort met inside the body is rethrown to it.
  Status InTransaction(const std::string& what,
                       const SqlTxBody& body) override {
    return pool_->InTransaction(what, [&](pqxx::work& w) -> Status {
      PgTx tx(w, what);
      Status st = body(tx);
      if (tx.rollback()) std::rethrow_exception(tx.rollback());
      return st;
    });
  }

  PoolFigures pool_figures() const override { return pool_->figures(); }

  Status Migrate() {
    return pool_->InTransaction(
        "create central schema", [&](pqxx::work& tx) -> Status {
          tx.exec_params("SELECT pg_advisory_xact_lock($1)", kSchemaLockKey);
          tx.exec(
              "CREATE TABLE IF NOT EXISTS schema_version "
              "(version INTEGER NOT NULL)");
          int version =
              tx.exec1(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_version")[0]
                  .as<int>();
          if (version > kCentralSchemaVersion) {
            return SchemaTooNew("PostgreSQL", version);
          }
          for (; version < kCentralSchemaVersion; ++version) {
            tx.exec(std::string(kPgSchema[version]));
          }
          tx.exec("DELETE FROM schema_version");
          tx.exec_params("INSERT INTO schema_version VALUES ($1)", version);
          return Status::Ok();
        });
  }

 private:
  std::unique_ptr<PgPool> pool_;
};

}  // namespace

Result<std::unique_ptr<CentralStore>> OpenPgCentralStore(const std::string& url,
                                                         const Clock& clock,
                                                         size_t pool_size) {
  Result<std::unique_ptr<PgPool>> pool =
      PgPool::Open(url, pool_size, clock, PrepareStatements);
  if (!pool.ok()) return pool.status();
  auto engine = std::make_unique<PgEngine>(std::move(pool).value());
  STOREAGENT_RETURN_IF_ERROR(engine->Migrate());
  return std::unique_ptr<CentralStore>(
      std::make_unique<SqlCentralStore>(std::move(engine)));
}

}  // namespace storeagent::central
