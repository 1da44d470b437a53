#include "central/store/sqlite_central_store.h"

#include <utility>

#include "central/store/central_schema.h"
#include "central/store/ingest_plan.h"
#include "central/store/store_args.h"
#include "core/journal_chain.h"

namespace storeagent::central {
namespace {

using storage::Statement;

constexpr std::string_view kStoreColumns =
    "store_id, store_seq_held, store_hash_held, store_recorded_at_us, "
    "central_head_seq, central_seq_acked, last_exchange_us, agent_version, "
    "last_digest, last_digest_store_seq, quarantined, escrow_breaches";

int64_t I(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }

StoreRow RowFrom(const Statement& s) {
  StoreRow r;
  r.store_id = std::string(s.ColumnText(0));
  r.store_seq_held = U(s.ColumnInt(1));
  r.store_hash_held = std::string(s.ColumnBlob(2));
  r.store_recorded_at_us = s.ColumnInt(3);
  r.central_head_seq = U(s.ColumnInt(4));
  r.central_seq_acked = U(s.ColumnInt(5));
  r.last_exchange_us = s.ColumnInt(6);
  r.agent_version = std::string(s.ColumnText(7));
  r.last_digest = std::string(s.ColumnText(8));
  r.last_digest_store_seq = U(s.ColumnInt(9));
  r.quarantined = s.ColumnInt(10);
  r.escrow_breaches = s.ColumnInt(11);
  return r;
}

// A statement from the connection's cache, reset with its bindings
// cleared: the hot paths (one insert per event) are parsed once.
Result<Statement*> Prep(storage::DbContext& db, const std::string& sql) {
  return db.Prepare(sql);
}

Status EnsureStore(storage::DbContext& db, const std::string& store_id) {
  Result<Statement*> s =
      Prep(db,
           "INSERT INTO stores (store_id, store_hash_held) VALUES (?1, ?2) "
           "ON CONFLICT (store_id) DO NOTHING");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, store_id);
  (*s)->BindBlob(2, core::GenesisHash());
  return (*s)->Run();
}

Result<std::optional<StoreRow>> SelectStore(storage::DbContext& db,
                                            const std::string& store_id) {
  Result<Statement*> s = Prep(db, "SELECT " + std::string(kStoreColumns) +
                                      " FROM stores WHERE store_id = ?1");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, store_id);
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<StoreRow>();
  return std::optional<StoreRow>(RowFrom(**s));
}

