#include "central/store/sql_central_store.h"

#include <map>
#include <utility>

#include "central/store/central_schema.h"
#include "central/store/escrow_breach.h"
#include "central/store/ingest_plan.h"
#include "central/store/kpi_index.h"
#include "central/store/kpi_ingest.h"
#include "central/store/price_deviation_store.h"
#include "central/store/store_args.h"
#include "core/journal_chain.h"
#include "platform/signing.h"

namespace storeagent::central {
namespace {

// (after, through] with through 0 = unbounded.
int64_t Upper(uint64_t through) {
  return through == 0 ? INT64_MAX : SqlInt(through);
}
int64_t Limit(size_t limit) { return static_cast<int64_t>(ClampLimit(limit)); }

const std::string kSelectStore =
    "SELECT " + std::string(kStoreColumns) + " FROM stores WHERE store_id=?1";

// Store rows are created (all zeros, genesis hash) on first sight.
Status EnsureStore(SqlTx& tx, const std::string& store_id) {
  return tx.Exec(
      "INSERT INTO stores (store_id, store_hash_held) VALUES (?1, ?2) "
      "ON CONFLICT (store_id) DO NOTHING",
      {store_id, SqlBlob{core::GenesisHash()}});
}

Result<std::optional<StoreRow>> SelectStore(SqlTx& tx,
                                            const std::string& store_id) {
  std::optional<StoreRow> out;
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query(kSelectStore, {store_id}, [&](const SqlRow& r) {
        out = StoreRowFrom(r);
        return Status::Ok();
      }));
  return out;
}

Result<StoreRow> EnsureAndSelect(SqlTx& tx, const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(EnsureStore(tx, store_id));
  Result<std::optional<StoreRow>> row = SelectStore(tx, store_id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return Internal("stores: row vanished");
  return std::move(**row);
}

// One query in its own transaction: parse(row, item) makes an item of each
// row, in order; a parse error ends the read. `prepared`: a query run over
// and over (SqlTx::QueryPrepared).
template <typename T, typename Parse>
Result<std::vector<T>> ReadRows(SqlEngine& engine, const std::string& what,
                                std::string_view sql, SqlParams params,
                                Parse&& parse, bool prepared = false) {
  std::vector<T> out;
  Status txn = engine.InTransaction(what, [&](SqlTx& tx) {
    out.clear();
    auto each = [&](const SqlRow& r) -> Status {
      T item;
      STOREAGENT_RETURN_IF_ERROR(parse(r, item));
      out.push_back(std::move(item));
      return Status::Ok();
    };
    return prepared ? tx.QueryPrepared(std::string(sql), params, each)
                    : tx.Query(sql, params, each);
  });
  if (!txn.ok()) return txn;
  return out;
}

}  // namespace

StoreRow StoreRowFrom(const SqlRow& r) {
  StoreRow s;
  s.store_id = r.Text(0);
  s.store_seq_held = SqlUint(r.Int(1));
  s.store_hash_held = r.Blob(2);
  s.store_recorded_at_us = r.Int(3);
  s.central_head_seq = SqlUint(r.Int(4));
  s.central_seq_acked = SqlUint(r.Int(5));
  s.last_exchange_us = r.Int(6);
  s.agent_version = r.Text(7);
  s.last_digest = r.Text(8);
  s.last_digest_store_seq = SqlUint(r.Int(9));
  s.quarantined = r.Int(10);
  s.escrow_breaches = r.Int(11);
  s.region = r.Text(12);
  s.signing_key_id = r.Text(13);
  s.last_checkpoint_seq = SqlUint(r.Int(14));
  s.signature_problem = r.Text(15);
  s.signature_problem_at_us = r.Int(16);
  return s;
}

Result<StoreRow> LockStore(SqlTx& tx, const std::string& store_id) {
  for (int pass = 0; pass < 2; ++pass) {
    std::optional<StoreRow> row;
    STOREAGENT_RETURN_IF_ERROR(tx.LockStoreRow(store_id, [&](const SqlRow& r) {
      row = StoreRowFrom(r);
      return Status::Ok();
    }));
    if (row.has_value()) return std::move(*row);
    if (pass == 0) STOREAGENT_RETURN_IF_ERROR(EnsureStore(tx, store_id));
  }
  return Internal("stores: row vanished");
}

Result<PushResult> AppendLockedCentralEvent(SqlTx& tx, StoreRow& row,
                                            const std::string& request_key,
                                            const v1::CentralEvent& event,
                                            int64_t now_us,
                                            std::optional<uint64_t> expected) {
  PushResult out;
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query("SELECT central_seq FROM central_events "
               "WHERE store_id=?1 AND request_key=?2",
               {row.store_id, request_key}, [&](const SqlRow& r) {
                 out.central_seq = SqlUint(r.Int(0));
                 out.replayed = true;
                 return Status::Ok();
               }));
  if (out.replayed) return out;
  // The store row is locked: the head cannot move between this check and
  // the insert.
  STOREAGENT_RETURN_IF_ERROR(CheckHead(expected, row.central_head_seq));
  const uint64_t seq = row.central_head_seq + 1;
  v1::CentralEvent stored = event;
  stored.set_central_seq(seq);
  stored.set_created_at_us(now_us);
  std::string bytes;
  if (!stored.SerializeToString(&bytes)) {
    return InvalidArgument("event: does not serialize");
  }
  STOREAGENT_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO central_events (store_id, central_seq, "
      "request_key, created_at_us, event) "
      "VALUES (?1, ?2, ?3, ?4, ?5)",
      {row.store_id, SqlInt(seq), request_key, now_us, SqlBlob{bytes}}));
  STOREAGENT_RETURN_IF_ERROR(
      tx.Exec("UPDATE stores SET central_head_seq=?2 WHERE store_id=?1",
              {row.store_id, SqlInt(seq)}));
  STOREAGENT_RETURN_IF_ERROR(
      escrow::OnCentralEvent(tx, row.store_id, seq, stored, now_us));
  row.central_head_seq = seq;
  out.central_seq = seq;
  return out;
}

