// FsyncProbe: the raw flush latency of the disk under a directory, the floor
// under every durable acknowledgement.
//
// Appends 4 KiB to a file and fdatasync()s it, over and over (what a SQLite
// WAL commit does), and reports the latency of each write + flush.
//
// On a virtual machine the figure depends on whether the CPUs idle while the
// flush is in flight: a halted virtual CPU can take milliseconds to be woken
// for the completion. With `spinners` > 0, that many lowest-priority threads
// keep the CPUs busy during the probe (they yield to the probe at once), so
// the two runs tell the device's latency from the wake-up cost.
#ifndef STOREAGENT_BENCH_FSYNC_PROBE_H_
#define STOREAGENT_BENCH_FSYNC_PROBE_H_

#include <cstdint>
#include <string>

#include "platform/status.h"

namespace storeagent::bench {

struct FsyncProbeResult {
  uint64_t flushes = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Probes for `duration_us` with a scratch file at `path` (created, then
// removed).
Result<FsyncProbeResult> ProbeFsync(const std::string& path,
                                    int64_t duration_us, int spinners = 0);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_FSYNC_PROBE_H_
