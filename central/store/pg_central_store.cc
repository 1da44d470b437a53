#include "central/store/pg_central_store.h"

#include <utility>

#include "central/store/central_schema.h"
#include "central/store/ingest_plan.h"
#include "central/store/pg_arrays.h"
#include "central/store/pg_pool.h"
#include "central/store/store_args.h"
#include "core/journal_chain.h"

namespace storeagent::central {
namespace {

// Key of the advisory lock held while the schema is created or migrated.
constexpr int64_t kSchemaLockKey = 0x73746f7265;  // "store"

// Prepared statement names.
const std::string kLockStore = "lock_store";
const std::string kIngestBatch = "ingest_batch";

constexpr std::string_view kStoreColumns =
    "store_id, store_seq_held, store_hash_held, store_recorded_at_us, "
    "central_head_seq, central_seq_acked, last_exchange_us, agent_version, "
    "last_digest, last_digest_store_seq, quarantined, escrow_breaches";

int64_t I(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t U(const pqxx::field& f) {
  return static_cast<uint64_t>(f.as<int64_t>());
}
std::string Bytes(const pqxx::field& f) { return pqxx::binarystring(f).str(); }
pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s); }
int64_t Upper(uint64_t through) {
  return through == 0 ? INT64_MAX : I(through);
}
int64_t Limit(size_t limit) { return static_cast<int64_t>(ClampLimit(limit)); }

StoreRow RowFrom(const pqxx::row& r) {
  StoreRow s;
  s.store_id = r[0].as<std::string>();
  s.store_seq_held = U(r[1]);
  s.store_hash_held = Bytes(r[2]);
  s.store_recorded_at_us = r[3].as<int64_t>();
  s.central_head_seq = U(r[4]);
  s.central_seq_acked = U(r[5]);
  s.last_exchange_us = r[6].as<int64_t>();
  s.agent_version = r[7].as<std::string>();
  s.last_digest = r[8].as<std::string>();
  s.last_digest_store_seq = U(r[9]);
  s.quarantined = r[10].as<int64_t>();
  s.escrow_breaches = r[11].as<int64_t>();
  return s;
}

void EnsureStore(pqxx::work& tx, const std::string& store_id) {
  tx.exec_params(
      "INSERT INTO stores (store_id, store_hash_held) VALUES ($1, $2) "
      "ON CONFLICT (store_id) DO NOTHING",
      store_id, Bin(core::GenesisHash()));
}

// Locks the store's row until the transaction ends, creating it first if
// it is missing: the one place where two replicas working on the same store
// take turns. One round trip when the row exists (every store after its
// first Hello).
StoreRow LockStore(pqxx::work& tx, const std::string& store_id) {
  pqxx::result r = tx.exec_prepared(kLockStore, store_id);
  if (r.empty()) {
    EnsureStore(tx, store_id);
    r = tx.exec_prepared(kLockStore, store_id);
  }
  return RowFrom(r.at(0));  // throws (INTERNAL) if the row vanished
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
      c.seq.push_back(I(p.seq));
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
  conn.prepare(
      kIngestBatch,
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
      "WHERE store_id=$1");
}

int64_t ApplyEscrow(pqxx::work& tx, const std::string& store_id, uint64_t seq,
                    const v1::EscrowChanged& e) {
  int64_t breaches = 0;
  for (const v1::EscrowLine& l : e.lines()) {
    if (e.breach()) {
      pqxx::result prev = tx.exec_params(
          "SELECT quantity FROM store_escrow WHERE store_id=$1 AND sku=$2",
          store_id, l.sku());
      const int64_t granted =
          prev.empty() ? l.quantity() : prev[0][0].as<int64_t>();
      tx.exec_params(
          "INSERT INTO escrow_breaches (store_id, seq, sku, escrow, available) "
          "VALUES ($1, $2, $3, $4, $5)",
          store_id, I(seq), l.sku(), granted, l.quantity());
      ++breaches;
    }
    if (l.quantity() == 0) {
      tx.exec_params("DELETE FROM store_escrow WHERE store_id=$1 AND sku=$2",
                     store_id, l.sku());
    } else {
      tx.exec_params(
          "INSERT INTO store_escrow (store_id, sku, quantity) "
          "VALUES ($1, $2, $3) ON CONFLICT (store_id, sku) "
          "DO UPDATE SET quantity = excluded.quantity",
          store_id, l.sku(), l.quantity());
    }
  }
  return breaches;
}

static_assert(core::kHashBytes == 32, "kIngestBatch slices 32-byte hashes");

}  // namespace

