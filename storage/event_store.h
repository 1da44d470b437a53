// AppendEvent: the one way an event enters the store's books: appended to the
// journal and its stock effect applied, in the same writer transaction.
#ifndef STOREAGENT_STORAGE_EVENT_STORE_H_
#define STOREAGENT_STORAGE_EVENT_STORE_H_

#include <string>

#include "platform/status.h"
#include "storage/journal_store.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

// Appends `record` and, unless it is a retry of an event already recorded,
// checks its business day against the closed days and records a close
// (storage::DayCloseStore::AfterAppend: an event dated a closed day fails
// the command) and applies its stock effects (storage::StockLedger). A failing
// effect (e.g. a hold transition the hold's state forbids) fails the command,
// so the writer rolls the append back with it. Then runs the journal's
// AfterAppend hook (the escrow keeper), in the same transaction. The
// event counts in the grand totals before any of that, and a checkpoint
// may follow it last (storage/checkpoint_keeper.h). Writer thread.
Result<AppendResult> AppendEvent(DbContext& ctx, JournalStore& journal,
                                 v1::JournalRecord record,
                                 std::string content_digest = {});

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_EVENT_STORE_H_
