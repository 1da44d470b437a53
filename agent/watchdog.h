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
// Thread-safety: Stop() from any thread. The probes' callbacks hold shared
// state, so a probe completing after Stop() touches nothing freed.
#ifndef STOREAGENT_AGENT_WATCHDOG_H_
#define STOREAGENT_AGENT_WATCHDOG_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

class Watchdog {
 public:
  // Sends one sd_notify message; platform::Notify in production.
  using NotifyFn = std::function<Status(std::string_view state)>;

  // Starts the thread; the first probe goes out at once. `timeout` is
  // systemd's WatchdogSec (platform::WatchdogInterval()). `clock` measures
  // how long probes took, for the logs and the pacing. REQUIRES: `db` and
  // `clock` outlive this.
  Watchdog(storage::AgentDatabase& db, std::chrono::microseconds timeout,
           const Clock& clock, NotifyFn notify);
  ~Watchdog();  // Stop()
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Stops pinging and joins the thread; does not wait for an outstanding
  // probe. Call before the database closes. Idempotent.
  void Stop();

 private:
  struct State;
  void Loop();
  // Submits a probe pair; returns its generation.
  uint64_t Probe();
  void Ping();

  storage::AgentDatabase& db_;
  const std::chrono::microseconds period_;
  const Clock& clock_;
  NotifyFn notify_;
  bool notify_failed_logged_ = false;  // Loop thread only
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_WATCHDOG_H_
