#include "agent/hold_expiry_timer.h"

#include <future>

#include "platform/log.h"

namespace storeagent::agent {

HoldExpiryTimer::HoldExpiryTimer(StockOps& ops, std::chrono::seconds interval)
    : ops_(ops), interval_(interval), thread_([this] { Loop(); }) {}

HoldExpiryTimer::~HoldExpiryTimer() { Stop(); }

void HoldExpiryTimer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HoldExpiryTimer::Loop() {
  for (;;) {
    std::promise<void> finished;
    ops_.ExpireDueHolds([&finished](Result<int> n) {
      if (!n.ok()) {
        Log(LogLevel::kWarn, "holds.expiry_failed",
            {{"error", n.status().ToString()}});
      } else if (*n > 0) {
        Log(LogLevel::kInfo, "holds.expired", {{"count", std::to_string(*n)}});
      }
      finished.set_value();
    });
    finished.get_future().wait();
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace storeagent::agent
