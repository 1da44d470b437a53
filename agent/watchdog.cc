#include "agent/watchdog.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

#include "platform/log.h"

namespace storeagent::agent {

// What the probes' callbacks share with the tasks. Generations number the
// probe pairs; a field holds the last generation the event happened for.
// Timers are scheduled only under mu and while !stopping, so Stop() (which
// sets stopping under mu, then cancels what it finds) leaves none behind.
struct Watchdog::State {
  std::mutex mu;
  bool stopping = false;
  uint64_t generation = 0;
  uint64_t writer_ran = 0;       // the command ran on the writer thread
  uint64_t writer_done = 0;      // ... and its transaction finished
  uint64_t writer_rejected = 0;  // Submit refused it (stopping, queue full)
  uint64_t reader_done = 0;      // a reader thread ran the query
  uint64_t reader_rejected = 0;  // the pool is stopping
  int64_t started = 0;           // the generation's probe, scheduler time
  bool stalled = false;          // the generation was logged as stalled
  TimerId probe_timer = 0;
  TimerId overdue_timer = 0;
  TimerId finished_timer = 0;
  Scheduler* scheduler = nullptr;
  Watchdog* owner = nullptr;  // valid while !stopping

  // REQUIRES: mu held.
  bool Finished(uint64_t g) const {
    return (writer_done == g || writer_rejected == g) &&
           (reader_done == g || reader_rejected == g);
  }
  bool Rejected(uint64_t g) const {
    return writer_rejected == g || reader_rejected == g;
  }
  // REQUIRES: mu held. After a probe answered: when both have, the ping
  // (OnFinished) is due at once.
  void MaybeFinished(uint64_t g) {
    if (stopping || g != generation || !Finished(g)) return;
    Watchdog* w = owner;
    finished_timer = scheduler->Schedule(0, [w, g] { w->OnFinished(g); });
  }
};

Watchdog::Watchdog(storage::AgentDatabase& db,
                   std::chrono::microseconds timeout, Scheduler& scheduler,
                   NotifyFn notify)
    : db_(db),
      period_(std::max<std::chrono::microseconds>(
          timeout / 2, std::chrono::milliseconds(1))),
      scheduler_(scheduler),
      notify_(std::move(notify)),
      state_(std::make_shared<State>()) {
  state_->scheduler = &scheduler_;
  state_->owner = this;
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->probe_timer = scheduler_.Schedule(0, [this] { ProbeTask(); });
}

Watchdog::~Watchdog() { Stop(); }

void Watchdog::Stop() {
  TimerId timers[3];
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
    timers[0] = state_->probe_timer;
    timers[1] = state_->overdue_timer;
    timers[2] = state_->finished_timer;
  }
  // Each waits for a run in progress; none schedules anything any more.
  for (TimerId t : timers) scheduler_.Cancel(t);
}

void Watchdog::ProbeTask() { Probe(); }

uint64_t Watchdog::Probe() {
  std::shared_ptr<State> st = state_;
  uint64_t g;
  {
    std::lock_guard<std::mutex> lock(st->mu);
    if (st->stopping) return 0;
    g = ++st->generation;
    st->started = scheduler_.clock().MonotonicMicros();
    st->stalled = false;
    st->probe_timer = 0;
    st->overdue_timer =
        scheduler_.Schedule(period_.count(), [this, g] { OnOverdue(g); });
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
        std::lock_guard<std::mutex> lock(st->mu);
        (st->writer_ran == g ? st->writer_done : st->writer_rejected) = g;
        st->MaybeFinished(g);
      });
  db_.readers().Submit([st, g](storage::DbContext* ctx) {
    std::lock_guard<std::mutex> lock(st->mu);
    (ctx != nullptr ? st->reader_done : st->reader_rejected) = g;
    st->MaybeFinished(g);
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

void Watchdog::OnOverdue(uint64_t g) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  st.overdue_timer = 0;
  if (st.stopping || g != st.generation || st.Finished(g) || st.stalled) {
    return;
  }
  st.stalled = true;
  Log(LogLevel::kError, "watchdog.stalled",
      {{"waited_ms",
        std::to_string((scheduler_.clock().MonotonicMicros() - st.started) /
                       1000)},
       {"writer", st.writer_done == g  ? "done"
                  : st.writer_ran == g ? "committing"
                                       : "queued"},
       {"readers", st.reader_done == g ? "done" : "queued"},
       {"writer_pending", std::to_string(db_.writer().pending())},
       {"action",
        "WATCHDOG=1 withheld; systemd restarts the service unless it "
        "answers within WatchdogSec"}});
}

void Watchdog::OnFinished(uint64_t g) {
  State& st = *state_;
  TimerId overdue = 0;
  bool stalled = false;
  bool rejected = false;
  std::string writer_state, reader_state;
  int64_t took = 0;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.finished_timer = 0;
    if (st.stopping || g != st.generation) return;
    overdue = std::exchange(st.overdue_timer, 0);
    stalled = st.stalled;
    rejected = st.Rejected(g);
    writer_state = st.writer_rejected == g ? "refused" : "done";
    reader_state = st.reader_rejected == g ? "refused" : "done";
    took = scheduler_.clock().MonotonicMicros() - st.started;
  }
  scheduler_.Cancel(overdue);  // from a task: does not wait
  if (rejected) {
    Log(LogLevel::kWarn, "watchdog.probe_refused",
        {{"writer", writer_state}, {"readers", reader_state}});
  } else {
    if (stalled) {
      Log(LogLevel::kWarn, "watchdog.recovered",
          {{"stalled_ms", std::to_string(took / 1000)}});
    }
    Ping();
  }
  // The next probe one period after this one went out.
  const int64_t rest = std::max<int64_t>(period_.count() - took, 0);
  std::lock_guard<std::mutex> lock(st.mu);
  if (st.stopping) return;
  st.probe_timer = scheduler_.Schedule(rest, [this] { ProbeTask(); });
}

}  // namespace storeagent::agent
