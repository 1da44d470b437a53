// CentralWatchdog: proves to systemd (WatchdogSec=) that storecentrald's
// worker pool and its database answer, not merely that the process exists.
//
// Every timeout/2 it posts one probe to the worker pool; the probe runs a
// trivial transaction (CentralStore::Ping). When the probe has come back
// within that half-interval it sends "WATCHDOG=1". When it has not — every
// worker stuck, the database gone silent, a pool starved of connections —
// it logs `watchdog.stalled` and sends nothing more, so systemd restarts
// the service once WatchdogSec passes; should the probe come back first,
// it logs `watchdog.recovered` and pings again. A probe whose transaction
// fails (the database refused it) still proves the pool alive: the failure
// is logged as `watchdog.store_error`, and systemd is not asked to restart
// central for an outage a restart cannot cure. One probe at a time.
//
// It runs as tasks on central's Scheduler (platform/scheduler.h), like the
// agent's watchdog (agent/watchdog.h): a probe task, a stall check one
// period later, and a ping task the probe's completion (on a worker)
// schedules; no thread of its own waits.
//
// Thread-safety: Stop() from any thread but the scheduler's. A probe still
// queued in the pool after Stop() touches nothing and schedules nothing.
#ifndef STOREAGENT_CENTRAL_SERVER_CENTRAL_WATCHDOG_H_
#define STOREAGENT_CENTRAL_SERVER_CENTRAL_WATCHDOG_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "central/store/central_store.h"
#include "platform/scheduler.h"
#include "platform/status.h"

namespace storeagent::central {

class CentralWatchdog {
 public:
  // Sends one sd_notify message; platform::Notify in production.
  using NotifyFn = std::function<Status(std::string_view state)>;

  // Schedules the first probe at once on `scheduler`, whose clock also
  // measures how long probes took (for the logs and the pacing). `timeout`
  // is systemd's WatchdogSec. REQUIRES: `pool`, `store` and `scheduler`
  // outlive Stop(); Stop() runs before the pool is joined.
  CentralWatchdog(boost::asio::io_context& pool, CentralStore& store,
                  std::chrono::microseconds timeout, Scheduler& scheduler,
                  NotifyFn notify);
  ~CentralWatchdog();  // Stop()
  CentralWatchdog(const CentralWatchdog&) = delete;
  CentralWatchdog& operator=(const CentralWatchdog&) = delete;

  // Stops pinging: cancels its tasks (waiting for one that is running);
  // does not wait for a probe still queued. Idempotent.
  void Stop();

 private:
  struct State;
  // The probe task: a probe out, the stall check a period later.
  void ProbeTask();
  // Probe `g` came back.
  void OnBack(uint64_t g);
  // A period passed and probe `g` has not come back.
  void OnOverdue(uint64_t g);

  boost::asio::io_context& pool_;
  const std::chrono::microseconds period_;
  Scheduler& scheduler_;
  NotifyFn notify_;
  bool notify_failed_logged_ = false;  // scheduler tasks only
  std::shared_ptr<State> state_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CENTRAL_WATCHDOG_H_
