#include "storage/event_store.h"

#include "storage/checkpoint_keeper.h"
#include "storage/day_close_store.h"
#include "storage/return_limits.h"
#include "storage/stock_ledger.h"

namespace storeagent::storage {

Result<AppendResult> AppendEvent(DbContext& ctx, JournalStore& journal,
                                 v1::JournalRecord record,
                                 std::string content_digest) {
  // Append fills in seq and recorded_at, which the stock rule reads.
  Result<AppendResult> r =
      journal.Append(ctx, &record, std::move(content_digest));
  if (!r.ok() || r->replayed) return r;
  CheckpointKeeper* checkpoints = journal.checkpoints();
  if (checkpoints != nullptr) {
    STOREAGENT_RETURN_IF_ERROR(checkpoints->Count(ctx, record));
  }
  STOREAGENT_RETURN_IF_ERROR(DayCloseStore::AfterAppend(ctx, record));
  STOREAGENT_RETURN_IF_ERROR(ReturnLimits::AfterAppend(ctx, record));
  std::vector<std::string> touched;
  STOREAGENT_RETURN_IF_ERROR(StockLedger::Apply(ctx, record, &touched));
  if (journal.after_append()) {
    STOREAGENT_RETURN_IF_ERROR(journal.after_append()(ctx, record, touched));
  }
  if (checkpoints != nullptr) {
    STOREAGENT_RETURN_IF_ERROR(checkpoints->MaybeCheckpoint(ctx, record));
  }
  return r;
}

}  // namespace storeagent::storage
