// FaultVfs: a SQLite VFS shim for tests and benchmarks that wraps the default
// VFS and can slow every fsync down or report a full disk.
//
// Register once per process with RegisterFaultVfs(); open a database with
// ConnectionOptions::vfs = kFaultVfsName. The knobs are process-wide and
// may be flipped at any time from any thread.
#ifndef STOREAGENT_TESTS_SUPPORT_FAULT_VFS_H_
#define STOREAGENT_TESTS_SUPPORT_FAULT_VFS_H_

#include <atomic>
#include <cstdint>

namespace storeagent::testing {

inline constexpr char kFaultVfsName[] = "storeagent-fault";

struct FaultVfsKnobs {
  // Every xSync sleeps this long first (emulates a slow eMMC flush).
  std::atomic<int64_t> sync_delay_us{0};
  // While true, every xWrite and xTruncate fails with SQLITE_FULL.
  std::atomic<bool> disk_full{false};
  // Counters, for tests to see that faults were actually hit.
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> refused_writes{0};
};

// Registers the VFS (idempotent) and returns its knobs.
FaultVfsKnobs& RegisterFaultVfs();

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_FAULT_VFS_H_
