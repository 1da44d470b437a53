// CheckpointTimer: every `interval`, a signed checkpoint when anything was
// appended to the journal since the last one (checkpoint.every_minutes;
// storage/checkpoint_keeper.h). A periodic task on the daemon's Scheduler;
// a check still in flight when the next is due is not doubled.
#ifndef STOREAGENT_AGENT_CHECKPOINT_TIMER_H_
#define STOREAGENT_AGENT_CHECKPOINT_TIMER_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "platform/scheduler.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

class CheckpointTimer {
 public:
  // REQUIRES: `db` and `scheduler` outlive this; interval_us >= 1.
  CheckpointTimer(storage::AgentDatabase& db, Scheduler& scheduler,
                  int64_t interval_us);
  ~CheckpointTimer();  // Stop()
  CheckpointTimer(const CheckpointTimer&) = delete;
  CheckpointTimer& operator=(const CheckpointTimer&) = delete;

  // Cancels the ticks and waits for one in flight. Idempotent; not from a
  // task of `scheduler`.
  void Stop();

 private:
  void Tick();

  storage::AgentDatabase& db_;
  Scheduler& scheduler_;
  std::mutex mu_;
  std::condition_variable idle_;
  bool in_flight_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  TimerId timer_ = 0;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_CHECKPOINT_TIMER_H_
