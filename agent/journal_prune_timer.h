// JournalPruneTimer: deletes journal events central has acknowledged once
// they are older than retention.replay_window_days, every
// retention.prune_interval_s (the first run one interval after start).
// Each batch of retention.prune_batch rows is its own writer command, so
// recording goes on between batches. What may be pruned and how the anchor
// moves: storage/journal_prune.h. The Clock decides what is old; the
// interval only paces the runs.
#ifndef STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_
#define STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

struct PruneOptions {
  int replay_window_days = 30;  // 0: never prune
  size_t batch = 500;
  std::chrono::seconds interval{600};
};

struct PruneRun {
  uint64_t pruned = 0;
  uint64_t batches = 0;
  uint64_t anchor_seq = 0;
};

// One pruning run: batches until one prunes less than a full batch (or
// `stop` turns true). Blocks; not for the writer thread. With
// replay_window_days == 0 it prunes nothing.
Result<PruneRun> PruneJournalNow(storage::AgentDatabase& db, const Clock& clock,
                                 const PruneOptions& options,
                                 const std::atomic<bool>* stop = nullptr);

class JournalPruneTimer {
 public:
  // Starts the thread (none when replay_window_days is 0). REQUIRES: `db`
  // and `clock` outlive this.
  JournalPruneTimer(storage::AgentDatabase& db, const Clock& clock,
                    PruneOptions options);
  ~JournalPruneTimer();  // Stop()
  // Idempotent; ends a run in progress after its current batch.
  void Stop();

 private:
  void Loop();

  storage::AgentDatabase& db_;
  const Clock& clock_;
  const PruneOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_
