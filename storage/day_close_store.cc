#include "storage/day_close_store.h"

#include "core/day_totals.h"
#include "storage/checkpoint_keeper.h"
#include "storage/event_store.h"
#include "storage/sync_store.h"

namespace storeagent::storage {
namespace {

constexpr char kMetaDayIndex[] = "day_index";

Status RememberClose(DbContext& ctx, const std::string& day,
                     std::string_view terminal, uint64_t seq) {
  Result<Statement*> ins = ctx.Prepare(
      "INSERT OR IGNORE INTO closed_days (business_day, terminal_id, "
      "close_seq) VALUES (?1, ?2, ?3)");
  if (!ins.ok()) return ins.status();
  (*ins)->BindText(1, day);
  (*ins)->BindText(2, terminal);
  (*ins)->BindInt(3, static_cast<int64_t>(seq));
  return (*ins)->Run();
}

// Where a refusal points: the business_day field of the transaction's kind.
std::string DayPath(const v1::Transaction& txn) {
  const char* kind = txn.has_sale()        ? "sale"
                     : txn.has_return_()   ? "return"
                     : txn.has_post_void() ? "post_void"
                                           : "no_sale";
  return std::string("transaction.") + kind + ".business_day";
}

Result<v1::JournalEntry> EntryFromRow(const Statement& stmt) {
  v1::JournalEntry entry;
  std::string_view record = stmt.ColumnBlob(1);
  if (!entry.mutable_record()->ParseFromArray(
          record.data(), static_cast<int>(record.size()))) {
    return DataLoss("journal seq " + std::to_string(stmt.ColumnInt(0)) +
                    ": stored record does not parse");
  }
  entry.set_prev_hash(std::string(stmt.ColumnBlob(2)));
  entry.set_hash(std::string(stmt.ColumnBlob(3)));
  return entry;
}

}  // namespace

const v1::JournalRecord* DayRecords::VoidedBy(
    const v1::JournalRecord& void_record) const {
  const v1::ClientKey& k = void_record.transaction().post_void().original();
  auto it = voided.find({k.terminal_id(), k.client_txn_id()});
  return it == voided.end() ? nullptr : &it->second;
}

Result<std::optional<uint64_t>> DayCloseStore::ClosedBy(
    DbContext& ctx, std::string_view day, std::string_view terminal_id,
    bool whole_store_only) {
  Result<Statement*> q = ctx.Prepare(
      "SELECT close_seq FROM closed_days WHERE business_day = ?1 AND "
      "terminal_id IN (?2, ?3) ORDER BY close_seq LIMIT 1");
  if (!q.ok()) return q.status();
  Statement& s = **q;
  s.BindText(1, day);
  s.BindText(2, whole_store_only ? kWholeStoreTerminal : terminal_id);
  s.BindText(3, kWholeStoreTerminal);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<uint64_t> out;
  if (*row) out = static_cast<uint64_t>(s.ColumnInt(0));
  s.Reset();
  return out;
}

Status DayCloseStore::Remember(DbContext& ctx,
                               const v1::JournalRecord& record) {
  if (!record.has_transaction() || !record.transaction().has_daily_close()) {
    return Status::Ok();
  }
  const v1::DailyClose& dc = record.transaction().daily_close();
  return RememberClose(ctx, dc.business_day(),
                       dc.whole_store() ? kWholeStoreTerminal
                                        : record.client_key().terminal_id(),
                       record.seq());
}

Status DayCloseStore::AfterAppend(DbContext& ctx,
                                  const v1::JournalRecord& record) {
  if (!record.has_transaction()) return Status::Ok();
  const v1::Transaction& txn = record.transaction();
  if (txn.has_daily_close()) return Remember(ctx, record);
  if (txn.kind_case() == v1::Transaction::KIND_NOT_SET) return Status::Ok();
  const std::string day = JournalStore::DayOf(record);
  const std::string& terminal = record.client_key().terminal_id();
  Result<std::optional<uint64_t>> closed =
      ClosedBy(ctx, day, terminal, /*whole_store_only=*/false);
  if (!closed.ok()) return closed.status();
  if (!closed->has_value()) return Status::Ok();
  return FailedPrecondition(
      DayPath(txn) + ": terminal " + terminal + "'s business day " + day +
      " is closed (daily close seq " + std::to_string(**closed) +
      "); record the event on the next business day");
}

Result<DayRecords> DayCloseStore::ReadDay(DbContext& ctx,
                                          const std::string& day) {
  Result<Statement*> q = ctx.Prepare(
      "SELECT seq, record, prev_hash, hash FROM journal "
      "WHERE business_day = ?1 ORDER BY seq");
  if (!q.ok()) return q.status();
  Statement& s = **q;
  s.BindText(1, day);
  DayRecords out;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<v1::JournalEntry> e = EntryFromRow(s);
    if (!e.ok()) return e.status();
    out.entries.push_back(std::move(e).value());
  }
  s.Reset();
  for (const v1::JournalEntry& e : out.entries) {
    const v1::JournalRecord& r = e.record();
    if (!r.has_transaction() || !r.transaction().has_post_void()) continue;
    const v1::ClientKey& k = r.transaction().post_void().original();
    Result<std::optional<v1::JournalEntry>> orig =
        JournalStore::ReadByKey(ctx.db(), k);
    if (!orig.ok()) return orig.status();
    if (orig->has_value()) {
      out.voided[{k.terminal_id(), k.client_txn_id()}] =
          std::move(*(*orig)->mutable_record());
    }
  }
  return out;
}

