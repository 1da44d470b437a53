#include "central/server/central_watchdog.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <mutex>
#include <string>
#include <utility>

#include "platform/log.h"

namespace storeagent::central {

// What a probe shares with the tasks; probes are numbered (generations).
// Timers are scheduled only under mu and while !stopping, so Stop() (which
// sets stopping under mu, then cancels what it finds) leaves none behind.
struct CentralWatchdog::State {
  std::mutex mu;
  bool stopping = false;
  uint64_t generation = 0;        // the last probe posted
  int64_t started = 0;            // when it was posted, scheduler time
  bool stalled = false;           // it was logged as stalled
  CentralStore* store = nullptr;  // null once stopping: probes do nothing
  TimerId probe_timer = 0;
  TimerId overdue_timer = 0;
  TimerId back_timer = 0;
  Scheduler* scheduler = nullptr;
  CentralWatchdog* owner = nullptr;  // valid while !stopping
};

CentralWatchdog::CentralWatchdog(boost::asio::io_context& pool,
                                 CentralStore& store,
                                 std::chrono::microseconds timeout,
                                 Scheduler& scheduler, NotifyFn notify)
    : pool_(pool),
      period_(std::max<std::chrono::microseconds>(
          timeout / 2, std::chrono::milliseconds(1))),
      scheduler_(scheduler),
      notify_(std::move(notify)),
      state_(std::make_shared<State>()) {
  state_->store = &store;
  state_->scheduler = &scheduler_;
  state_->owner = this;
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->probe_timer = scheduler_.Schedule(0, [this] { ProbeTask(); });
}

CentralWatchdog::~CentralWatchdog() { Stop(); }

void CentralWatchdog::Stop() {
  TimerId timers[3];
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
    state_->store = nullptr;
    timers[0] = state_->probe_timer;
    timers[1] = state_->overdue_timer;
    timers[2] = state_->back_timer;
  }
  // Each waits for a run in progress; none schedules anything any more.
  for (TimerId t : timers) scheduler_.Cancel(t);
}

void CentralWatchdog::ProbeTask() {
  std::shared_ptr<State> st = state_;
  uint64_t g;
  {
    std::lock_guard<std::mutex> lock(st->mu);
    st->probe_timer = 0;
    if (st->stopping) return;
    g = ++st->generation;
    st->started = scheduler_.clock().MonotonicMicros();
    st->stalled = false;
    st->overdue_timer =
        scheduler_.Schedule(period_.count(), [this, g] { OnOverdue(g); });
  }
  boost::asio::post(pool_, [st, g] {
    CentralStore* store;
    {
      std::lock_guard<std::mutex> lock(st->mu);
      store = st->store;
    }
    // Between the check and Ping the store lives on: Stop() runs before
    // the pool is joined, and the pool before the store is closed.
    if (store == nullptr) return;
    const Status s = store->Ping();
    if (!s.ok()) {
      Log(LogLevel::kWarn, "watchdog.store_error", {{"error", s.ToString()}});
    }
    std::lock_guard<std::mutex> lock(st->mu);
    if (st->stopping || g != st->generation) return;
    CentralWatchdog* w = st->owner;
    st->back_timer = st->scheduler->Schedule(0, [w, g] { w->OnBack(g); });
  });
}

void CentralWatchdog::OnOverdue(uint64_t g) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  st.overdue_timer = 0;
  if (st.stopping || g != st.generation || st.stalled) return;
  st.stalled = true;
  Log(LogLevel::kError, "watchdog.stalled",
      {{"waited_ms",
        std::to_string((scheduler_.clock().MonotonicMicros() - st.started) /
                       1000)},
       {"action",
        "the worker pool or the database has not answered a probe; "
        "WATCHDOG=1 withheld, systemd restarts the service unless it "
        "answers within WatchdogSec"}});
}

void CentralWatchdog::OnBack(uint64_t g) {
  State& st = *state_;
  TimerId overdue = 0;
  bool stalled = false;
  int64_t took = 0;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.back_timer = 0;
    if (st.stopping || g != st.generation) return;
    overdue = std::exchange(st.overdue_timer, 0);
    stalled = st.stalled;
    took = scheduler_.clock().MonotonicMicros() - st.started;
  }
  scheduler_.Cancel(overdue);  // from a task: does not wait
  if (stalled) {
    Log(LogLevel::kWarn, "watchdog.recovered",
        {{"stalled_ms", std::to_string(took / 1000)}});
  }
  const Status s = notify_("WATCHDOG=1");
  if (!s.ok() && !notify_failed_logged_) {
    notify_failed_logged_ = true;
    Log(LogLevel::kWarn, "watchdog.notify_failed", {{"error", s.ToString()}});
  }
  // The next probe one period after this one went out.
  const int64_t rest = std::max<int64_t>(period_.count() - took, 0);
  std::lock_guard<std::mutex> lock(st.mu);
  if (st.stopping) return;
  st.probe_timer = scheduler_.Schedule(rest, [this] { ProbeTask(); });
}

}  // namespace storeagent::central
