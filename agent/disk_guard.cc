#include "agent/disk_guard.h"

#include "platform/log.h"

namespace storeagent::agent {
namespace {

std::string Mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

DiskGuard::DiskGuard(FreeBytesFn free_bytes, uint64_t floor_bytes,
                     std::chrono::milliseconds interval, OnChange on_change)
    : free_bytes_(std::move(free_bytes)),
      floor_(floor_bytes),
      interval_(interval),
      on_change_(std::move(on_change)) {
  CheckNow();
  thread_ = std::thread([this] { Loop(); });
}

DiskGuard::~DiskGuard() { Stop(); }

void DiskGuard::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
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

void DiskGuard::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
    CheckNow();
  }
}

}  // namespace storeagent::agent