PgCentralStore::PgCentralStore(std::unique_ptr<PgPool> pool)
    : pool_(std::move(pool)) {}
PgCentralStore::~PgCentralStore() = default;

Result<std::unique_ptr<PgCentralStore>> PgCentralStore::Open(
    const std::string& url, const Clock& clock) {
  Result<std::unique_ptr<PgPool>> pool =
      PgPool::Open(url, kPgPoolSize, clock, PrepareStatements);
  if (!pool.ok()) return pool.status();
  std::unique_ptr<PgCentralStore> store(
      new PgCentralStore(std::move(pool).value()));
  Status txn = store->pool_->InTransaction(
      "create central schema", [&](pqxx::work& tx) -> Status {
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kSchemaLockKey);
        tx.exec(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER NOT NULL)");
        int version =
            tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0]
                .as<int>();
        if (version > kCentralSchemaVersion) {
          return FailedPrecondition("PostgreSQL schema version " +
                                    std::to_string(version) +
                                    " is newer than this build supports (" +
                                    std::to_string(kCentralSchemaVersion) +
                                    "): upgrade storecentrald");
        }
        for (; version < kCentralSchemaVersion; ++version) {
          tx.exec(std::string(kPgSchema[version]));
        }
        tx.exec("DELETE FROM schema_version");
        tx.exec_params("INSERT INTO schema_version VALUES ($1)", version);
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return store;
}

