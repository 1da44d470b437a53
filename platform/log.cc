#include "platform/log.h"

#include <sys/stat.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "platform/clock.h"

namespace storeagent {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_json{false};
std::atomic<bool> g_journal{false};
std::mutex g_mu;

// A level's name in the line, and the syslog priority journald reads from
// a line's "<N>" prefix.
struct LevelText {
  const char* name;
  char priority;
};

LevelText TextOf(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return {"debug", '7'};
    case LogLevel::kInfo:
      return {"info", '6'};
    case LogLevel::kWarn:
      return {"warn", '4'};
    case LogLevel::kError:
      return {"error", '3'};
  }
  return {"info", '6'};
}

std::string Timestamp() {
  int64_t us = SystemClock().NowMicros();
  std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>((us / 1000) % 1000));
  return buf;
}

// Quotes a text value when it is empty or holds spaces, quotes or '='.
std::string TextValue(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \"=\t\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

void ConfigureLog(std::string_view level, std::string_view format) {
  LogLevel l = LogLevel::kInfo;
  if (level == "debug") l = LogLevel::kDebug;
  if (level == "warn") l = LogLevel::kWarn;
  if (level == "error") l = LogLevel::kError;
  g_level.store(static_cast<int>(l));
  g_json.store(format == "json");
  g_journal.store(IsJournalStream(std::getenv("JOURNAL_STREAM"), 2));
}

bool IsJournalStream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr || *journal_stream == '\0') return false;
  uintmax_t dev = 0;
  uintmax_t ino = 0;
  char tail = 0;
  if (std::sscanf(journal_stream, "%" SCNuMAX ":%" SCNuMAX "%c", &dev, &ino,
                  &tail) != 2) {
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return static_cast<uintmax_t>(st.st_dev) == dev &&
         static_cast<uintmax_t>(st.st_ino) == ino;
}

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  std::string line;
  if (g_journal.load()) {
    line += '<';
    line += TextOf(level).priority;
    line += '>';
  }
  if (g_json.load()) {
    nlohmann::json j;
    j["ts"] = Timestamp();
    j["level"] = TextOf(level).name;
    j["event"] = std::string(event);
    for (const LogField& f : fields) j[std::string(f.first)] = f.second;
    line += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    // Appends rather than operator+: GCC 12 at -O3 warns falsely
    // (-Wrestrict) on "literal" + std::string&&.
    line.append("ts=").append(Timestamp());
    line.append(" level=").append(TextOf(level).name);
    line.append(" event=").append(event);
    for (const LogField& f : fields) {
      line.append(" ").append(f.first).append("=").append(TextValue(f.second));
    }
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace storeagent
