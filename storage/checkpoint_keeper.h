// CheckpointKeeper: the store's perpetual grand totals and its signed
// checkpoints (docs/security.md, "Signed checkpoints").
//
// Grand totals: the figures of every sale, return, post-void and no-sale the
// store ever recorded (core::DayTotalsBuilder::Perpetual), updated in the
// transaction of each event (table grand_totals), never reset.
//
// Checkpoints: when a signing key is configured, a checkpoint record
// (core/checkpoint.h) is appended right after the event that makes
// `every_events` events since the last one, right after every daily close,
// and by the agent's timer when anything was appended since the last one;
// in the same transaction as the event that caused it.
//
// Writer thread for everything but the getters marked "any thread". Caches
// are reloaded from the database after a rollback.
#ifndef STOREAGENT_STORAGE_CHECKPOINT_KEEPER_H_
#define STOREAGENT_STORAGE_CHECKPOINT_KEEPER_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/day_totals.h"
#include "platform/clock.h"
#include "platform/signing.h"
#include "platform/status.h"
#include "storage/journal_store.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

struct CheckpointPolicy {
  // Null: grand totals only, no checkpoints. REQUIRES: outlives the keeper.
  const crypto::SigningKey* key = nullptr;
  std::string store_id;
  // A checkpoint after this many journal records since the last one; 0:
  // only at daily closes and by the timer.
  uint64_t every_events = 1000;
};

class CheckpointKeeper {
 public:
  // Registers a rollback listener: construct before the first Submit().
  CheckpointKeeper(Writer& writer, JournalStore& journal, const Clock& clock,
                   CheckpointPolicy policy);

  // Loads the totals and counts the journal's records beyond them (an older
  // database's whole journal, on its first open). Call once, before
  // appending.
  Status Open();

  // Counts `record`, just appended as a new event, in the grand totals
  // (nothing for a seq already counted).
  Status Count(WriteContext& ctx, const v1::JournalRecord& record);
  // After every new event, last: appends a checkpoint when `every_events`
  // records were appended since the last one, or `record` is a daily close.
  Status MaybeCheckpoint(WriteContext& ctx, const v1::JournalRecord& record);
  // The timer's: a checkpoint now unless the head is the last checkpoint
  // (or the journal is empty, or no key). True when one was appended.
  Result<bool> CheckpointIfBehind(WriteContext& ctx);
  // A re-seeded entry (central's copy of this store's journal): counted,
  // and remembered when it is a checkpoint.
  Status Remember(WriteContext& ctx, const v1::JournalRecord& record);

  // The grand totals through the last counted record.
  v1::DayTotals totals() const { return builder_.Totals(); }

  // Any thread: the last checkpoint's seq and when it was written.
  uint64_t checkpoint_seq() const { return checkpoint_seq_.load(); }
  int64_t checkpoint_at_us() const { return checkpoint_at_us_.load(); }
  bool signing() const { return policy_.key != nullptr; }

 private:
  Status Load(sqlite3* db);
  Status Append(WriteContext& ctx, std::string_view reason);

  Writer& writer_;
  JournalStore& journal_;
  const Clock& clock_;
  CheckpointPolicy policy_;
  core::DayTotalsBuilder builder_;  // writer thread
  uint64_t counted_seq_ = 0;        // writer thread
  std::atomic<uint64_t> checkpoint_seq_{0};
  std::atomic<int64_t> checkpoint_at_us_{0};
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_CHECKPOINT_KEEPER_H_
