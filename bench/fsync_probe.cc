#include "bench/fsync_probe.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "bench/percentile.h"
#include "platform/clock.h"

namespace storeagent::bench {
namespace {

// One WAL frame's worth of bytes per flush.
constexpr size_t kWriteBytes = 4096;
// The file wraps around to offset 0 after this much, to stay small.
constexpr off_t kMaxFileBytes = 64 << 20;

// Threads that burn CPU at the lowest priority until destroyed.
class Spinners {
 public:
  explicit Spinners(int n) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
        while (!stop_.load(std::memory_order_relaxed)) {
        }
      });
    }
  }
  ~Spinners() {
    stop_.store(true);
    for (std::thread& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace

Result<FsyncProbeResult> ProbeFsync(const std::string& path,
                                    int64_t duration_us, int spinners) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable("fsync probe: open " + path + ": " +
                       std::strerror(errno));
  }
  Spinners busy(spinners);
  const Clock& clock = SystemClock();
  const std::vector<char> block(kWriteBytes, 'x');
  std::vector<int64_t> latency_us;
  off_t offset = 0;
  Status status;
  const int64_t end = clock.MonotonicMicros() + duration_us;
  for (int64_t now = clock.MonotonicMicros(); now < end;) {
    if (::pwrite(fd, block.data(), block.size(), offset) !=
            static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      status = Unavailable("fsync probe: write/fdatasync " + path + ": " +
                           std::strerror(errno));
      break;
    }
    offset = (offset + static_cast<off_t>(kWriteBytes)) % kMaxFileBytes;
    const int64_t done = clock.MonotonicMicros();
    latency_us.push_back(done - now);
    now = done;
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (!status.ok()) return status;
  FsyncProbeResult r;
  r.flushes = latency_us.size();
  r.p50_ms = PercentileMs(latency_us, 50);
  r.p99_ms = PercentileMs(latency_us, 99);
  return r;
}

}  // namespace storeagent::bench