Result<StoreRow> EnsureAndSelect(storage::DbContext& db,
                                 const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(EnsureStore(db, store_id));
  Result<std::optional<StoreRow>> row = SelectStore(db, store_id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return Internal("stores: row vanished");
  return std::move(**row);
}

// Applies an escrow change: a breach line records (previous escrow, what is
// left); then the store's escrow becomes the lines. Returns breaches added.
Result<int64_t> ApplyEscrow(storage::DbContext& db, const std::string& store_id,
                            uint64_t seq, const v1::EscrowChanged& e) {
  int64_t breaches = 0;
  for (const v1::EscrowLine& l : e.lines()) {
    if (e.breach()) {
      Result<Statement*> prev = Prep(
          db, "SELECT quantity FROM store_escrow WHERE store_id=?1 AND sku=?2");
      if (!prev.ok()) return prev.status();
      (*prev)->BindText(1, store_id);
      (*prev)->BindText(2, l.sku());
      Result<bool> has = (*prev)->Step();
      if (!has.ok()) return has.status();
      const int64_t granted = *has ? (*prev)->ColumnInt(0) : l.quantity();
      Result<Statement*> ins = Prep(
          db,
          "INSERT INTO escrow_breaches (store_id, seq, sku, escrow, available) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!ins.ok()) return ins.status();
      (*ins)->BindText(1, store_id);
      (*ins)->BindInt(2, I(seq));
      (*ins)->BindText(3, l.sku());
      (*ins)->BindInt(4, granted);
      (*ins)->BindInt(5, l.quantity());
      STOREAGENT_RETURN_IF_ERROR((*ins)->Run());
      ++breaches;
    }
    Result<Statement*> up =
        l.quantity() == 0
            ? Prep(db, "DELETE FROM store_escrow WHERE store_id=?1 AND sku=?2")
            : Prep(db,
                   "INSERT INTO store_escrow (store_id, sku, quantity) "
                   "VALUES (?1, ?2, ?3) ON CONFLICT (store_id, sku) "
                   "DO UPDATE SET quantity = excluded.quantity");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindText(2, l.sku());
    if (l.quantity() != 0) (*up)->BindInt(3, l.quantity());
    STOREAGENT_RETURN_IF_ERROR((*up)->Run());
  }
  return breaches;
}

Status InsertEvent(storage::DbContext& db, const std::string& store_id,
                   const PlannedEntry& p, int64_t now_us) {
  Result<Statement*> s = Prep(
      db,
      "INSERT INTO store_events (store_id, seq, recorded_at_us, kind, record, "
      "prev_hash, hash, quarantined, ingested_at_us) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, store_id);
  (*s)->BindInt(2, I(p.seq));
  (*s)->BindInt(3, p.recorded_at_us);
  (*s)->BindText(4, p.kind);
  (*s)->BindBlob(5, p.canonical);
  (*s)->BindBlob(6, p.prev_hash);
  (*s)->BindBlob(7, p.hash);
  if (p.quarantine_reason.empty()) {
    (*s)->BindNull(8);
  } else {
    (*s)->BindText(8, p.quarantine_reason);
  }
  (*s)->BindInt(9, now_us);
  return (*s)->Run();
}

// (after, through] with through 0 = unbounded.
int64_t Upper(uint64_t through) {
  return through == 0 ? INT64_MAX : I(through);
}

}  // namespace

Result<std::unique_ptr<SqliteCentralStore>> SqliteCentralStore::Open(
    const std::string& path) {
  Result<storage::Connection> conn =
      storage::Connection::Open(path, storage::ConnectionOptions{});
  if (!conn.ok()) return conn.status();
  std::unique_ptr<SqliteCentralStore> store(
      new SqliteCentralStore(std::move(conn).value()));
  storage::DbContext& db = store->ctx_;
  STOREAGENT_RETURN_IF_ERROR(store->conn_.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  for (;;) {
    int version = 0;
    Status st = store->InTransaction([&]() -> Status {
      Result<Statement*> s =
          Prep(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (!s.ok()) return s.status();
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      version = static_cast<int>((*s)->ColumnInt(0));
      if (version > kCentralSchemaVersion) {
        return FailedPrecondition(
            path + ": schema version " + std::to_string(version) +
            " is newer than this build supports (" +
            std::to_string(kCentralSchemaVersion) + "): upgrade storecentrald");
      }
      if (version == kCentralSchemaVersion) return Status::Ok();
      STOREAGENT_RETURN_IF_ERROR(
          store->conn_.Exec(std::string(kSqliteSchema[version])));
      return store->conn_.Exec(
          "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
          std::to_string(version + 1) + ")");
    });
    STOREAGENT_RETURN_IF_ERROR(st);
    if (version == kCentralSchemaVersion) break;
  }
  return store;
}

template <typename Fn>
Status SqliteCentralStore::InTransaction(Fn&& body) {
  std::lock_guard<std::mutex> lock(mu_);
  STOREAGENT_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
  Status st = body();
  // No cached statement may keep the read snapshot past the transaction.
  ctx_.ResetBusyStatements();
  if (st.ok()) st = conn_.Exec("COMMIT");
  if (!st.ok()) conn_.Exec("ROLLBACK").IgnoreError();
  return st;
}

Result<StoreRow> SqliteCentralStore::GetOrCreateStore(
    const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  StoreRow out;
  Status txn = InTransaction([&]() -> Status {
    Result<StoreRow> row = EnsureAndSelect(ctx_, store_id);
    if (!row.ok()) return row.status();
    out = std::move(row).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::optional<StoreRow>> SqliteCentralStore::GetStore(
    const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::optional<StoreRow> out;
  Status txn = InTransaction([&]() -> Status {
    Result<std::optional<StoreRow>> row = SelectStore(ctx_, store_id);
    if (!row.ok()) return row.status();
    out = std::move(row).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Status SqliteCentralStore::Ping() {
  return InTransaction([&]() -> Status {
    Result<Statement*> s = Prep(ctx_, "SELECT 1");
    if (!s.ok()) return s.status();
    Result<bool> row = (*s)->Step();
    return row.ok() ? Status::Ok() : row.status();
  });
}

Result<std::vector<StoreRow>> SqliteCentralStore::ListStores() {
  std::vector<StoreRow> out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> s = Prep(ctx_, "SELECT " + std::string(kStoreColumns) +
                                          " FROM stores ORDER BY store_id");
    if (!s.ok()) return s.status();
    for (;;) {
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(RowFrom(**s));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<IngestResult> SqliteCentralStore::IngestBatch(
    const std::string& store_id, const std::vector<v1::JournalEntry>& entries,
    int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  IngestResult out;
  Status txn = InTransaction([&]() -> Status {
    storage::DbContext& db = ctx_;
    Result<StoreRow> row = EnsureAndSelect(db, store_id);
    if (!row.ok()) return row.status();
    const ChainHead held{row->store_seq_held, row->store_hash_held,
                         row->store_recorded_at_us};
    Result<IngestPlan> plan = PlanIngest(held, entries);
    if (!plan.ok()) return plan.status();
    int64_t quarantined = 0;
    int64_t breaches = 0;
    for (const PlannedEntry& p : plan->entries) {
      STOREAGENT_RETURN_IF_ERROR(InsertEvent(db, store_id, p, now_us));
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
        Result<int64_t> b =
            ApplyEscrow(db, store_id, p.seq, rec.stock().escrow_changed());
        if (!b.ok()) return b.status();
        breaches += *b;
      }
      out.applied.push_back(static_cast<size_t>(p.entry - entries.data()));
    }
    out.acked_seq = plan->head.seq;
    out.escrow_breaches = breaches;
    if (plan->entries.empty()) return Status::Ok();
    Result<Statement*> up =
        Prep(db,
             "UPDATE stores SET store_seq_held=?2, store_hash_held=?3, "
             "store_recorded_at_us=?4, quarantined=quarantined+?5, "
             "escrow_breaches=escrow_breaches+?6, last_exchange_us=?7 "
             "WHERE store_id=?1");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindInt(2, I(plan->head.seq));
    (*up)->BindBlob(3, plan->head.hash);
    (*up)->BindInt(4, plan->head.recorded_at_us);
    (*up)->BindInt(5, quarantined);
    (*up)->BindInt(6, breaches);
    (*up)->BindInt(7, now_us);
    return (*up)->Run();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::JournalEntry>> SqliteCentralStore::ReadStoreEvents(
    const std::string& store_id, uint64_t after, uint64_t through,
    size_t limit) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::JournalEntry> out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> s =
        Prep(ctx_,
             "SELECT seq, record, prev_hash, hash FROM store_events "
             "WHERE store_id=?1 AND seq>?2 AND seq<=?3 ORDER BY seq LIMIT ?4");
    if (!s.ok()) return s.status();
    (*s)->BindText(1, store_id);
    (*s)->BindInt(2, I(after));
    (*s)->BindInt(3, Upper(through));
    (*s)->BindInt(4, static_cast<int64_t>(ClampLimit(limit)));
    for (;;) {
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::JournalEntry e;
      if (!e.mutable_record()->ParseFromString(
              std::string((*s)->ColumnBlob(1)))) {
        return DataLoss("store_events: store " + store_id + " seq " +
                        std::to_string((*s)->ColumnInt(0)) +
                        ": record does not parse");
      }
      e.set_prev_hash(std::string((*s)->ColumnBlob(2)));
      e.set_hash(std::string((*s)->ColumnBlob(3)));
      out.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<PushResult> SqliteCentralStore::AppendCentralEventAt(
    const std::string& store_id, const std::string& request_key,
    v1::CentralEvent event, int64_t now_us,
    std::optional<uint64_t> expected_head) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateRequestKey(request_key));
  STOREAGENT_RETURN_IF_ERROR(ValidateCentralEventKind(event));
  PushResult out;
  Status txn = InTransaction([&]() -> Status {
    storage::DbContext& db = ctx_;
    Result<StoreRow> row = EnsureAndSelect(db, store_id);
    if (!row.ok()) return row.status();
    Result<Statement*> seen = Prep(db,
                                   "SELECT central_seq FROM central_events "
                                   "WHERE store_id=?1 AND request_key=?2");
    if (!seen.ok()) return seen.status();
    (*seen)->BindText(1, store_id);
    (*seen)->BindText(2, request_key);
    Result<bool> has = (*seen)->Step();
    if (!has.ok()) return has.status();
    if (*has) {
      out.central_seq = U((*seen)->ColumnInt(0));
      out.replayed = true;
      return Status::Ok();
    }
    STOREAGENT_RETURN_IF_ERROR(CheckHead(expected_head, row->central_head_seq));
    const uint64_t seq = row->central_head_seq + 1;
    event.set_central_seq(seq);
    event.set_created_at_us(now_us);
    std::string bytes;
    if (!event.SerializeToString(&bytes)) {
      return InvalidArgument("event: does not serialize");
    }
    Result<Statement*> ins =
        Prep(db,
             "INSERT INTO central_events (store_id, central_seq, request_key, "
             "created_at_us, event) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!ins.ok()) return ins.status();
    (*ins)->BindText(1, store_id);
    (*ins)->BindInt(2, I(seq));
    (*ins)->BindText(3, request_key);
    (*ins)->BindInt(4, now_us);
    (*ins)->BindBlob(5, bytes);
    STOREAGENT_RETURN_IF_ERROR((*ins)->Run());
    Result<Statement*> up =
        Prep(db, "UPDATE stores SET central_head_seq=?2 WHERE store_id=?1");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindInt(2, I(seq));
    STOREAGENT_RETURN_IF_ERROR((*up)->Run());
    out.central_seq = seq;
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::CentralEvent>> SqliteCentralStore::ReadCentralEvents(
    const std::string& store_id, uint64_t after, uint64_t through,
    size_t limit) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::CentralEvent> out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> s = Prep(
        ctx_,
        "SELECT central_seq, event FROM central_events WHERE store_id=?1 "
        "AND central_seq>?2 AND central_seq<=?3 ORDER BY central_seq LIMIT ?4");
    if (!s.ok()) return s.status();
    (*s)->BindText(1, store_id);
    (*s)->BindInt(2, I(after));
    (*s)->BindInt(3, Upper(through));
    (*s)->BindInt(4, static_cast<int64_t>(ClampLimit(limit)));
    for (;;) {
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::CentralEvent e;
      if (!e.ParseFromString(std::string((*s)->ColumnBlob(1)))) {
        return DataLoss("central_events: store " + store_id + " central_seq " +
                        std::to_string((*s)->ColumnInt(0)) +
                        ": event does not parse");
      }
      out.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Status SqliteCentralStore::AckCentral(const std::string& store_id,
                                      uint64_t central_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return InTransaction([&]() -> Status {
    Result<StoreRow> row = EnsureAndSelect(ctx_, store_id);
    if (!row.ok()) return row.status();
    if (central_seq > row->central_head_seq) {
      return FailedPrecondition("central_seq: " + std::to_string(central_seq) +
                                " is beyond the head " +
                                std::to_string(row->central_head_seq) +
                                " of store " + store_id);
    }
    if (central_seq <= row->central_seq_acked) return Status::Ok();
    Result<Statement*> up =
        Prep(ctx_, "UPDATE stores SET central_seq_acked=?2 WHERE store_id=?1");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindInt(2, I(central_seq));
    return (*up)->Run();
  });
}

Result<uint64_t> SqliteCentralStore::RaiseCentralHead(
    const std::string& store_id, uint64_t central_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  uint64_t before = 0;
  Status txn = InTransaction([&]() -> Status {
    Result<StoreRow> row = EnsureAndSelect(ctx_, store_id);
    if (!row.ok()) return row.status();
    before = row->central_head_seq;
    if (central_seq <= before) return Status::Ok();
    Result<Statement*> up =
        Prep(ctx_,
             "UPDATE stores SET central_head_seq=?2, central_seq_acked=?2 "
             "WHERE store_id=?1");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindInt(2, I(central_seq));
    return (*up)->Run();
  });
  if (!txn.ok()) return txn;
  return before;
}

Status SqliteCentralStore::TouchExchange(const std::string& store_id,
                                         int64_t now_us,
                                         const std::string& agent_version) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return InTransaction([&]() -> Status {
    STOREAGENT_RETURN_IF_ERROR(EnsureStore(ctx_, store_id));
    Result<Statement*> up = Prep(
        ctx_,
        "UPDATE stores SET last_exchange_us=?2, agent_version=CASE WHEN ?3='' "
        "THEN agent_version ELSE ?3 END WHERE store_id=?1");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindInt(2, now_us);
    (*up)->BindText(3, agent_version);
    return (*up)->Run();
  });
}

Status SqliteCentralStore::RecordDigest(const std::string& store_id,
                                        const std::string& result,
                                        uint64_t store_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateDigestResult(result));
  return InTransaction([&]() -> Status {
    STOREAGENT_RETURN_IF_ERROR(EnsureStore(ctx_, store_id));
    Result<Statement*> up = Prep(ctx_,
                                 "UPDATE stores SET last_digest=?2, "
                                 "last_digest_store_seq=?3 WHERE store_id=?1");
    if (!up.ok()) return up.status();
    (*up)->BindText(1, store_id);
    (*up)->BindText(2, result);
    (*up)->BindInt(3, I(store_seq));
    return (*up)->Run();
  });
}

Status SqliteCentralStore::RecordDrift(const std::vector<v1::Drift>& drift) {
  for (size_t i = 0; i < drift.size(); ++i) {
    Status st = ValidateStoreId(drift[i].store_id());
    if (!st.ok()) {
      return InvalidArgument("drift[" + std::to_string(i) + "]." +
                             st.message());
    }
  }
  return InTransaction([&]() -> Status {
    for (const v1::Drift& d : drift) {
      Result<Statement*> s = Prep(
          ctx_,
          "INSERT INTO drift (store_id, drift_id, sku, found_at_us, drift) "
          "VALUES (?1, (SELECT COALESCE(MAX(drift_id), 0) + 1 FROM drift "
          "WHERE store_id=?1), ?2, ?3, ?4)");
      if (!s.ok()) return s.status();
      (*s)->BindText(1, d.store_id());
      (*s)->BindText(2, d.sku());
      (*s)->BindInt(3, d.found_at_us());
      (*s)->BindBlob(4, d.SerializeAsString());
      STOREAGENT_RETURN_IF_ERROR((*s)->Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<v1::Drift>> SqliteCentralStore::ListDrift(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::Drift> out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> s =
        Prep(ctx_,
             "SELECT drift FROM drift WHERE (?1='' OR store_id=?1) "
             "ORDER BY found_at_us DESC, store_id, drift_id DESC LIMIT ?2");
    if (!s.ok()) return s.status();
    (*s)->BindText(1, store_id);
    (*s)->BindInt(2, static_cast<int64_t>(ClampLimit(limit)));
    for (;;) {
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::Drift d;
      if (!d.ParseFromString(std::string((*s)->ColumnBlob(0)))) {
        return DataLoss("drift: a row does not parse");
      }
      out.push_back(std::move(d));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<uint64_t>> SqliteCentralStore::QuarantinedSeqs(
    const std::string& store_id, uint64_t after, uint64_t through) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<uint64_t> out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> q =
        Prep(ctx_,
             "SELECT seq FROM store_events WHERE store_id=?1 AND seq>?2 AND "
             "seq<=?3 AND quarantined IS NOT NULL ORDER BY seq LIMIT ?4");
    if (!q.ok()) return q.status();
    (*q)->BindText(1, store_id);
    (*q)->BindInt(2, I(after));
    (*q)->BindInt(3, Upper(through));
    (*q)->BindInt(4, static_cast<int64_t>(kMaxReadRows));
    for (;;) {
      Result<bool> row = (*q)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(U((*q)->ColumnInt(0)));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<v1::ListQuarantineResponse> SqliteCentralStore::ListQuarantine(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  v1::ListQuarantineResponse out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> q = Prep(
        ctx_,
        "SELECT store_id, seq, reason, at_us FROM quarantine "
        "WHERE (?1='' OR store_id=?1) ORDER BY at_us DESC, store_id, seq DESC "
        "LIMIT ?2");
    if (!q.ok()) return q.status();
    (*q)->BindText(1, store_id);
    (*q)->BindInt(2, static_cast<int64_t>(ClampLimit(limit)));
    for (;;) {
      Result<bool> row = (*q)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::QuarantineEntry* e = out.add_quarantined();
      e->set_store_id(std::string((*q)->ColumnText(0)));
      e->set_seq(U((*q)->ColumnInt(1)));
      e->set_reason(std::string((*q)->ColumnText(2)));
      e->set_at_us((*q)->ColumnInt(3));
    }
    Result<Statement*> b = Prep(
        ctx_,
        "SELECT store_id, seq, sku, escrow, available FROM escrow_breaches "
        "WHERE (?1='' OR store_id=?1) ORDER BY seq DESC, store_id, sku "
        "LIMIT ?2");
    if (!b.ok()) return b.status();
    (*b)->BindText(1, store_id);
    (*b)->BindInt(2, static_cast<int64_t>(ClampLimit(limit)));
    for (;;) {
      Result<bool> row = (*b)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::EscrowBreachEntry* e = out.add_breaches();
      e->set_store_id(std::string((*b)->ColumnText(0)));
      e->set_seq(U((*b)->ColumnInt(1)));
      e->set_sku(std::string((*b)->ColumnText(2)));
      e->set_escrow((*b)->ColumnInt(3));
      e->set_available((*b)->ColumnInt(4));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Status SqliteCentralStore::RecordAdminAudit(const v1::AdminAuditEntry& e) {
  return InTransaction([&]() -> Status {
    Result<Statement*> s =
        Prep(ctx_,
             "INSERT INTO admin_audit (at_us, caller, method, store_id, "
             "detail, code, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!s.ok()) return s.status();
    (*s)->BindInt(1, e.at_us());
    (*s)->BindText(2, e.caller());
    (*s)->BindText(3, e.method());
    (*s)->BindText(4, e.store_id());
    (*s)->BindText(5, e.detail());
    (*s)->BindText(6, e.code());
    (*s)->BindText(7, e.message());
    return (*s)->Run();
  });
}

Result<std::vector<v1::AdminAuditEntry>> SqliteCentralStore::ListAdminAudit(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::AdminAuditEntry> out;
  Status txn = InTransaction([&]() -> Status {
    Result<Statement*> s =
        Prep(ctx_,
             "SELECT audit_id, at_us, caller, method, store_id, detail, code, "
             "message FROM admin_audit WHERE (?1='' OR store_id=?1) "
             "ORDER BY audit_id DESC LIMIT ?2");
    if (!s.ok()) return s.status();
    (*s)->BindText(1, store_id);
    (*s)->BindInt(2, static_cast<int64_t>(ClampLimit(limit)));
    for (;;) {
      Result<bool> row = (*s)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::AdminAuditEntry e;
      e.set_audit_id(static_cast<uint64_t>((*s)->ColumnInt(0)));
      e.set_at_us((*s)->ColumnInt(1));
      e.set_caller(std::string((*s)->ColumnText(2)));
      e.set_method(std::string((*s)->ColumnText(3)));
      e.set_store_id(std::string((*s)->ColumnText(4)));
      e.set_detail(std::string((*s)->ColumnText(5)));
      e.set_code(std::string((*s)->ColumnText(6)));
      e.set_message(std::string((*s)->ColumnText(7)));
      out.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

}  // namespace storeagent::central
