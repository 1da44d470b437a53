#include "agent/disk_guard.h"

#include "platform/log.h"

namespace storeagent::agent {
namespace {

std::string Mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

DiskGuard::DiskGuard(FreeBytesFn free_bytes, uint64_t floor_bytes,
                     Scheduler& scheduler, int64_t interval_us,
                     OnChange on_change)
    : free_bytes_(std::move(free_bytes)),
      floor_(floor_bytes),
      scheduler_(scheduler),
      on_change_(std::move(on_change)) {
  CheckNow();
  timer_ = scheduler_.Every(interval_us, [this] { CheckNow(); });
}

DiskGuard::~DiskGuard() { Stop(); }

void DiskGuard::Stop() {
  if (timer_ != 0) scheduler_.Cancel(timer_);  // waits for a running sample
  timer_ = 0;
}

Status DiskGuard::Admit() const {
  if (!reached_.load()) return Status::Ok();
  return ResourceExhausted(
      "disk reserve reached: " + Mib(free_.load()) +
      " free in the data directory, floor is " + Mib(floor_) +
      " (storage.min_free_mib); free some space, recording resumes by itself");
}

void DiskGuard::CheckNow() {
  std::lock_guard<std::mutex> lock(check_mu_);
  Result<uint64_t> free = free_bytes_();
  if (!free.ok()) {
    Log(LogLevel::kWarn, "disk.check_failed",
        {{"error", free.status().ToString()}});
    return;
  }
  free_.store(*free);
  const bool reached = *free < floor_;
  if (reached == reached_.exchange(reached)) return;
  if (reached) {
    Log(LogLevel::kError, "disk.reserve_reached",
        {{"free", Mib(*free)},
         {"floor", Mib(floor_)},
         {"effect", "new events refused with RESOURCE_EXHAUSTED"}});
  } else {
    Log(LogLevel::kWarn, "disk.reserve_recovered",
        {{"free", Mib(*free)}, {"floor", Mib(floor_)}});
  }
  if (on_change_) on_change_(reached);
}

}  // namespace storeagent::agent
