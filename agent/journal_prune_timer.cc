#include "agent/journal_prune_timer.h"

#include <algorithm>
#include <memory>
#include <string>

#include "platform/log.h"
#include "storage/journal_prune.h"

namespace storeagent::agent {

namespace {
constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;
constexpr int64_t kMaxPauseMicros = 1'000'000;

// The pause after a batch that took `took` µs, for `duty_percent`.
int64_t PauseAfter(int64_t took, int duty_percent) {
  if (duty_percent >= 100 || took <= 0) return 0;
  const int d = std::max(duty_percent, 1);
  return std::min(took * (100 - d) / d, kMaxPauseMicros);
}

}  // namespace

Result<PruneRun> PruneJournalNow(storage::AgentDatabase& db, const Clock& clock,
                                 const PruneOptions& options,
                                 const std::atomic<bool>* stop) {
  PruneRun run;
  if (options.replay_window_days <= 0) return run;
  const int64_t cutoff =
      clock.NowMicros() - options.replay_window_days * kMicrosPerDay;
  // Bounded: every full batch deletes `batch` rows of a finite journal.
  for (;;) {
    if (stop != nullptr && stop->load()) break;
    storage::PruneResult r;
    const int64_t submitted = clock.MonotonicMicros();
    Status s = db.writer().Run([&](storage::WriteContext& ctx) {
      Result<storage::PruneResult> p =
          storage::PruneJournalBatch(ctx, cutoff, options.batch);
      if (!p.ok()) return p.status();
      r = *p;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    ++run.batches;
    run.pruned += r.pruned;
    run.anchor_seq = r.anchor_seq;
    if (r.pruned < options.batch) break;
    if (options.duty_percent < 100) {
      const int64_t pause =
          PauseAfter(clock.MonotonicMicros() - submitted, options.duty_percent);
      if (options.pause) options.pause(pause);
      run.paused_micros += pause;
    }
  }
  return run;
}

JournalPruneTimer::JournalPruneTimer(storage::AgentDatabase& db,
                                     const Clock& clock, Scheduler& scheduler,
                                     PruneOptions options)
    : db_(db), clock_(clock), scheduler_(scheduler), options_(options) {
  if (options_.replay_window_days > 0) {
    const int64_t interval =
        std::chrono::duration_cast<std::chrono::microseconds>(options_.interval)
            .count();
    timer_ = scheduler_.Every(std::max<int64_t>(interval, 1),
                              [this] { StartRun(); });
  }
}

JournalPruneTimer::~JournalPruneTimer() { Stop(); }

void JournalPruneTimer::Stop() {
  TimerId pause = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    pause = pause_timer_;
  }
  // From here no task or completion schedules anything: they see stopping_.
  scheduler_.Cancel(timer_);
  scheduler_.Cancel(pause);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return !batch_in_flight_; });
  if (running_) FinishRunLocked(Status::Ok());
}

uint64_t JournalPruneTimer::runs_done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_done_;
}

PruneRun JournalPruneTimer::last_run() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_run_;
}

void JournalPruneTimer::StartRun() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || running_) return;  // a long run spans ticks: skip
    running_ = true;
    run_ = PruneRun{};
    cutoff_ = clock_.NowMicros() - options_.replay_window_days * kMicrosPerDay;
  }
  SubmitBatch();
}

void JournalPruneTimer::SubmitBatch() {
  int64_t cutoff;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pause_timer_ = 0;
    if (stopping_) {
      if (running_) FinishRunLocked(Status::Ok());
      return;
    }
    batch_in_flight_ = true;
    cutoff = cutoff_;
  }
  // Pacing is the scheduler's time; what is old is clock_'s.
  const int64_t submitted = scheduler_.clock().MonotonicMicros();
  auto result = std::make_shared<storage::PruneResult>();
  const size_t batch = options_.batch;
  // The completion touches this only under mu_, and Stop() waits for it.
  db_.writer().Submit(
      [cutoff, batch, result](storage::WriteContext& ctx) {
        Result<storage::PruneResult> p =
            storage::PruneJournalBatch(ctx, cutoff, batch);
        if (!p.ok()) return p.status();
        *result = *p;
        return Status::Ok();
      },
      [this, result, submitted](const Status& s) {
        OnBatchDone(s, result->pruned, result->anchor_seq, submitted);
      });
}

void JournalPruneTimer::OnBatchDone(const Status& s, uint64_t pruned,
                                    uint64_t anchor_seq, int64_t submitted) {
  std::lock_guard<std::mutex> lock(mu_);
  batch_in_flight_ = false;
  idle_.notify_all();  // under mu_: a woken Stop() cannot free it first
  if (!s.ok()) return FinishRunLocked(s);
  ++run_.batches;
  run_.pruned += pruned;
  run_.anchor_seq = anchor_seq;
  if (pruned < options_.batch || stopping_) return FinishRunLocked(s);
  const int64_t pause =
      options_.duty_percent >= 100
          ? 0
          : PauseAfter(scheduler_.clock().MonotonicMicros() - submitted,
                       options_.duty_percent);
  run_.paused_micros += pause;
  pause_timer_ = scheduler_.Schedule(pause, [this] { SubmitBatch(); });
}

void JournalPruneTimer::FinishRunLocked(const Status& s) {
  running_ = false;
  ++runs_done_;
  last_run_ = run_;
  if (!s.ok()) {
    Log(LogLevel::kWarn, "journal.prune_failed", {{"error", s.ToString()}});
  } else if (run_.pruned > 0) {
    Log(LogLevel::kInfo, "journal.pruned",
        {{"events", std::to_string(run_.pruned)},
         {"batches", std::to_string(run_.batches)},
         {"anchor_seq", std::to_string(run_.anchor_seq)},
         {"paused_ms", std::to_string(run_.paused_micros / 1000)}});
  }
}

}  // namespace storeagent::agent