Result<StoreRow> PgCentralStore::GetOrCreateStore(const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  StoreRow out;
  Status txn =
      pool_->InTransaction("GetOrCreateStore", [&](pqxx::work& tx) -> Status {
        EnsureStore(tx, store_id);
        out = RowFrom(tx.exec_params1("SELECT " + std::string(kStoreColumns) +
                                          " FROM stores WHERE store_id = $1",
                                      store_id));
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::optional<StoreRow>> PgCentralStore::GetStore(
    const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::optional<StoreRow> out;
  Status txn = pool_->InTransaction("GetStore", [&](pqxx::work& tx) -> Status {
    pqxx::result r = tx.exec_params("SELECT " + std::string(kStoreColumns) +
                                        " FROM stores WHERE store_id = $1",
                                    store_id);
    out.reset();
    if (!r.empty()) out = RowFrom(r[0]);
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Status PgCentralStore::Ping() {
  return pool_->InTransaction("ping", [](pqxx::work& tx) -> Status {
    tx.exec("SELECT 1");
    return Status::Ok();
  });
}

PoolFigures PgCentralStore::pool_figures() const { return pool_->figures(); }

Result<std::vector<StoreRow>> PgCentralStore::ListStores() {
  std::vector<StoreRow> out;
  Status txn =
      pool_->InTransaction("ListStores", [&](pqxx::work& tx) -> Status {
        out.clear();
        for (const pqxx::row& r :
             tx.exec("SELECT " + std::string(kStoreColumns) +
                     " FROM stores ORDER BY store_id")) {
          out.push_back(RowFrom(r));
        }
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<IngestResult> PgCentralStore::IngestBatch(
    const std::string& store_id, const std::vector<v1::JournalEntry>& entries,
    int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  IngestResult out;
  Status txn =
      pool_->InTransaction("IngestBatch", [&](pqxx::work& tx) -> Status {
        out = IngestResult{};
        const StoreRow row = LockStore(tx, store_id);
        Result<IngestPlan> plan =
            PlanIngest(ChainHead{row.store_seq_held, row.store_hash_held,
                                 row.store_recorded_at_us},
                       entries);
        if (!plan.ok()) return plan.status();
        int64_t quarantined = 0;
        int64_t breaches = 0;
        for (const PlannedEntry& p : plan->entries) {
          if (!p.quarantine_reason.empty()) {
            v1::Quarantined q;
            q.set_seq(p.seq);
            q.set_reason(p.quarantine_reason);
            out.quarantined.push_back(std::move(q));
            ++quarantined;
            continue;
          }
          const v1::JournalRecord& rec = p.entry->record();
          if (rec.has_stock() && rec.stock().has_escrow_changed()) {
            breaches +=
                ApplyEscrow(tx, store_id, p.seq, rec.stock().escrow_changed());
          }
          out.applied.push_back(static_cast<size_t>(p.entry - entries.data()));
        }
        out.acked_seq = plan->head.seq;
        out.escrow_breaches = breaches;
        if (plan->entries.empty()) return Status::Ok();
        Result<EventColumns> cols = EventColumns::Of(plan->entries);
        if (!cols.ok()) return cols.status();
        tx.exec_prepared(kIngestBatch, store_id, IntArray(cols->seq),
                         IntArray(cols->recorded_at_us), TextArray(cols->kind),
                         IntArray(cols->offset), IntArray(cols->length),
                         Bin(cols->records), Bin(cols->prev_hashes),
                         Bin(cols->hashes), TextArray(cols->quarantined),
                         now_us, I(plan->head.seq), Bin(plan->head.hash),
                         plan->head.recorded_at_us, quarantined, breaches);
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::JournalEntry>> PgCentralStore::ReadStoreEvents(
    const std::string& store_id, uint64_t after, uint64_t through,
    size_t limit) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::JournalEntry> out;
  Status txn =
      pool_->InTransaction("ReadStoreEvents", [&](pqxx::work& tx) -> Status {
        out.clear();
        pqxx::result r = tx.exec_params(
            "SELECT seq, record, prev_hash, hash FROM store_events "
            "WHERE store_id=$1 AND seq>$2 AND seq<=$3 ORDER BY seq LIMIT $4",
            store_id, I(after), Upper(through), Limit(limit));
        for (const pqxx::row& row : r) {
          v1::JournalEntry e;
          if (!e.mutable_record()->ParseFromString(Bytes(row[1]))) {
            return DataLoss("store_events: store " + store_id + " seq " +
                            row[0].as<std::string>() +
                            ": record does not parse");
          }
          e.set_prev_hash(Bytes(row[2]));
          e.set_hash(Bytes(row[3]));
          out.push_back(std::move(e));
        }
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<PushResult> PgCentralStore::AppendCentralEventAt(
    const std::string& store_id, const std::string& request_key,
    v1::CentralEvent event, int64_t now_us,
    std::optional<uint64_t> expected_head) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateRequestKey(request_key));
  STOREAGENT_RETURN_IF_ERROR(ValidateCentralEventKind(event));
  PushResult out;
  Status txn =
      pool_->InTransaction("AppendCentralEvent", [&](pqxx::work& tx) -> Status {
        out = PushResult{};
        const StoreRow row = LockStore(tx, store_id);
        pqxx::result seen = tx.exec_params(
            "SELECT central_seq FROM central_events "
            "WHERE store_id=$1 AND request_key=$2",
            store_id, request_key);
        if (!seen.empty()) {
          out.central_seq = U(seen[0][0]);
          out.replayed = true;
          return Status::Ok();
        }
        // The store row is locked (FOR UPDATE): the head cannot move
        // between this check and the insert.
        STOREAGENT_RETURN_IF_ERROR(
            CheckHead(expected_head, row.central_head_seq));
        const uint64_t seq = row.central_head_seq + 1;
        v1::CentralEvent stored = event;
        stored.set_central_seq(seq);
        stored.set_created_at_us(now_us);
        std::string bytes;
        if (!stored.SerializeToString(&bytes)) {
          return InvalidArgument("event: does not serialize");
        }
        tx.exec_params(
            "INSERT INTO central_events (store_id, central_seq, request_key, "
            "created_at_us, event) VALUES ($1, $2, $3, $4, $5)",
            store_id, I(seq), request_key, now_us, Bin(bytes));
        tx.exec_params(
            "UPDATE stores SET central_head_seq=$2 WHERE store_id=$1", store_id,
            I(seq));
        out.central_seq = seq;
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::CentralEvent>> PgCentralStore::ReadCentralEvents(
    const std::string& store_id, uint64_t after, uint64_t through,
    size_t limit) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::CentralEvent> out;
  Status txn =
      pool_->InTransaction("ReadCentralEvents", [&](pqxx::work& tx) -> Status {
        out.clear();
        pqxx::result r = tx.exec_params(
            "SELECT central_seq, event FROM central_events WHERE store_id=$1 "
            "AND central_seq>$2 AND central_seq<=$3 ORDER BY central_seq "
            "LIMIT $4",
            store_id, I(after), Upper(through), Limit(limit));
        for (const pqxx::row& row : r) {
          v1::CentralEvent e;
          if (!e.ParseFromString(Bytes(row[1]))) {
            return DataLoss("central_events: store " + store_id +
                            " central_seq " + row[0].as<std::string>() +
                            ": event does not parse");
          }
          out.push_back(std::move(e));
        }
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Status PgCentralStore::AckCentral(const std::string& store_id,
                                  uint64_t central_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return pool_->InTransaction("AckCentral", [&](pqxx::work& tx) -> Status {
    const StoreRow row = LockStore(tx, store_id);
    if (central_seq > row.central_head_seq) {
      return FailedPrecondition("central_seq: " + std::to_string(central_seq) +
                                " is beyond the head " +
                                std::to_string(row.central_head_seq) +
                                " of store " + store_id);
    }
    if (central_seq <= row.central_seq_acked) return Status::Ok();
    tx.exec_params("UPDATE stores SET central_seq_acked=$2 WHERE store_id=$1",
                   store_id, I(central_seq));
    return Status::Ok();
  });
}

Result<uint64_t> PgCentralStore::RaiseCentralHead(const std::string& store_id,
                                                  uint64_t central_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  uint64_t before = 0;
  Status txn =
      pool_->InTransaction("RaiseCentralHead", [&](pqxx::work& tx) -> Status {
        const StoreRow row = LockStore(tx, store_id);
        before = row.central_head_seq;
        if (central_seq <= before) return Status::Ok();
        tx.exec_params(
            "UPDATE stores SET central_head_seq=$2, central_seq_acked=$2 "
            "WHERE store_id=$1",
            store_id, I(central_seq));
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return before;
}

Status PgCentralStore::TouchExchange(const std::string& store_id,
                                     int64_t now_us,
                                     const std::string& agent_version) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return pool_->InTransaction("TouchExchange", [&](pqxx::work& tx) -> Status {
    EnsureStore(tx, store_id);
    tx.exec_params(
        "UPDATE stores SET last_exchange_us=$2, agent_version=CASE WHEN $3='' "
        "THEN agent_version ELSE $3 END WHERE store_id=$1",
        store_id, now_us, agent_version);
    return Status::Ok();
  });
}

Status PgCentralStore::RecordDigest(const std::string& store_id,
                                    const std::string& result,
                                    uint64_t store_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateDigestResult(result));
  return pool_->InTransaction("RecordDigest", [&](pqxx::work& tx) -> Status {
    EnsureStore(tx, store_id);
    tx.exec_params(
        "UPDATE stores SET last_digest=$2, last_digest_store_seq=$3 "
        "WHERE store_id=$1",
        store_id, result, I(store_seq));
    return Status::Ok();
  });
}

Status PgCentralStore::RecordDrift(const std::vector<v1::Drift>& drift) {
  for (size_t i = 0; i < drift.size(); ++i) {
    Status st = ValidateStoreId(drift[i].store_id());
    if (!st.ok()) {
      return InvalidArgument("drift[" + std::to_string(i) + "]." +
                             st.message());
    }
  }
  return pool_->InTransaction("RecordDrift", [&](pqxx::work& tx) -> Status {
    for (const v1::Drift& d : drift) {
      tx.exec_params(
          "INSERT INTO drift (store_id, sku, found_at_us, drift) "
          "VALUES ($1, $2, $3, $4)",
          d.store_id(), d.sku(), d.found_at_us(), Bin(d.SerializeAsString()));
    }
    return Status::Ok();
  });
}

Result<std::vector<v1::Drift>> PgCentralStore::ListDrift(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::Drift> out;
  Status txn = pool_->InTransaction("ListDrift", [&](pqxx::work& tx) -> Status {
    out.clear();
    pqxx::result r = tx.exec_params(
        "SELECT drift FROM drift WHERE ($1='' OR store_id=$1) "
        "ORDER BY found_at_us DESC, store_id, drift_id DESC LIMIT $2",
        store_id, Limit(limit));
    for (const pqxx::row& row : r) {
      v1::Drift d;
      if (!d.ParseFromString(Bytes(row[0]))) {
        return DataLoss("drift: a row does not parse");
      }
      out.push_back(std::move(d));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<uint64_t>> PgCentralStore::QuarantinedSeqs(
    const std::string& store_id, uint64_t after, uint64_t through) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<uint64_t> out;
  Status txn =
      pool_->InTransaction("QuarantinedSeqs", [&](pqxx::work& tx) -> Status {
        out.clear();
        for (const pqxx::row& row : tx.exec_params(
                 "SELECT seq FROM store_events WHERE store_id=$1 AND seq>$2 "
                 "AND seq<=$3 AND quarantined IS NOT NULL ORDER BY seq "
                 "LIMIT $4",
                 store_id, I(after), Upper(through), Limit(kMaxReadRows))) {
          out.push_back(U(row[0]));
        }
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<v1::ListQuarantineResponse> PgCentralStore::ListQuarantine(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  v1::ListQuarantineResponse out;
  Status txn =
      pool_->InTransaction("ListQuarantine", [&](pqxx::work& tx) -> Status {
        out.Clear();
        for (const pqxx::row& row : tx.exec_params(
                 "SELECT store_id, seq, reason, at_us FROM quarantine "
                 "WHERE ($1='' OR store_id=$1) "
                 "ORDER BY at_us DESC, store_id, seq DESC LIMIT $2",
                 store_id, Limit(limit))) {
          v1::QuarantineEntry* e = out.add_quarantined();
          e->set_store_id(row[0].as<std::string>());
          e->set_seq(U(row[1]));
          e->set_reason(row[2].as<std::string>());
          e->set_at_us(row[3].as<int64_t>());
        }
        for (const pqxx::row& row :
             tx.exec_params("SELECT store_id, seq, sku, escrow, available "
                            "FROM escrow_breaches WHERE ($1='' OR store_id=$1) "
                            "ORDER BY seq DESC, store_id, sku LIMIT $2",
                            store_id, Limit(limit))) {
          v1::EscrowBreachEntry* e = out.add_breaches();
          e->set_store_id(row[0].as<std::string>());
          e->set_seq(U(row[1]));
          e->set_sku(row[2].as<std::string>());
          e->set_escrow(row[3].as<int64_t>());
          e->set_available(row[4].as<int64_t>());
        }
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Status PgCentralStore::RecordAdminAudit(const v1::AdminAuditEntry& e) {
  return pool_->InTransaction(
      "RecordAdminAudit", [&](pqxx::work& tx) -> Status {
        tx.exec_params(
            "INSERT INTO admin_audit (at_us, caller, method, store_id, detail, "
            "code, message) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            e.at_us(), e.caller(), e.method(), e.store_id(), e.detail(),
            e.code(), e.message());
        return Status::Ok();
      });
}

Result<std::vector<v1::AdminAuditEntry>> PgCentralStore::ListAdminAudit(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::AdminAuditEntry> out;
  Status txn =
      pool_->InTransaction("ListAdminAudit", [&](pqxx::work& tx) -> Status {
        out.clear();
        for (const pqxx::row& row : tx.exec_params(
                 "SELECT audit_id, at_us, caller, method, store_id, detail, "
                 "code, message FROM admin_audit WHERE ($1='' OR store_id=$1) "
                 "ORDER BY audit_id DESC LIMIT $2",
                 store_id, Limit(limit))) {
          v1::AdminAuditEntry e;
          e.set_audit_id(row[0].as<uint64_t>());
          e.set_at_us(row[1].as<int64_t>());
          e.set_caller(row[2].as<std::string>());
          e.set_method(row[3].as<std::string>());
          e.set_store_id(row[4].as<std::string>());
          e.set_detail(row[5].as<std::string>());
          e.set_code(row[6].as<std::string>());
          e.set_message(row[7].as<std::string>());
          out.push_back(std::move(e));
        }
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

}  // namespace storeagent::central
