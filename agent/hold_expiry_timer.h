// HoldExpiryTimer: expires click-and-collect holds whose expires_at has
// passed, every `interval` and once at start-up (so holds that lapsed while
// the agent was down expire right after a restart). The time that decides
// what is due comes from StockOps' Clock; the interval only paces the
// checks, a periodic task on the daemon's Scheduler (platform/scheduler.h).
// A check still in flight when the next one is due is not doubled: that
// tick is skipped.
#ifndef STOREAGENT_AGENT_HOLD_EXPIRY_TIMER_H_
#define STOREAGENT_AGENT_HOLD_EXPIRY_TIMER_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "agent/stock_ops.h"
#include "platform/scheduler.h"

namespace storeagent::agent {

class HoldExpiryTimer {
 public:
  // Schedules the checks; the first is due at once. REQUIRES: `ops` and
  // `scheduler` outlive this; interval_us >= 1.
  HoldExpiryTimer(StockOps& ops, Scheduler& scheduler, int64_t interval_us);
  ~HoldExpiryTimer();  // Stop()
  HoldExpiryTimer(const HoldExpiryTimer&) = delete;
  HoldExpiryTimer& operator=(const HoldExpiryTimer&) = delete;

  // Cancels the checks and waits for one in flight (its writer command
  // and callback). Idempotent; not from a task of `scheduler`.
  void Stop();

  // Checks completed so far (tests).
  uint64_t checks_done() const;

 private:
  // The periodic task: starts a check unless one is in flight.
  void Check();

  StockOps& ops_;
  Scheduler& scheduler_;
  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool in_flight_ = false;    // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  uint64_t checks_done_ = 0;  // guarded by mu_
  TimerId timer_ = 0;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HOLD_EXPIRY_TIMER_H_
