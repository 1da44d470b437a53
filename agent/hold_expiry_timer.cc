#include "agent/hold_expiry_timer.h"

#include <string>

#include "platform/log.h"

namespace storeagent::agent {

HoldExpiryTimer::HoldExpiryTimer(StockOps& ops, Scheduler& scheduler,
                                 int64_t interval_us)
    : ops_(ops), scheduler_(scheduler) {
  timer_ = scheduler_.EveryFrom(0, interval_us, [this] { Check(); });
}

HoldExpiryTimer::~HoldExpiryTimer() { Stop(); }

void HoldExpiryTimer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  scheduler_.Cancel(timer_);  // waits for a Check() running now
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return !in_flight_; });
}

uint64_t HoldExpiryTimer::checks_done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checks_done_;
}

void HoldExpiryTimer::Check() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || in_flight_) return;
    in_flight_ = true;
  }
  // The callback runs on a storage thread (or here, if refused); Stop()
  // waits for it, and it touches this only under mu_ (the notify too, so
  // a Stop() woken by it cannot free the condition variable under it).
  ops_.ExpireDueHolds([this](Result<int> n) {
    if (!n.ok()) {
      Log(LogLevel::kWarn, "holds.expiry_failed",
          {{"error", n.status().ToString()}});
    } else if (*n > 0) {
      Log(LogLevel::kInfo, "holds.expired", {{"count", std::to_string(*n)}});
    }
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ = false;
    ++checks_done_;
    idle_.notify_all();
  });
}

}  // namespace storeagent::agent
