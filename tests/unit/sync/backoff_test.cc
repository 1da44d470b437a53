#include "agent/sync/backoff.h"

#include <gtest/gtest.h>

namespace storeagent::agent {
namespace {

using std::chrono::milliseconds;

// Base delays without jitter: 1000, 1600, 2560 ... capped at 120000.
std::vector<double> BaseSequence(int n) {
  std::vector<double> out;
  double d = 1000;
  for (int i = 0; i < n; ++i) {
    out.push_back(d);
    d = std::min(d * 1.6, 120000.0);
  }
  return out;
}

TEST(Backoff, MidpointRandomGivesTheBaseSequence) {
  Backoff b({}, [] { return 0.5; });
  const std::vector<double> base = BaseSequence(20);
  for (double want : base) {
    EXPECT_EQ(b.Next().count(), static_cast<int64_t>(want));
  }
  EXPECT_EQ(b.Next(), milliseconds(120000));  // stays at the cap
}

TEST(Backoff, JitterStaysWithinTwentyPercent) {
  for (double u : {0.0, 0.999999}) {
    Backoff b({}, [u] { return u; });
    for (double base : BaseSequence(25)) {
      const int64_t d = b.Next().count();
      EXPECT_GE(d, static_cast<int64_t>(base * 0.8) - 1) << "u=" << u;
      EXPECT_LE(d, static_cast<int64_t>(base * 1.2) + 1) << "u=" << u;
    }
  }
  Backoff low({}, [] { return 0.0; });
  EXPECT_EQ(low.Next(), milliseconds(800));
}

TEST(Backoff, RealRandomWithinBoundsAndResetStartsOver) {
  Backoff b;
  const std::vector<double> base = BaseSequence(30);
  for (double want : base) {
    const int64_t d = b.Next().count();
    EXPECT_GE(d, static_cast<int64_t>(want * 0.8) - 1);
    EXPECT_LE(d, static_cast<int64_t>(want * 1.2) + 1);
  }
  b.Reset();
  const int64_t first = b.Next().count();
  EXPECT_GE(first, 799);
  EXPECT_LE(first, 1201);
}

}  // namespace
}  // namespace storeagent::agent
