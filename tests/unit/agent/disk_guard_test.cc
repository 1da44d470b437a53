#include "agent/disk_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace storeagent::agent {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(DiskGuard, RefusesBelowTheFloorAndRecoversByItself) {
  std::atomic<uint64_t> free{100 * kMiB};
  std::vector<bool> changes;
  DiskGuard guard([&]() -> Result<uint64_t> { return free.load(); }, 64 * kMiB,
                  std::chrono::hours(1),
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

TEST(DiskGuard, AFailedReadingKeepsTheLastState) {
  bool fail = false;
  DiskGuard guard(
      [&]() -> Result<uint64_t> {
        if (fail) return Unavailable("statvfs failed");
        return uint64_t{0};
      },
      1, std::chrono::hours(1), nullptr);
  EXPECT_TRUE(guard.reserve_reached());
  fail = true;
  guard.CheckNow();
  EXPECT_TRUE(guard.reserve_reached());
}

TEST(DiskGuard, ZeroFloorIsOff) {
  DiskGuard guard([]() -> Result<uint64_t> { return uint64_t{0}; }, 0,
                  std::chrono::hours(1), nullptr);
  EXPECT_TRUE(guard.Admit().ok());
}

}  // namespace
}  // namespace storeagent::agent
