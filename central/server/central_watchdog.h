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
#ifndef STOREAGENT_CENTRAL_SERVER_CENTRAL_WATCHDOG_H_
#define STOREAGENT_CENTRAL_SERVER_CENTRAL_WATCHDOG_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>

#include "central/store/central_store.h"
#include "platform/clock.h"
#include "platform/status.h"

namespace storeagent::central {

class CentralWatchdog {
 public:
  // Sends one sd_notify message; platform::Notify in production.
  using NotifyFn = std::function<Status(std::string_view state)>;

  // Starts the thread; the first probe goes out at once. `timeout` is
  // systemd's WatchdogSec; `clock` measures how long probes took, for the
  // logs and the pacing. REQUIRES: `pool`, `store` and `clock` outlive
  // Stop().
  CentralWatchdog(boost::asio::io_context& pool, CentralStore& store,
                  std::chrono::microseconds timeout, const Clock& clock,
                  NotifyFn notify);
  ~CentralWatchdog();  // Stop()
  CentralWatchdog(const CentralWatchdog&) = delete;
  CentralWatchdog& operator=(const CentralWatchdog&) = delete;

  // Stops pinging and joins the thread; a probe still queued finds the
  // watchdog stopped and touches nothing. Idempotent.
  void Stop();

 private:
  struct State;
  void Loop();

  boost::asio::io_context& pool_;
  CentralStore& store_;
  const std::chrono::microseconds period_;
  const Clock& clock_;
  NotifyFn notify_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CENTRAL_WATCHDOG_H_
