#include "bench/report.h"

#include <atomic>
#include <cstdint>
#include <cstdio>

#include "platform/clock.h"

namespace storeagent::bench {
namespace {

std::atomic<bool> g_failed{false};

}  // namespace

void Figure(const char* name, double value, int decimals, const char* unit) {
  std::printf("%s %.*f %s\n", name, decimals, value, unit);
  std::fflush(stdout);
}

void Progress(const std::string& what) {
  static const int64_t start_us = SystemClock().MonotonicMicros();
  const double elapsed_s =
      static_cast<double>(SystemClock().MonotonicMicros() - start_us) / 1e6;
  std::fprintf(stderr, "# %6.1f s  %s\n", elapsed_s, what.c_str());
}

void Error(const std::string& phase, const std::string& why) {
  std::fprintf(stderr, "bench: %s: %s\n", phase.c_str(), why.c_str());
  g_failed.store(true);
}

bool Failed() { return g_failed.load(); }

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace storeagent::bench
