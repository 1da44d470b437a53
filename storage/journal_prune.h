// Journal pruning: deletes the oldest journal rows once central has
// acknowledged them and they are older than the replay window, moving the
// chain's anchor (journal_anchor) to the last deleted row in the same
// transaction, so `journal verify` keeps checking what remains.
//
// One call prunes at most `batch` rows in the caller's transaction (a writer
// command); the agent's JournalPruneTimer submits one command per batch so
// sales interleave. Rows are taken strictly in seq order from the anchor and
// the walk stops at the first row that is not both acknowledged
// (seq <= meta 'central_acked_seq') and older than `cutoff_us`: what remains
// is always a suffix of the journal, and an event central has not
// acknowledged is never deleted, whatever its age or the clock says.
#ifndef STOREAGENT_STORAGE_JOURNAL_PRUNE_H_
#define STOREAGENT_STORAGE_JOURNAL_PRUNE_H_

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>

#include "platform/status.h"
#include "storage/writer.h"

namespace storeagent::storage {

// Largest `batch` accepted (retention.prune_batch's upper limit).
inline constexpr size_t kMaxPruneBatch = 100'000;

struct PruneResult {
  uint64_t pruned = 0;      // rows deleted by this call
  uint64_t anchor_seq = 0;  // the anchor after the call
};

// meta 'central_acked_seq' (decimal text); 0 when absent. DATA_LOSS naming
// the key when it is not a number. Any connection.
Result<uint64_t> ReadCentralAckedSeq(sqlite3* db);

// Deletes up to `batch` rows as described above. REQUIRES: inside a writer
// command (an open transaction); 1 <= batch <= kMaxPruneBatch.
Result<PruneResult> PruneJournalBatch(WriteContext& ctx, int64_t cutoff_us,
                                      size_t batch);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_JOURNAL_PRUNE_H_
