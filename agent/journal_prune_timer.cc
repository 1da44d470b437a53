#include "agent/journal_prune_timer.h"

#include <algorithm>

#include "platform/log.h"
#include "storage/journal_prune.h"

namespace storeagent::agent {

namespace {
constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;
constexpr int64_t kMaxPauseMicros = 1'000'000;
constexpr int64_t kPauseSliceMicros = 50'000;

// The pause after a batch that took `took` µs, for `duty_percent`.
int64_t PauseAfter(int64_t took, int duty_percent) {
  if (duty_percent >= 100 || took <= 0) return 0;
  const int d = std::max(duty_percent, 1);
  return std::min(took * (100 - d) / d, kMaxPauseMicros);
}

void Pause(int64_t micros, const PruneOptions& options,
           const std::atomic<bool>* stop) {
  if (options.pause) return options.pause(micros);
  // Bounded: each slice shortens what is left by up to kPauseSliceMicros.
  while (micros > 0 && (stop == nullptr || !stop->load())) {
    const int64_t slice = std::min(micros, kPauseSliceMicros);
    SleepMicros(slice);
    micros -= slice;
  }
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
      Pause(pause, options, stop);
      run.paused_micros += pause;
    }
  }
  return run;
}

JournalPruneTimer::JournalPruneTimer(storage::AgentDatabase& db,
                                     const Clock& clock, PruneOptions options)
    : db_(db), clock_(clock), options_(options) {
  if (options_.replay_window_days > 0) {
    thread_ = std::thread([this] { Loop(); });
  }
}

JournalPruneTimer::~JournalPruneTimer() { Stop(); }

void JournalPruneTimer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JournalPruneTimer::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, options_.interval,
                       [this] { return stopping_.load(); })) {
        return;
      }
    }
    Result<PruneRun> run = PruneJournalNow(db_, clock_, options_, &stopping_);
    if (!run.ok()) {
      Log(LogLevel::kWarn, "journal.prune_failed",
          {{"error", run.status().ToString()}});
    } else if (run->pruned > 0) {
      Log(LogLevel::kInfo, "journal.pruned",
          {{"events", std::to_string(run->pruned)},
           {"batches", std::to_string(run->batches)},
           {"anchor_seq", std::to_string(run->anchor_seq)},
           {"paused_ms", std::to_string(run->paused_micros / 1000)}});
    }
  }
}

}  // namespace storeagent::agent
