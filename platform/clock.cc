#include "platform/clock.h"

#include <chrono>
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

}  // namespace storeagent
