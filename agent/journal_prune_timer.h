// JournalPruneTimer: deletes journal events central has acknowledged once
// they are older than retention.replay_window_days, every
// retention.prune_interval_s (the first run one interval after start).
// Each batch of retention.prune_batch rows is its own writer command, so
// recording goes on between batches, and a run is paced: after a batch that
// took T from submission to commit it waits T x (100 - d) / d, d being
// retention.prune_duty_percent, so its batches hold the writer at most d% of
// the time and a backlog never crowds out sales (a slow, busy writer makes
// T and so the pause longer). What may be pruned and how the anchor moves:
// storage/journal_prune.h. The Clock decides what is old; the interval and
// the pacing only pace the runs (they use the steady clock).
#ifndef STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_
#define STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
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
  // 1..100: the share of a run's time its batches may take (100: no pause).
  int duty_percent = 10;
  // How to pause between batches, µs; null = platform SleepMicros in slices
  // that end early when `stop` turns true. A pause is at most 1 s.
  std::function<void(int64_t micros)> pause;
};

struct PruneRun {
  uint64_t pruned = 0;
  uint64_t batches = 0;
  uint64_t anchor_seq = 0;
  int64_t paused_micros = 0;  // spent pausing between batches
};

// One pruning run: batches until one prunes less than a full batch (or
// `stop` turns true), paced by options.duty_percent. Blocks; not for the writer
// thread. With replay_window_days == 0 it prunes nothing.
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
