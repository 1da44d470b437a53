// Recorder: turns POS requests into journal events.
//
// Validates the request (core/event_validation), replaces a loyalty card
// number (of a signal or of a sale's member) with its pseudonym
// HMAC-SHA256(loyalty_key, card), seals enrolment contact details to head
// office's key, checks a sale's lines against the in-memory price book
// (no trip to the writer; core/price_deviation.h), then appends the event
// through the storage writer; a daily close through storage::AppendDailyClose
// (the agent's own figures, and the first close's answer for a day already
// closed). The answer comes back only after the commit, on the writer thread.
// Thread-safe; never blocks the caller.
#ifndef STOREAGENT_AGENT_RECORDER_H_
#define STOREAGENT_AGENT_RECORDER_H_

#include <atomic>
#include <functional>
#include <string>

#include "agent/disk_guard.h"
#include "agent/price_book_holder.h"
#include "agent/sync/sync_gate.h"
#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storage/journal_store.h"
#include "storeagent/v1/pos.pb.h"

namespace storeagent::agent {

struct RecorderOptions {
  // Raw key bytes; empty: loyalty signals are refused (FAILED_PRECONDITION).
  std::string loyalty_key;
  // Raw X25519 public key of head office; empty: enrolments carrying contact
  // details are refused.
  std::string contact_public_key;
  // When set, new events are refused while the disk reserve is reached.
  const DiskGuard* disk_guard = nullptr;
  // When set and closed, POS writes are refused with UNAVAILABLE: an empty
  // database waits for central's first Welcome (agent/sync/sync_gate.h).
  const SyncGate* sync_gate = nullptr;
  // When set, with `clock`: every sale is checked against the price book in
  // force now, once the store has one (docs/pricing.md, "Deviations").
  const PriceBookHolder* prices = nullptr;
  const Clock* clock = nullptr;
};

// Checks `sale`'s lines against `book` at `now_us` (core/pricing.h,
// core/price_deviation.h): sets sale.price_book_central_seq and each
// deviating line's price_deviation. Nothing when the store has no book yet
// (its central_seq 0). Never fails: a till always sells.
void CheckPrices(const PriceBookSnapshot& book, int64_t now_us, v1::Sale* sale);

class Recorder {
 public:
  using Done = std::function<void(Result<v1::RecordTransactionResponse>)>;

  // REQUIRES: `db` outlives this.
  Recorder(storage::AgentDatabase& db, RecorderOptions options);

  // `done` runs exactly once: on the calling thread for refused input, on
  // the writer thread after the commit otherwise.
  void RecordTransaction(const v1::RecordTransactionRequest& request,
                         Done done);
  void RecordLoyaltySignal(const v1::RecordLoyaltySignalRequest& request,
                           Done done);

 private:
  // How a record is appended in the writer's command: storage::AppendEvent
  // when empty; storage::AppendDailyClose for a close.
  using AppendFn = std::function<Result<storage::AppendResult>(
      storage::WriteContext&, storage::JournalStore&, v1::JournalRecord)>;

  // Appends `record` and answers `done` after the commit. `precheck`, when
  // set, runs in the same transaction first.
  void Append(v1::JournalRecord record,
              std::function<Status(storage::WriteContext&)> precheck,
              std::string pseudonym, Done done, AppendFn append = nullptr);

  storage::AgentDatabase& db_;
  RecorderOptions options_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_RECORDER_H_
