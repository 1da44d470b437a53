#include "platform/clock.h"

#include <chrono>
#include <ctime>
#include <thread>

namespace storeagent {
namespace {

class RealClock : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t MonotonicMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

}  // namespace storeagent

namespace storeagent {

void SleepMicros(int64_t micros) {
  if (micros > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

std::string FormatUtcSeconds(int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  if (gmtime_r(&secs, &tm) == nullptr) return std::to_string(us) + " us";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string LocalDay(int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(
      us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000));
  std::tm tm{};
  if (localtime_r(&secs, &tm) == nullptr) return "1970-01-01";
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace storeagent
