// DiskGuard: keeps a reserve of free disk space for the database.
//
// A periodic task on the daemon's Scheduler (platform/scheduler.h) samples
// the free space of the data directory every `interval`.
// Below the floor (storage.min_free_mib) the guard refuses new events with
// RESOURCE_EXHAUSTED and a message that says how much is free and what the
// floor is, reports the state change once (log line, callback: health goes
// NOT_SERVING), and lets events in again by itself once space returns. The
// writer keeps working for what is already queued, so nothing is
// half-written, and SQLite never runs the disk to its last byte.
// Thread-safe.
#ifndef STOREAGENT_AGENT_DISK_GUARD_H_
#define STOREAGENT_AGENT_DISK_GUARD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "platform/scheduler.h"
#include "platform/status.h"

namespace storeagent::agent {

class DiskGuard {
 public:
  using FreeBytesFn = std::function<Result<uint64_t>()>;
  // Called on the scheduler's thread (or CheckNow()'s caller) when the
  // reserve is reached (true) or recovered (false).
  using OnChange = std::function<void(bool reserve_reached)>;

  // Samples once at construction, then every `interval_us` on `scheduler`.
  // `free_bytes` is injectable for tests; production passes fs::FreeBytes of
  // the data directory. REQUIRES: `scheduler` outlives this;
  // interval_us >= 1.
  DiskGuard(FreeBytesFn free_bytes, uint64_t floor_bytes, Scheduler& scheduler,
            int64_t interval_us, OnChange on_change);
  ~DiskGuard();  // Stop()
  DiskGuard(const DiskGuard&) = delete;
  DiskGuard& operator=(const DiskGuard&) = delete;
  // Cancels the sampling; waits for a sample in progress. Idempotent; not
  // from a task of the scheduler.
  void Stop();

  // OK, or RESOURCE_EXHAUSTED while the reserve is reached.
  Status Admit() const;
  bool reserve_reached() const { return reached_.load(); }
  uint64_t last_free_bytes() const { return free_.load(); }

  // Samples now (tests, and after an event that freed space).
  void CheckNow();

 private:
  FreeBytesFn free_bytes_;
  const uint64_t floor_;
  Scheduler& scheduler_;
  OnChange on_change_;
  std::atomic<bool> reached_{false};
  std::atomic<uint64_t> free_{0};
  std::mutex check_mu_;  // serialises CheckNow()
  TimerId timer_ = 0;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_DISK_GUARD_H_
