// HoldExpiryTimer: expires click-and-collect holds whose expires_at has
// passed, every `interval` and once at start-up (so holds that lapsed while
// the agent was down expire right after a restart). The time that decides
// what is due comes from the injected Clock; the interval only paces the
// checks.
#ifndef STOREAGENT_AGENT_HOLD_EXPIRY_TIMER_H_
#define STOREAGENT_AGENT_HOLD_EXPIRY_TIMER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/stock_ops.h"

namespace storeagent::agent {

class HoldExpiryTimer {
 public:
  // Starts the thread; the first check runs at once. REQUIRES: `ops`
  // outlives this.
  HoldExpiryTimer(StockOps& ops, std::chrono::seconds interval);
  ~HoldExpiryTimer();  // Stop()
  // Idempotent; waits for a check in progress.
  void Stop();

 private:
  void Loop();

  StockOps& ops_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HOLD_EXPIRY_TIMER_H_
