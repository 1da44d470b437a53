#include "central/server/central_watchdog.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

#include "platform/log.h"

namespace storeagent::central {

// What a probe shares with the loop; probes are numbered.
struct CentralWatchdog::State {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  uint64_t sent = 0;              // the last probe posted
  uint64_t back = 0;              // the last probe that came back
  CentralStore* store = nullptr;  // null once stopping: probes do nothing
};

CentralWatchdog::CentralWatchdog(boost::asio::io_context& pool,
                                 CentralStore& store,
                                 std::chrono::microseconds timeout,
                                 const Clock& clock, NotifyFn notify)
    : pool_(pool),
      store_(store),
      period_(std::max<std::chrono::microseconds>(
          timeout / 2, std::chrono::milliseconds(1))),
      clock_(clock),
      notify_(std::move(notify)),
      state_(std::make_shared<State>()) {
  state_->store = &store_;
  thread_ = std::thread([this] { Loop(); });
}

CentralWatchdog::~CentralWatchdog() { Stop(); }

void CentralWatchdog::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
    state_->store = nullptr;
  }
  state_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CentralWatchdog::Loop() {
  State& st = *state_;
  bool notify_failed_logged = false;
  std::unique_lock<std::mutex> lock(st.mu);
  while (!st.stopping) {
    const int64_t started = clock_.MonotonicMicros();
    const uint64_t g = ++st.sent;
    boost::asio::post(pool_, [state = state_, g] {
      CentralStore* store;
      {
        std::lock_guard<std::mutex> l(state->mu);
        store = state->store;
      }
      // Stop() waits for nothing queued; a probe after it returns here.
      // Between the check and Ping the store lives on: Stop() runs before
      // the pool is joined, and the pool before the store is closed.
      if (store == nullptr) return;
      const Status s = store->Ping();
      if (!s.ok()) {
        Log(LogLevel::kWarn, "watchdog.store_error", {{"error", s.ToString()}});
      }
      {
        std::lock_guard<std::mutex> l(state->mu);
        state->back = std::max(state->back, g);
      }
      state->cv.notify_all();
    });
    bool stalled = false;
    while (!st.cv.wait_for(lock, period_,
                           [&] { return st.stopping || st.back >= g; })) {
      if (stalled) continue;
      stalled = true;
      Log(LogLevel::kError, "watchdog.stalled",
          {{"waited_ms",
            std::to_string((clock_.MonotonicMicros() - started) / 1000)},
           {"action",
            "the worker pool or the database has not answered a probe; "
            "WATCHDOG=1 withheld, systemd restarts the service unless it "
            "answers within WatchdogSec"}});
    }
    if (st.stopping) return;
    const auto took =
        std::chrono::microseconds(clock_.MonotonicMicros() - started);
    if (stalled) {
      Log(LogLevel::kWarn, "watchdog.recovered",
          {{"stalled_ms", std::to_string(took.count() / 1000)}});
    }
    lock.unlock();
    const Status s = notify_("WATCHDOG=1");
    if (!s.ok() && !notify_failed_logged) {
      notify_failed_logged = true;
      Log(LogLevel::kWarn, "watchdog.notify_failed", {{"error", s.ToString()}});
    }
    lock.lock();
    const auto rest = period_ - took;
    if (rest.count() > 0) {
      st.cv.wait_for(lock, rest, [&] { return st.stopping; });
    }
  }
}

}  // namespace storeagent::central
