#include "agent/watchdog.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

#include "platform/log.h"

namespace storeagent::agent {

// What the probes' callbacks share with the loop. Generations number the
// probe pairs; a field holds the last generation the event happened for.
struct Watchdog::State {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  uint64_t generation = 0;
  uint64_t writer_ran = 0;       // the command ran on the writer thread
  uint64_t writer_done = 0;      // ... and its transaction finished
  uint64_t writer_rejected = 0;  // Submit refused it (stopping, queue full)
  uint64_t reader_done = 0;      // a reader thread ran the query
  uint64_t reader_rejected = 0;  // the pool is stopping

  // REQUIRES: mu held.
  bool Finished(uint64_t g) const {
    return (writer_done == g || writer_rejected == g) &&
           (reader_done == g || reader_rejected == g);
  }
  bool Rejected(uint64_t g) const {
    return writer_rejected == g || reader_rejected == g;
  }
};

Watchdog::Watchdog(storage::AgentDatabase& db,
                   std::chrono::microseconds timeout, const Clock& clock,
                   NotifyFn notify)
    : db_(db),
      period_(std::max<std::chrono::microseconds>(
          timeout / 2, std::chrono::milliseconds(1))),
      clock_(clock),
      notify_(std::move(notify)),
      state_(std::make_shared<State>()),
      thread_([this] { Loop(); }) {}

Watchdog::~Watchdog() { Stop(); }

void Watchdog::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t Watchdog::Probe() {
  std::shared_ptr<State> st = state_;
  uint64_t g;
  {
    std::lock_guard<std::mutex> lock(st->mu);
    g = ++st->generation;
  }
  // Called without the lock: a refused Submit runs `done` right here.
  db_.writer().Submit(
      [st, g](storage::WriteContext&) {
        std::lock_guard<std::mutex> lock(st->mu);
        st->writer_ran = g;
        return Status::Ok();
      },
      [st, g](const Status&) {
        // Any outcome of the commit counts once the command ran: a full
        // disk fails the commit, yet the writer is alive and must not be
        // restarted for it.
        {
          std::lock_guard<std::mutex> lock(st->mu);
          (st->writer_ran == g ? st->writer_done : st->writer_rejected) = g;
        }
        st->cv.notify_all();
      });
  db_.readers().Submit([st, g](storage::DbContext* ctx) {
    {
      std::lock_guard<std::mutex> lock(st->mu);
      (ctx != nullptr ? st->reader_done : st->reader_rejected) = g;
    }
    st->cv.notify_all();
  });
  return g;
}

void Watchdog::Ping() {
  Status s = notify_("WATCHDOG=1");
  if (!s.ok() && !notify_failed_logged_) {
    notify_failed_logged_ = true;
    Log(LogLevel::kWarn, "watchdog.notify_failed", {{"error", s.ToString()}});
  }
}

void Watchdog::Loop() {
  State& st = *state_;
  for (;;) {
    const int64_t started = clock_.MonotonicMicros();
    const uint64_t g = Probe();
    std::unique_lock<std::mutex> lock(st.mu);
    bool stalled = false;
    while (!st.cv.wait_for(lock, period_,
                           [&] { return st.stopping || st.Finished(g); })) {
      if (stalled) continue;
      stalled = true;
      Log(LogLevel::kError, "watchdog.stalled",
          {{"waited_ms",
            std::to_string((clock_.MonotonicMicros() - started) / 1000)},
           {"writer", st.writer_done == g  ? "done"
                      : st.writer_ran == g ? "committing"
                                           : "queued"},
           {"readers", st.reader_done == g ? "done" : "queued"},
           {"writer_pending", std::to_string(db_.writer().pending())},
           {"action",
            "WATCHDOG=1 withheld; systemd restarts the service unless it "
            "answers within WatchdogSec"}});
    }
    if (st.stopping) return;
    const int64_t took = clock_.MonotonicMicros() - started;
    if (st.Rejected(g)) {
      Log(LogLevel::kWarn, "watchdog.probe_refused",
          {{"writer", st.writer_rejected == g ? "refused" : "done"},
           {"readers", st.reader_rejected == g ? "refused" : "done"}});
    } else {
      if (stalled) {
        Log(LogLevel::kWarn, "watchdog.recovered",
            {{"stalled_ms", std::to_string(took / 1000)}});
      }
      lock.unlock();
      Ping();
      lock.lock();
    }
    const auto rest = period_ - std::chrono::microseconds(took);
    if (rest.count() > 0 &&
        st.cv.wait_for(lock, rest, [&] { return st.stopping; })) {
      return;
    }
    if (st.stopping) return;
  }
}

}  // namespace storeagent::agent
