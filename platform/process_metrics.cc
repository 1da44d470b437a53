#include "platform/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <vector>

#include "platform/fs.h"

namespace storeagent::platform {
namespace {

// Splits on spaces, skipping empty fields.
std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool ToU64(std::string_view s, uint64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "btime SECONDS" of /proc/stat: when the machine booted.
Result<uint64_t> BootTime() {
  Result<std::string> text = fs::ReadFile("/proc/stat");
  if (!text.ok()) return text.status();
  size_t at = text->find("\nbtime ");
  if (at == std::string::npos) return Internal("/proc/stat: no btime line");
  at += 7;
  const size_t end = text->find('\n', at);
  uint64_t v = 0;
  if (!ToU64(std::string_view(*text).substr(at, end - at), v)) {
    return Internal("/proc/stat: btime is not a number");
  }
  return v;
}

uint64_t CountOpenFds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  uint64_t n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n > 0 ? n - 1 : 0;  // the directory stream's own descriptor
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view line) {
  const size_t paren = line.rfind(')');
  if (paren == std::string_view::npos) {
    return InvalidArgument("stat line has no ')' after the command name");
  }
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const std::vector<std::string_view> f = Fields(line.substr(paren + 1));
  if (f.size() < 22) {
    return InvalidArgument("stat line has " + std::to_string(f.size() + 2) +
                           " fields, fewer than 24");
  }
  ProcStat s;
  if (!ToU64(f[14 - 3], s.utime_ticks) || !ToU64(f[15 - 3], s.stime_ticks) ||
      !ToU64(f[22 - 3], s.start_ticks) || !ToU64(f[23 - 3], s.vsize_bytes) ||
      !ToU64(f[24 - 3], s.rss_pages)) {
    return InvalidArgument(
        "stat line: utime, stime, starttime, vsize or rss "
        "is not a number");
  }
  return s;
}

Result<ProcessFigures> ReadProcessFigures() {
  Result<std::string> line = fs::ReadFile("/proc/self/stat");
  if (!line.ok()) return line.status();
  Result<ProcStat> st = ParseProcStat(*line);
  if (!st.ok()) return Internal("/proc/self/stat: " + st.status().message());
  Result<uint64_t> boot = BootTime();
  if (!boot.ok()) return boot.status();
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  ProcessFigures f;
  f.cpu_seconds =
      static_cast<double>(st->utime_ticks + st->stime_ticks) / ticks;
  f.resident_bytes = st->rss_pages * page;
  f.virtual_bytes = st->vsize_bytes;
  f.start_time_seconds =
      static_cast<double>(*boot) + static_cast<double>(st->start_ticks) / ticks;
  f.open_fds = CountOpenFds();
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    f.max_fds = static_cast<uint64_t>(lim.rlim_cur);
  }
  return f;
}

void RenderProcessMetrics(const ProcessFigures& f, MetricsText& m) {
  m.Family("process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.");
  m.Sample("process_cpu_seconds_total", f.cpu_seconds);
  m.Family("process_resident_memory_bytes", "gauge",
           "Resident memory size in bytes.");
  m.Sample("process_resident_memory_bytes",
           static_cast<double>(f.resident_bytes));
  m.Family("process_virtual_memory_bytes", "gauge",
           "Virtual memory size in bytes.");
  m.Sample("process_virtual_memory_bytes",
           static_cast<double>(f.virtual_bytes));
  m.Family("process_open_fds", "gauge", "Number of open file descriptors.");
  m.Sample("process_open_fds", static_cast<double>(f.open_fds));
  m.Family("process_max_fds", "gauge",
           "Maximum number of open file descriptors.");
  m.Sample("process_max_fds", static_cast<double>(f.max_fds));
  m.Family("process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
  m.Sample("process_start_time_seconds", f.start_time_seconds);
}

}  // namespace storeagent::platform
