// SyncWindow: the batches one side of the sync stream has sent and the
// other has not acknowledged yet, each known by its last sequence number.
//
// Three flows of docs/sync-protocol.md are windowed the same way: the
// agent's journal entries up (EventBatch -> BatchAck), central's events
// down (CentralBatch -> CentralAck) and a re-seed (ReseedBatch ->
// ReseedAck). Each sends while fewer than `limit` batches are
// unacknowledged; an acknowledgement of seq S retires every batch whose
// last seq is <= S. Sequence numbers only rise: an ack below one seen
// before retires nothing and lowers nothing (a duplicate or late ack is
// harmless), an ack beyond what was sent is the peer's protocol error.
//
// Pure value type: no I/O, no clock, not thread-safe.
#ifndef STOREAGENT_CORE_SYNC_WINDOW_H_
#define STOREAGENT_CORE_SYNC_WINDOW_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace storeagent::core {

class SyncWindow {
 public:
  // Starts the flow after `at` (what the peer already holds), empty.
  // `limit` below 1 counts as 1.
  void Reset(uint64_t at, uint32_t limit) {
    sent_ = acked_ = at;
    limit_ = std::max<uint32_t>(1, limit);
    batches_.clear();
  }

  bool full() const { return batches_.size() >= limit_; }
  bool empty() const { return batches_.empty(); }
  size_t size() const { return batches_.size(); }
  uint32_t limit() const { return limit_; }
  // The last seq sent, and the highest acknowledged.
  uint64_t sent() const { return sent_; }
  uint64_t acked() const { return acked_; }

  // A batch ending at `last` went out. REQUIRES: last > sent().
  void Sent(uint64_t last) {
    sent_ = last;
    batches_.push_back(last);
  }

  // The peer holds everything up to `seq`. False (and nothing changes)
  // when `seq` is beyond what was sent.
  bool Ack(uint64_t seq) {
    if (seq > sent_) return false;
    acked_ = std::max(acked_, seq);
    while (!batches_.empty() && batches_.front() <= acked_) {
      batches_.pop_front();
    }
    return true;
  }

 private:
  uint64_t sent_ = 0;
  uint64_t acked_ = 0;
  uint32_t limit_ = 1;
  std::deque<uint64_t> batches_;
};

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_SYNC_WINDOW_H_