Status SchemaTooNew(const std::string& where, int version) {
  return FailedPrecondition(
      where + " schema version " + std::to_string(version) +
      " is newer than this build supports (" +
      std::to_string(kCentralSchemaVersion) + "): upgrade storecentrald");
}

Status SqlCentralStore::Ping() {
  return engine_->InTransaction("ping", [](SqlTx& tx) {
    return tx.Query("SELECT 1", {}, [](const SqlRow&) { return Status::Ok(); });
  });
}

Result<StoreRow> SqlCentralStore::GetOrCreateStore(
    const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  StoreRow out;
  Status txn = engine_->InTransaction("GetOrCreateStore", [&](SqlTx& tx) {
    Result<StoreRow> row = EnsureAndSelect(tx, store_id);
    if (!row.ok()) return row.status();
    out = std::move(row).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::optional<StoreRow>> SqlCentralStore::GetStore(
    const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::optional<StoreRow> out;
  Status txn = engine_->InTransaction("GetStore", [&](SqlTx& tx) {
    Result<std::optional<StoreRow>> row = SelectStore(tx, store_id);
    if (!row.ok()) return row.status();
    out = std::move(row).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<std::optional<StoreRow>>> SqlCentralStore::GetStores(
    const std::vector<std::string>& store_ids) {
  for (const std::string& id : store_ids) {
    STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(id));
  }
  std::vector<std::optional<StoreRow>> out;
  Status txn = engine_->InTransaction("GetStores", [&](SqlTx& tx) {
    out.clear();
    for (const std::string& id : store_ids) {
      Result<std::optional<StoreRow>> row = SelectStore(tx, id);
      if (!row.ok()) return row.status();
      out.push_back(std::move(row).value());
    }
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<StoreRow>> SqlCentralStore::ListStores() {
  return ReadRows<StoreRow>(
      *engine_, "ListStores",
      "SELECT " + std::string(kStoreColumns) + " FROM stores ORDER BY store_id",
      {}, [](const SqlRow& r, StoreRow& s) {
        s = StoreRowFrom(r);
        return Status::Ok();
      });
}

Result<IngestResult> SqlCentralStore::IngestCheckedBatch(
    const std::string& store_id, const std::vector<v1::JournalEntry>& entries,
    const std::vector<EntryCheck>& checks, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  IngestResult out;
  Status txn = engine_->InTransaction("IngestBatch", [&](SqlTx& tx) -> Status {
    out = IngestResult{};
    Result<StoreRow> row = LockStore(tx, store_id);
    if (!row.ok()) return row.status();
    const ChainHead held{row->store_seq_held, row->store_hash_held,
                         row->store_recorded_at_us};
    Result<IngestPlan> plan = PlanIngest(held, entries, checks);
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
      Result<int64_t> b =
          escrow::OnStoreRecord(tx, store_id, p.seq, p.entry->record(), now_us);
      if (!b.ok()) return b.status();
      breaches += *b;
      out.applied.push_back(static_cast<size_t>(p.entry - entries.data()));
    }
    out.acked_seq = plan->head.seq;
    out.escrow_breaches = breaches;
    if (plan->entries.empty()) return Status::Ok();
    const bool kpi_on = kpi_on_.load();
    // Asked only when the KPI side would use it (kpi_index.h).
    bool pending_returns = true;
    STOREAGENT_RETURN_IF_ERROR(tx.WriteIngest(
        store_id, *plan, now_us, quarantined, breaches,
        kpi_on && kpi::BringsOriginals(*plan) ? &pending_returns : nullptr));
    // The price deviations are kept with the aggregation off too.
    if (!kpi_on) return deviations::OnIngestWithoutKpis(tx, store_id, *plan);
    return kpi::OnIngest(tx, store_id, *plan, now_us, pending_returns);
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::JournalEntry>> SqlCentralStore::ReadStoreEvents(
    const std::string& store_id, uint64_t after, uint64_t through,
    size_t limit) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return ReadRows<v1::JournalEntry>(
      *engine_, "ReadStoreEvents",
      "SELECT seq, record, prev_hash, hash FROM store_events "
      "WHERE store_id=?1 AND seq>?2 AND seq<=?3 ORDER BY seq LIMIT ?4",
      {store_id, SqlInt(after), Upper(through), Limit(limit)},
      [&](const SqlRow& r, v1::JournalEntry& e) -> Status {
        if (!e.mutable_record()->ParseFromString(r.Blob(1))) {
          return DataLoss("store_events: store " + store_id + " seq " +
                          std::to_string(r.Int(0)) + ": record does not parse");
        }
        // The stored bytes travel too: a 0.4 agent re-seeded from them
        // keeps them verbatim (docs/sync-protocol.md, "Record bytes").
        e.set_canonical_record(r.Blob(1));
        e.set_prev_hash(r.Blob(2));
        e.set_hash(r.Blob(3));
        return Status::Ok();
      });
}

Result<PushResult> SqlCentralStore::AppendCentralEventAt(
    const std::string& store_id, const std::string& request_key,
    v1::CentralEvent event, int64_t now_us,
    std::optional<uint64_t> expected_head) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateRequestKey(request_key));
  STOREAGENT_RETURN_IF_ERROR(ValidateCentralEventKind(event));
  PushResult out;
  Status txn =
      engine_->InTransaction("AppendCentralEvent", [&](SqlTx& tx) -> Status {
        out = PushResult{};
        Result<StoreRow> row = LockStore(tx, store_id);
        if (!row.ok()) return row.status();
        Result<PushResult> pushed = AppendLockedCentralEvent(
            tx, *row, request_key, event, now_us, expected_head);
        if (!pushed.ok()) return pushed.status();
        out = *pushed;
        return Status::Ok();
      });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::CentralEvent>> SqlCentralStore::ReadCentralEvents(
    const std::string& store_id, uint64_t after, uint64_t through,
    size_t limit) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return ReadRows<v1::CentralEvent>(
      *engine_, "ReadCentralEvents",
      "SELECT central_seq, event FROM central_events WHERE store_id=?1 "
      "AND central_seq>?2 AND central_seq<=?3 ORDER BY central_seq LIMIT ?4",
      {store_id, SqlInt(after), Upper(through), Limit(limit)},
      [&](const SqlRow& r, v1::CentralEvent& e) -> Status {
        if (!e.ParseFromString(r.Blob(1))) {
          return DataLoss("central_events: store " + store_id +
                          " central_seq " + std::to_string(r.Int(0)) +
                          ": event does not parse");
        }
        return Status::Ok();
      });
}

Status SqlCentralStore::AckCentralAt(const std::string& store_id,
                                     uint64_t central_seq,
                                     std::optional<int64_t> received_at_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return engine_->InTransaction("AckCentral", [&](SqlTx& tx) -> Status {
    Result<StoreRow> row = LockStore(tx, store_id);
    if (!row.ok()) return row.status();
    if (central_seq > row->central_head_seq) {
      return FailedPrecondition("central_seq: " + std::to_string(central_seq) +
                                " is beyond the head " +
                                std::to_string(row->central_head_seq) +
                                " of store " + store_id);
    }
    if (central_seq <= row->central_seq_acked) return Status::Ok();
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("UPDATE stores SET central_seq_acked=?2 WHERE store_id=?1",
                {store_id, SqlInt(central_seq)}));
    if (!received_at_us.has_value() || !kpi_on_.load()) return Status::Ok();
    return kpi::OnCentralAck(tx, store_id, row->central_seq_acked, central_seq,
                             *received_at_us);
  });
}

Result<uint64_t> SqlCentralStore::RaiseCentralHead(const std::string& store_id,
                                                   uint64_t central_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  uint64_t before = 0;
  Status txn =
      engine_->InTransaction("RaiseCentralHead", [&](SqlTx& tx) -> Status {
        Result<StoreRow> row = LockStore(tx, store_id);
        if (!row.ok()) return row.status();
        before = row->central_head_seq;
        if (central_seq <= before) return Status::Ok();
        return tx.Exec(
            "UPDATE stores SET central_head_seq=?2, central_seq_acked=?2 "
            "WHERE store_id=?1",
            {store_id, SqlInt(central_seq)});
      });
  if (!txn.ok()) return txn;
  return before;
}

Status SqlCentralStore::TouchExchange(const std::string& store_id,
                                      int64_t now_us,
                                      const std::string& agent_version) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return engine_->InTransaction("TouchExchange", [&](SqlTx& tx) -> Status {
    STOREAGENT_RETURN_IF_ERROR(EnsureStore(tx, store_id));
    return tx.Exec(
        "UPDATE stores SET last_exchange_us=?2, agent_version=CASE WHEN ?3='' "
        "THEN agent_version ELSE ?3 END WHERE store_id=?1",
        {store_id, now_us, agent_version});
  });
}

Result<core::StoreKeys> SqlCentralStore::RegisterSigningKey(
    const std::string& store_id, const std::string& public_key,
    uint64_t agent_head_seq, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  if (!public_key.empty() &&
      public_key.size() != crypto::kEd25519PublicKeyBytes) {
    return InvalidArgument(
        "hello.store_public_key: " + std::to_string(public_key.size()) +
        " bytes, not an Ed25519 public key (32)");
  }
  core::StoreKeys keys;
  Status txn =
      engine_->InTransaction("RegisterSigningKey", [&](SqlTx& tx) -> Status {
        keys.clear();
        Result<StoreRow> row = LockStore(tx, store_id);
        if (!row.ok()) return row.status();
        STOREAGENT_RETURN_IF_ERROR(
            tx.Query("SELECT key_id, public_key FROM store_signing_keys "
                     "WHERE store_id=?1",
                     {store_id}, [&](const SqlRow& r) {
                       keys.emplace(r.Text(0), r.Blob(1));
                       return Status::Ok();
                     }));
        if (public_key.empty()) return Status::Ok();
        const std::string id = crypto::KeyId(public_key);
        if (id == row->signing_key_id) return Status::Ok();
        if (!row->signing_key_id.empty() && agent_head_seq != 0) {
          return FailedPrecondition(
              "hello.store_public_key: store " + store_id +
              " presents checkpoint key " + id +
              " but central registered key " + row->signing_key_id +
              " for it; a store changes its key only with a new database "
              "(re-seeded by central). Restore the store's signing key "
              "file, or move its database aside so central re-seeds it");
        }
        STOREAGENT_RETURN_IF_ERROR(tx.Exec(
            "INSERT INTO store_signing_keys (store_id, key_id, public_key, "
            "registered_at_us, from_seq) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT (store_id, key_id) DO NOTHING",
            {store_id, id, SqlBlob{public_key}, now_us,
             SqlInt(row->store_seq_held + 1)}));
        keys.emplace(id, public_key);
        return tx.Exec("UPDATE stores SET signing_key_id=?2 WHERE store_id=?1",
                       {store_id, id});
      });
  if (!txn.ok()) return txn;
  return keys;
}

Status SqlCentralStore::RecordCheckpoint(const std::string& store_id,
                                         uint64_t seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return engine_->InTransaction("RecordCheckpoint", [&](SqlTx& tx) -> Status {
    return tx.Exec(
        "UPDATE stores SET last_checkpoint_seq=?2 WHERE store_id=?1 AND "
        "last_checkpoint_seq < ?2",
        {store_id, SqlInt(seq)});
  });
}

Status SqlCentralStore::RecordSignatureProblem(const std::string& store_id,
                                               const std::string& problem,
                                               int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return engine_->InTransaction(
      "RecordSignatureProblem", [&](SqlTx& tx) -> Status {
        STOREAGENT_RETURN_IF_ERROR(EnsureStore(tx, store_id));
        return tx.Exec(
            "UPDATE stores SET signature_problem=?2, "
            "signature_problem_at_us=?3 WHERE store_id=?1",
            {store_id, problem, now_us});
      });
}

Status SqlCentralStore::RecordDigest(const std::string& store_id,
                                     const std::string& result,
                                     uint64_t store_seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateDigestResult(result));
  return engine_->InTransaction("RecordDigest", [&](SqlTx& tx) -> Status {
    STOREAGENT_RETURN_IF_ERROR(EnsureStore(tx, store_id));
    return tx.Exec(
        "UPDATE stores SET last_digest=?2, last_digest_store_seq=?3 "
        "WHERE store_id=?1",
        {store_id, result, SqlInt(store_seq)});
  });
}

Status SqlCentralStore::RecordDrift(const std::vector<v1::Drift>& drift) {
  for (size_t i = 0; i < drift.size(); ++i) {
    Status st = ValidateStoreId(drift[i].store_id());
    if (!st.ok()) {
      return InvalidArgument("drift[" + std::to_string(i) + "]." +
                             st.message());
    }
  }
  return engine_->InTransaction("RecordDrift", [&](SqlTx& tx) -> Status {
    for (const v1::Drift& d : drift) {
      STOREAGENT_RETURN_IF_ERROR(tx.InsertDrift(d));
    }
    if (!kpi_on_.load()) return Status::Ok();
    return kpi::OnDrift(tx, drift);
  });
}

Result<std::vector<v1::Drift>> SqlCentralStore::ListDrift(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return ReadRows<v1::Drift>(
      *engine_, "ListDrift",
      "SELECT drift FROM drift WHERE (?1='' OR store_id=?1) "
      "ORDER BY found_at_us DESC, store_id, drift_id DESC LIMIT ?2",
      {store_id, Limit(limit)}, [](const SqlRow& r, v1::Drift& d) -> Status {
        if (!d.ParseFromString(r.Blob(0))) {
          return DataLoss("drift: a row does not parse");
        }
        return Status::Ok();
      });
}

Result<std::vector<uint64_t>> SqlCentralStore::QuarantinedSeqs(
    const std::string& store_id, uint64_t after, uint64_t through) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return ReadRows<uint64_t>(
      *engine_, "QuarantinedSeqs",
      "SELECT seq FROM store_events WHERE store_id=?1 AND seq>?2 AND "
      "seq<=?3 AND quarantined IS NOT NULL ORDER BY seq LIMIT ?4",
      {store_id, SqlInt(after), Upper(through), Limit(kMaxReadRows)},
      [](const SqlRow& r, uint64_t& seq) {
        seq = SqlUint(r.Int(0));
        return Status::Ok();
      });
}

Result<v1::ListQuarantineResponse> SqlCentralStore::ListQuarantine(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  v1::ListQuarantineResponse out;
  Status txn = engine_->InTransaction("ListQuarantine", [&](SqlTx& tx) {
    out.Clear();
    STOREAGENT_RETURN_IF_ERROR(tx.Query(
        "SELECT store_id, seq, reason, at_us FROM quarantine "
        "WHERE (?1='' OR store_id=?1) ORDER BY at_us DESC, store_id, seq DESC "
        "LIMIT ?2",
        {store_id, Limit(limit)}, [&](const SqlRow& r) {
          v1::QuarantineEntry* e = out.add_quarantined();
          e->set_store_id(r.Text(0));
          e->set_seq(SqlUint(r.Int(1)));
          e->set_reason(r.Text(2));
          e->set_at_us(r.Int(3));
          return Status::Ok();
        }));
    STOREAGENT_RETURN_IF_ERROR(
        tx.Query("SELECT store_id, seq, sku, escrow, available, at_risk "
                 "FROM escrow_breaches WHERE (?1='' OR store_id=?1) "
                 "ORDER BY seq DESC, store_id, sku LIMIT ?2",
                 {store_id, Limit(limit)}, [&](const SqlRow& r) {
                   v1::EscrowBreachEntry* e = out.add_breaches();
                   e->set_store_id(r.Text(0));
                   e->set_seq(SqlUint(r.Int(1)));
                   e->set_sku(r.Text(2));
                   e->set_escrow(r.Int(3));
                   e->set_available(r.Int(4));
                   e->set_at_risk(r.Int(5));
                   return Status::Ok();
                 }));
    return escrow::FillBreachOrders(tx, out);
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<v1::AtRiskOrder>> SqlCentralStore::ListAtRiskOrders(
    const std::string& store_id, bool unresolved_only, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::vector<v1::AtRiskOrder> out;
  Status txn = engine_->InTransaction("ListAtRiskOrders", [&](SqlTx& tx) {
    Result<std::vector<v1::AtRiskOrder>> rows =
        escrow::ListAtRisk(tx, store_id, unresolved_only, Limit(limit));
    if (!rows.ok()) return rows.status();
    out = std::move(rows).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Status SqlCentralStore::RecordAdminAudit(const v1::AdminAuditEntry& e) {
  return engine_->InTransaction("RecordAdminAudit", [&](SqlTx& tx) {
    return tx.Exec(
        "INSERT INTO admin_audit (at_us, caller, method, store_id, detail, "
        "code, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        {e.at_us(), e.caller(), e.method(), e.store_id(), e.detail(), e.code(),
         e.message()});
  });
}

Result<std::vector<v1::AdminAuditEntry>> SqlCentralStore::ListAdminAudit(
    const std::string& store_id, size_t limit) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return ReadRows<v1::AdminAuditEntry>(
      *engine_, "ListAdminAudit",
      "SELECT audit_id, at_us, caller, method, store_id, detail, code, "
      "message FROM admin_audit WHERE (?1='' OR store_id=?1) "
      "ORDER BY audit_id DESC LIMIT ?2",
      {store_id, Limit(limit)}, [](const SqlRow& r, v1::AdminAuditEntry& e) {
        e.set_audit_id(SqlUint(r.Int(0)));
        e.set_at_us(r.Int(1));
        e.set_caller(r.Text(2));
        e.set_method(r.Text(3));
        e.set_store_id(r.Text(4));
        e.set_detail(r.Text(5));
        e.set_code(r.Text(6));
        e.set_message(r.Text(7));
        return Status::Ok();
      });
}

Status SqlCentralStore::PutReplicaSnapshot(const std::string& store_id,
                                           const ReplicaSnapshotRow& snap) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  return engine_->InTransaction("PutReplicaSnapshot", [&](SqlTx& tx) {
    // Replaced only by a snapshot at or after it in both seqs: two central
    // replicas writing for one store never move it back.
    return tx.Exec(
        "INSERT INTO replica_snapshots (store_id, store_seq, central_seq, "
        "state, taken_at_us) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (store_id) DO UPDATE SET store_seq=excluded.store_seq, "
        "central_seq=excluded.central_seq, state=excluded.state, "
        "taken_at_us=excluded.taken_at_us "
        "WHERE replica_snapshots.store_seq<=excluded.store_seq AND "
        "replica_snapshots.central_seq<=excluded.central_seq",
        {store_id, SqlInt(snap.store_seq), SqlInt(snap.central_seq),
         SqlBlob{snap.state}, snap.taken_at_us});
  });
}

Result<std::optional<ReplicaSnapshotRow>> SqlCentralStore::GetReplicaSnapshot(
    const std::string& store_id) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  Result<std::vector<ReplicaSnapshotRow>> rows = ReadRows<ReplicaSnapshotRow>(
      *engine_, "GetReplicaSnapshot",
      "SELECT store_seq, central_seq, state, taken_at_us FROM "
      "replica_snapshots WHERE store_id=?1",
      {store_id}, [](const SqlRow& r, ReplicaSnapshotRow& s) {
        s.store_seq = SqlUint(r.Int(0));
        s.central_seq = SqlUint(r.Int(1));
        s.state = r.Blob(2);
        s.taken_at_us = r.Int(3);
        return Status::Ok();
      });
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ReplicaSnapshotRow>();
  return std::optional<ReplicaSnapshotRow>(std::move(rows->front()));
}

// ------------------------------------------------------------ change feed

Result<std::vector<FeedRow>> SqlCentralStore::ReadFeedPage(
    const FeedPageQuery& q) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(q.store_id));
  const int64_t from = q.from_us == 0 ? INT64_MIN : q.from_us;
  const int64_t to = q.to_us == 0 ? INT64_MAX : q.to_us;
  const SqlParams params = {q.store_id, SqlInt(q.after), Upper(q.through), from,
                            to,         Limit(q.limit)};
  if (q.source == FeedSource::kStore) {
    std::vector<FeedRow> out;
    Status txn = engine_->InTransaction("ReadFeedPage", [&](SqlTx& tx) {
      out.clear();
      bool returns = false;
      static const std::string kPage =
          "SELECT seq, kind, recorded_at_us, ingested_at_us, record, "
          "COALESCE(quarantined, '') FROM store_events WHERE store_id=?1 AND "
          "seq>?2 AND seq<=?3 AND recorded_at_us>=?4 AND recorded_at_us<?5 "
          "ORDER BY seq LIMIT ?6";
      STOREAGENT_RETURN_IF_ERROR(
          tx.QueryPrepared(kPage, params, [&](const SqlRow& r) {
            FeedRow& row = out.emplace_back();
            row.number = SqlUint(r.Int(0));
            row.kind = r.Text(1);
            row.at_us = r.Int(2);
            row.ingested_at_us = r.Int(3);
            row.bytes = r.Blob(4);
            row.quarantined = r.Text(5);
            returns = returns || row.kind == "return";
            return Status::Ok();
          }));
      if (!returns) return Status::Ok();
      // The page's returns' originals in one range read, not one per
      // return.
      Result<std::map<uint64_t, v1::ResolvedOriginal>> originals =
          kpi::ReadResolvedOriginals(tx, q.store_id, q.after,
                                     out.back().number);
      if (!originals.ok()) return originals.status();
      for (FeedRow& row : out) {
        auto it = originals->find(row.number);
        if (it != originals->end()) row.original = std::move(it->second);
      }
      return Status::Ok();
    });
    if (!txn.ok()) return txn;
    return out;
  }
  // A central event is created and committed in one transaction.
  return ReadRows<FeedRow>(
      *engine_, "ReadFeedPage",
      "SELECT central_seq, created_at_us, event FROM central_events "
      "WHERE store_id=?1 AND central_seq>?2 AND central_seq<=?3 AND "
      "created_at_us>=?4 AND created_at_us<?5 ORDER BY central_seq LIMIT ?6",
      params,
      [](const SqlRow& r, FeedRow& row) {
        row.number = SqlUint(r.Int(0));
        row.at_us = r.Int(1);
        row.ingested_at_us = row.at_us;
        row.bytes = r.Blob(2);
        return Status::Ok();
      },
      /*prepared=*/true);
}

}  // namespace storeagent::central
