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
// the pacing only pace the runs: they are tasks on the daemon's Scheduler
// (platform/scheduler.h), so no thread of its own waits: each batch is a
// writer command whose completion schedules the next one after its pause.
#ifndef STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_
#define STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "platform/clock.h"
#include "platform/scheduler.h"
#include "platform/status.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

struct PruneOptions {
  int replay_window_days = 30;  // 0: never prune
  size_t batch = 500;
  std::chrono::seconds interval{600};
  // 1..100: the share of a run's time its batches may take (100: no pause).
  int duty_percent = 10;
  // PruneJournalNow only: how to pause between batches, µs (null: no
  // pause; the bench passes a real sleep). The timer's pauses are
  // Scheduler tasks. A pause is at most 1 s.
  std::function<void(int64_t micros)> pause;
};

struct PruneRun {
  uint64_t pruned = 0;
  uint64_t batches = 0;
  uint64_t anchor_seq = 0;
  int64_t paused_micros = 0;  // spent pausing between batches
};

// One pruning run: batches until one prunes less than a full batch (or
// `stop` turns true), paced by options.duty_percent through options.pause.
// Blocks; not for the writer thread (tests and the bench; the daemon runs
// the same batches through JournalPruneTimer). With replay_window_days == 0
// it prunes nothing.
Result<PruneRun> PruneJournalNow(storage::AgentDatabase& db, const Clock& clock,
                                 const PruneOptions& options,
                                 const std::atomic<bool>* stop = nullptr);

class JournalPruneTimer {
 public:
  // Schedules the runs on `scheduler` (none when replay_window_days is 0),
  // the first one interval from now. REQUIRES: `db`, `clock` and
  // `scheduler` outlive this.
  JournalPruneTimer(storage::AgentDatabase& db, const Clock& clock,
                    Scheduler& scheduler, PruneOptions options);
  ~JournalPruneTimer();  // Stop()
  JournalPruneTimer(const JournalPruneTimer&) = delete;
  JournalPruneTimer& operator=(const JournalPruneTimer&) = delete;
  // Cancels the runs and ends one in progress after its current batch
  // (waits for that batch's commit). Idempotent; not from a task of the
  // scheduler.
  void Stop();

  // Runs finished so far, and the last one's figures (tests).
  uint64_t runs_done() const;
  PruneRun last_run() const;

 private:
  // The periodic task: starts a run unless one is in progress.
  void StartRun();
  // Submits the run's next batch (a task, or StartRun).
  void SubmitBatch();
  // The batch's completion, on the writer thread.
  void OnBatchDone(const Status& s, uint64_t pruned, uint64_t anchor_seq,
                   int64_t submitted);
  // REQUIRES: mu_ held. Logs the run and marks it finished.
  void FinishRunLocked(const Status& s);

  storage::AgentDatabase& db_;
  const Clock& clock_;
  Scheduler& scheduler_;
  const PruneOptions options_;
  mutable std::mutex mu_;
  std::condition_variable idle_;  // batch_in_flight_ went false
  bool stopping_ = false;         // guarded by mu_
  bool running_ = false;          // a run is in progress; guarded by mu_
  bool batch_in_flight_ = false;  // guarded by mu_
  int64_t cutoff_ = 0;            // of the run in progress; guarded by mu_
  PruneRun run_;                  // in progress; guarded by mu_
  PruneRun last_run_;             // guarded by mu_
  uint64_t runs_done_ = 0;        // guarded by mu_
  TimerId timer_ = 0;
  TimerId pause_timer_ = 0;  // guarded by mu_
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_JOURNAL_PRUNE_TIMER_H_
