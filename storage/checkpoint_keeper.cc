#include "storage/checkpoint_keeper.h"

#include <vector>

#include "core/checkpoint.h"
#include "storage/sqlite_handle.h"

namespace storeagent::storage {
namespace {

// Records read at once while counting an older journal on open.
constexpr size_t kCatchUpPage = 1000;

bool HasFigures(const v1::JournalRecord& record) {
  if (!record.has_transaction()) return false;
  const v1::Transaction& t = record.transaction();
  return !t.has_daily_close() && t.kind_case() != v1::Transaction::KIND_NOT_SET;
}

}  // namespace

CheckpointKeeper::CheckpointKeeper(Writer& writer, JournalStore& journal,
                                   const Clock& clock, CheckpointPolicy policy)
    : writer_(writer),
      journal_(journal),
      clock_(clock),
      policy_(std::move(policy)),
      builder_(core::DayTotalsBuilder::Perpetual({})) {
  writer_.AddRollbackListener([this](WriteContext& ctx) {
    // Best effort, as the journal's: a failed reload fails the next command
    // that writes the totals, which reloads again.
    Load(ctx.db()).IgnoreError();
  });
}

Status CheckpointKeeper::Load(sqlite3* db) {
  Result<Statement> s = Statement::Prepare(
      db,
      "SELECT counted_seq, totals, checkpoint_seq, checkpoint_at_us "
      "FROM grand_totals WHERE id = 1");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return DataLoss("grand_totals: its one row is missing");
  v1::DayTotals so_far;
  const std::string_view blob = s->ColumnBlob(1);
  if (!so_far.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return DataLoss("grand_totals: the totals do not parse");
  }
  builder_ = core::DayTotalsBuilder::Perpetual(so_far);
  counted_seq_ = static_cast<uint64_t>(s->ColumnInt(0));
  checkpoint_seq_.store(static_cast<uint64_t>(s->ColumnInt(2)));
  checkpoint_at_us_.store(s->ColumnInt(3));
  return Status::Ok();
}

Status CheckpointKeeper::Open() {
  return writer_.Run([this](WriteContext& ctx) -> Status {
    STOREAGENT_RETURN_IF_ERROR(Load(ctx.db()));
    const uint64_t head = journal_.head().seq;
    while (counted_seq_ < head) {
      Result<std::vector<v1::JournalEntry>> page =
          JournalStore::ReadRange(ctx.db(), counted_seq_ + 1, kCatchUpPage);
      if (!page.ok()) return page.status();
      if (page->empty()) break;  // pruned below the anchor: nothing to count
      for (const v1::JournalEntry& e : *page) {
        STOREAGENT_RETURN_IF_ERROR(Remember(ctx, e.record()));
      }
    }
    return Status::Ok();
  });
}

Status CheckpointKeeper::Count(WriteContext& ctx,
                               const v1::JournalRecord& record) {
  if (record.seq() <= counted_seq_) return Status::Ok();
  counted_seq_ = record.seq();
  if (!HasFigures(record)) return Status::Ok();
  std::optional<v1::JournalEntry> voided;
  if (record.transaction().has_post_void()) {
    Result<std::optional<v1::JournalEntry>> v = JournalStore::ReadByKey(
        ctx.db(), record.transaction().post_void().original());
    if (!v.ok()) return v.status();
    voided = std::move(v).value();
  }
  builder_.Add(record, voided ? &voided->record() : nullptr);
  Result<Statement*> upd = ctx.Prepare(
      "UPDATE grand_totals SET counted_seq = ?1, totals = ?2 WHERE id = 1");
  if (!upd.ok()) return upd.status();
  (*upd)->BindInt(1, static_cast<int64_t>(counted_seq_));
  (*upd)->BindBlob(2, builder_.Totals().SerializeAsString());
  return (*upd)->Run();
}

Status CheckpointKeeper::Remember(WriteContext& ctx,
                                  const v1::JournalRecord& record) {
  STOREAGENT_RETURN_IF_ERROR(Count(ctx, record));
  if (!record.has_checkpoint()) return Status::Ok();
  Result<Statement*> upd = ctx.Prepare(
      "UPDATE grand_totals SET checkpoint_seq = ?1, checkpoint_at_us = ?2 "
      "WHERE id = 1");
  if (!upd.ok()) return upd.status();
  (*upd)->BindInt(1, static_cast<int64_t>(record.seq()));
  (*upd)->BindInt(2, record.recorded_at_us());
  STOREAGENT_RETURN_IF_ERROR((*upd)->Run());
  checkpoint_seq_.store(record.seq());
  checkpoint_at_us_.store(record.recorded_at_us());
  return Status::Ok();
}

Status CheckpointKeeper::Append(WriteContext& ctx, std::string_view reason) {
  const JournalHead head = journal_.head();
  v1::CheckpointStatement st;
  st.set_store_id(policy_.store_id);
  st.set_covered_seq(head.seq);
  st.set_covered_hash(head.hash);
  st.set_signed_at_us(clock_.NowMicros());
  *st.mutable_grand_totals() = builder_.Totals();
  st.set_reason(std::string(reason));
  v1::JournalRecord record = core::MakeCheckpointRecord(st, *policy_.key);
  Result<AppendResult> a = journal_.Append(ctx, &record);
  if (!a.ok()) return a.status();
  return Remember(ctx, record);
}

Status CheckpointKeeper::MaybeCheckpoint(WriteContext& ctx,
                                         const v1::JournalRecord& record) {
  if (policy_.key == nullptr) return Status::Ok();
  if (record.has_transaction() && record.transaction().has_daily_close()) {
    return Append(ctx, "daily_close");
  }
  if (policy_.every_events == 0) return Status::Ok();
  if (journal_.head().seq - checkpoint_seq_.load() < policy_.every_events) {
    return Status::Ok();
  }
  return Append(ctx, "events");
}

Result<bool> CheckpointKeeper::CheckpointIfBehind(WriteContext& ctx) {
  if (policy_.key == nullptr) return false;
  const uint64_t head = journal_.head().seq;
  if (head == 0 || head == checkpoint_seq_.load()) return false;
  STOREAGENT_RETURN_IF_ERROR(Append(ctx, "timer"));
  return true;
}

}  // namespace storeagent::storage
