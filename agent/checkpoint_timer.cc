#include "agent/checkpoint_timer.h"

#include <memory>
#include <string>

#include "platform/log.h"

namespace storeagent::agent {

CheckpointTimer::CheckpointTimer(storage::AgentDatabase& db,
                                 Scheduler& scheduler, int64_t interval_us)
    : db_(db), scheduler_(scheduler) {
  timer_ = scheduler_.EveryFrom(interval_us, interval_us, [this] { Tick(); });
}

CheckpointTimer::~CheckpointTimer() { Stop(); }

void CheckpointTimer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  scheduler_.Cancel(timer_);  // waits for a Tick() running now
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return !in_flight_; });
}

void CheckpointTimer::Tick() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || in_flight_) return;
    in_flight_ = true;
  }
  auto appended = std::make_shared<bool>(false);
  storage::CheckpointKeeper& keeper = db_.checkpoints();
  db_.writer().Submit(
      [&keeper, appended](storage::WriteContext& ctx) -> Status {
        Result<bool> r = keeper.CheckpointIfBehind(ctx);
        if (!r.ok()) return r.status();
        *appended = *r;
        return Status::Ok();
      },
      [this, appended, &keeper](const Status& s) {
        if (!s.ok()) {
          Log(LogLevel::kWarn, "checkpoint.failed", {{"error", s.ToString()}});
        } else if (*appended) {
          Log(LogLevel::kDebug, "checkpoint.timer",
              {{"seq", std::to_string(keeper.checkpoint_seq())}});
        }
        std::lock_guard<std::mutex> lock(mu_);
        in_flight_ = false;
        idle_.notify_all();
      });
}

}  // namespace storeagent::agent