Status DayCloseStore::BuildIndexOnce(DbContext& ctx) {
  Result<uint64_t> built = SyncStore::ReadMetaU64(ctx, kMetaDayIndex);
  if (!built.ok()) return built.status();
  if (*built == 1) return Status::Ok();
  Result<std::vector<v1::JournalEntry>> entries = JournalStore::ReadWhere(
      ctx.db(),
      "business_day IS NULL AND kind IN ('sale', 'return', 'post_void', "
      "'no_sale', 'daily_close')");
  if (!entries.ok()) return entries.status();
  Result<Statement*> upd =
      ctx.Prepare("UPDATE journal SET business_day = ?1 WHERE seq = ?2");
  if (!upd.ok()) return upd.status();
  for (const v1::JournalEntry& e : *entries) {
    const v1::JournalRecord& r = e.record();
    (*upd)->Reset();
    (*upd)->BindText(1, JournalStore::DayOf(r));
    (*upd)->BindInt(2, static_cast<int64_t>(r.seq()));
    STOREAGENT_RETURN_IF_ERROR((*upd)->Run());
    STOREAGENT_RETURN_IF_ERROR(Remember(ctx, r));
  }
  return SyncStore::WriteMetaU64(ctx, kMetaDayIndex, 1);
}

Result<AppendResult> AppendDailyClose(DbContext& ctx, JournalStore& journal,
                                      v1::JournalRecord record) {
  v1::DailyClose* dc = record.mutable_transaction()->mutable_daily_close();
  const std::string& terminal = record.client_key().terminal_id();
  Result<std::optional<uint64_t>> closed = DayCloseStore::ClosedBy(
      ctx, dc->business_day(), terminal, dc->whole_store());
  if (!closed.ok()) return closed.status();
  if (closed->has_value()) {
    Result<std::optional<v1::JournalEntry>> first =
        JournalStore::ReadBySeq(ctx.db(), **closed);
    if (!first.ok()) return first.status();
    if (!first->has_value()) {
      return DataLoss("closed_days: the close at seq " +
                      std::to_string(**closed) + " is not in the journal");
    }
    AppendResult r;
    r.seq = (*first)->record().seq();
    r.hash = (*first)->hash();
    r.recorded_at_us = (*first)->record().recorded_at_us();
    r.replayed = true;
    return r;
  }
  Result<DayRecords> day = DayCloseStore::ReadDay(ctx, dc->business_day());
  if (!day.ok()) return day.status();
  core::DayTotalsBuilder builder(dc->business_day(),
                                 dc->whole_store() ? "" : terminal);
  for (const v1::JournalEntry& e : day->entries) {
    builder.Add(e.record(), day->VoidedBy(e.record()));
  }
  *dc->mutable_agent_totals() = builder.Totals();
  for (v1::CloseDifference& d : core::CompareClose(*dc, dc->agent_totals())) {
    *dc->add_differences() = std::move(d);
  }
  if (journal.checkpoints() != nullptr) {
    *dc->mutable_grand_totals() = journal.checkpoints()->totals();
  }
  return AppendEvent(ctx, journal, std::move(record));
}

}  // namespace storeagent::storage
