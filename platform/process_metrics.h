// The standard process_* metrics every Prometheus client library exports
// (CPU time, memory, file descriptors, start time), read from /proc/self.
#ifndef STOREAGENT_PLATFORM_PROCESS_METRICS_H_
#define STOREAGENT_PLATFORM_PROCESS_METRICS_H_

#include <cstdint>
#include <string_view>

#include "platform/metrics.h"
#include "platform/status.h"

namespace storeagent::platform {

struct ProcessFigures {
  double cpu_seconds = 0;         // user + system
  uint64_t resident_bytes = 0;    // RSS
  uint64_t virtual_bytes = 0;     // VSZ
  uint64_t open_fds = 0;          // entries of /proc/self/fd
  uint64_t max_fds = 0;           // RLIMIT_NOFILE, soft
  double start_time_seconds = 0;  // since the Unix epoch
};

// The fields of a /proc/PID/stat line the figures need, in the kernel's
// units: clock ticks and pages. The command name may hold spaces and
// parentheses; parsing starts after its last ')'.
struct ProcStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // since boot
  uint64_t vsize_bytes = 0;
  uint64_t rss_pages = 0;
};
Result<ProcStat> ParseProcStat(std::string_view line);

// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and the
// descriptor limit.
Result<ProcessFigures> ReadProcessFigures();

// Appends the process_* families: process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds.
void RenderProcessMetrics(const ProcessFigures& f, MetricsText& m);

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_PROCESS_METRICS_H_
