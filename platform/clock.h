// Clock: the one way code outside platform/ learns the time.
//
// Components take a Clock& in their constructor; production passes
// SystemClock(), tests pass a FakeClock they move by hand. Thread-safe.
#ifndef STOREAGENT_PLATFORM_CLOCK_H_
#define STOREAGENT_PLATFORM_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <string>

namespace storeagent {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() const = 0;
  // Monotonic time for measuring intervals, microseconds from an arbitrary
  // origin.
  virtual int64_t MonotonicMicros() const = 0;
};

// The real clock. Process-wide singleton.
Clock& SystemClock();

// "2026-12-02 17:36:04Z": microseconds since the epoch as UTC to the
// second, for what the command-line tools print.
std::string FormatUtcSeconds(int64_t us);

// "2026-12-02": the calendar date of `us` (µs since the epoch) in the host's
// time zone (TZ, /etc/localtime): the store's local business day for an
// event the POS sent without one, and the default day of a day report.
std::string LocalDay(int64_t us);

// Blocks the calling thread for `micros` of real time. The one sleep of
// production code: pacing loops (the online backup's pauses between steps)
// call it; tests pass a pause of their own where a loop takes one.
void SleepMicros(int64_t micros);

// A clock that moves only when told to. For tests.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1'700'000'000'000'000)
      : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  int64_t MonotonicMicros() const override { return now_.load(); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }
  void Set(int64_t micros) { now_.store(micros); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace storeagent

#endif  // STOREAGENT_PLATFORM_CLOCK_H_
