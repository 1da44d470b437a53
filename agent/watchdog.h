// Watchdog: proves to systemd (WatchdogSec=) that storeagentd's loops are
// alive, not merely that the process exists.
//
// Every timeout/2 it hands a no-op command to the storage writer and a no-op
// query to the read pool. When both have run within that half-interval it
// sends "WATCHDOG=1". When they have not, the writer or the readers are stuck
// (a hung fsync, a deadlock, a runaway batch): it logs `watchdog.stalled` and
// sends nothing more, so systemd kills and restarts the service once the
// timeout passes. Should the probes complete before that, it logs
// `watchdog.recovered` and pings again. Only one probe pair is ever
// outstanding, so a stuck loop does not pile up work.
//
// It runs as tasks on the daemon's Scheduler (platform/scheduler.h): a probe
// task, a stall check one period later, and a ping task that the probes'
// last completion (on a storage thread) schedules; no thread of its own
// waits.
//
// Thread-safety: Stop() from any thread but the scheduler's. The probes'
// callbacks hold shared state, so a probe completing after Stop() touches
// nothing freed and schedules nothing.
#ifndef STOREAGENT_AGENT_WATCHDOG_H_
#define STOREAGENT_AGENT_WATCHDOG_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "platform/scheduler.h"
#include "platform/status.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

class Watchdog {
 public:
  // Sends one sd_notify message; platform::Notify in production.
  using NotifyFn = std::function<Status(std::string_view state)>;

  // Schedules the first probe at once on `scheduler`, whose clock also
  // measures how long probes took (for the logs and the pacing). `timeout`
  // is systemd's WatchdogSec (platform::WatchdogInterval()). REQUIRES: `db`
  // and `scheduler` outlive this.
  Watchdog(storage::AgentDatabase& db, std::chrono::microseconds timeout,
           Scheduler& scheduler, NotifyFn notify);
  ~Watchdog();  // Stop()
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Stops pinging: cancels its tasks (waiting for one that is running);
  // does not wait for an outstanding probe. Call before the database
  // closes. Idempotent.
  void Stop();

 private:
  struct State;
  // The probe task: a probe pair out, the stall check a period later.
  void ProbeTask();
  // Both probes of generation `g` answered.
  void OnFinished(uint64_t g);
  // A period passed and generation `g` has not answered.
  void OnOverdue(uint64_t g);
  // Submits a probe pair; returns its generation.
  uint64_t Probe();
  void Ping();

  storage::AgentDatabase& db_;
  const std::chrono::microseconds period_;
  Scheduler& scheduler_;
  NotifyFn notify_;
  bool notify_failed_logged_ = false;  // scheduler tasks only
  std::shared_ptr<State> state_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_WATCHDOG_H_
