#include "agent/disk_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace storeagent::agent {
namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr int64_t kHour = int64_t{3600} * 1'000'000;

// The guard samples on a SimScheduler: time passes only when a test says.
class DiskGuardTest : public ::testing::Test {
 protected:
  SimScheduler sched_;
};

TEST_F(DiskGuardTest, RefusesBelowTheFloorAndRecoversByItself) {
  std::atomic<uint64_t> free{100 * kMiB};
  std::vector<bool> changes;
  DiskGuard guard([&]() -> Result<uint64_t> { return free.load(); }, 64 * kMiB,
                  sched_, kHour,
                  [&](bool reached) { changes.push_back(reached); });
  EXPECT_TRUE(guard.Admit().ok());
  EXPECT_FALSE(guard.reserve_reached());

  free = 64 * kMiB;  // exactly the floor is still fine
  guard.CheckNow();
  EXPECT_TRUE(guard.Admit().ok());

  free = 64 * kMiB - 1;
  guard.CheckNow();
  Status s = guard.Admit();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(s.retryable());
  EXPECT_NE(s.message().find("storage.min_free_mib"), std::string::npos);
  EXPECT_NE(s.message().find("63 MiB free"), std::string::npos) << s.message();
  guard.CheckNow();  // no second change while still below

  free = 200 * kMiB;
  guard.CheckNow();
  EXPECT_TRUE(guard.Admit().ok());
  EXPECT_EQ(changes, (std::vector<bool>{true, false}));
}

TEST_F(DiskGuardTest, AFailedReadingKeepsTheLastState) {
  bool fail = false;
  DiskGuard guard(
      [&]() -> Result<uint64_t> {
        if (fail) return Unavailable("statvfs failed");
        return uint64_t{0};
      },
      1, sched_, kHour, nullptr);
  EXPECT_TRUE(guard.reserve_reached());
  fail = true;
  guard.CheckNow();
  EXPECT_TRUE(guard.reserve_reached());
}

TEST_F(DiskGuardTest, ZeroFloorIsOff) {
  DiskGuard guard([]() -> Result<uint64_t> { return uint64_t{0}; }, 0, sched_,
                  kHour, nullptr);
  EXPECT_TRUE(guard.Admit().ok());
}

TEST_F(DiskGuardTest, SamplesEveryIntervalOnItsOwnAndNotBefore) {
  std::atomic<uint64_t> free{100 * kMiB};
  std::atomic<int> samples{0};
  std::vector<bool> changes;
  DiskGuard guard(
      [&]() -> Result<uint64_t> {
        ++samples;
        return free.load();
      },
      64 * kMiB, sched_, 2'000'000,
      [&](bool reached) { changes.push_back(reached); });
  EXPECT_EQ(samples, 1);  // at construction
  free = 10 * kMiB;
  sched_.Advance(1'999'999);
  EXPECT_EQ(samples, 1);
  EXPECT_TRUE(guard.Admit().ok()) << "refused before it sampled";
  sched_.Advance(1);
  EXPECT_EQ(samples, 2);
  EXPECT_EQ(guard.Admit().code(), StatusCode::kResourceExhausted);
  free = 100 * kMiB;
  sched_.Advance(2'000'000);
  EXPECT_EQ(samples, 3);
  EXPECT_TRUE(guard.Admit().ok()) << "did not let events in again by itself";
  EXPECT_EQ(changes, (std::vector<bool>{true, false}));

  guard.Stop();
  sched_.Advance(10 * kHour);
  EXPECT_EQ(samples, 3) << "sampled after Stop()";
  EXPECT_EQ(sched_.pending(), 0u);
}

}  // namespace
}  // namespace storeagent::agent
