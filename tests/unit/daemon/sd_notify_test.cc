// platform::Notify and platform::WatchdogInterval against a socket this test
// binds itself, the way systemd would.
#include "platform/sd_notify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tests/support/temp_dir.h"
#include "tests/unit/daemon/notify_listener.h"

namespace storeagent::platform {
namespace {

using storeagent::testing::NotifyListener;
using storeagent::testing::TempDir;

// Sets or clears the systemd variables for one test and restores them.
class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
};

TEST_F(SdNotifyTest, WithoutNotifySocketIsAQuietNoOp) {
  EXPECT_TRUE(Notify("READY=1").ok());
  ::setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_TRUE(Notify("READY=1").ok());
}

TEST_F(SdNotifyTest, SendsOneDatagramToAPathSocket) {
  TempDir dir;
  NotifyListener listener(dir.File("notify"));
  ASSERT_TRUE(listener.ok());
  ::setenv("NOTIFY_SOCKET", listener.address().c_str(), 1);
  ASSERT_TRUE(Notify("READY=1\nSTATUS=recording").ok());
  EXPECT_EQ(listener.Receive(2000), "READY=1\nSTATUS=recording");
  // The variable stays, so later pings find the socket too.
  ASSERT_TRUE(Notify("WATCHDOG=1").ok());
  EXPECT_EQ(listener.Receive(2000), "WATCHDOG=1");
}

TEST_F(SdNotifyTest, SendsToAnAbstractSocket) {
  const std::string name =
      "@storeagent-sd-notify-test-" + std::to_string(::getpid());
  NotifyListener listener(name);
  ASSERT_TRUE(listener.ok());
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  ASSERT_TRUE(Notify("STOPPING=1").ok());
  EXPECT_EQ(listener.Receive(2000), "STOPPING=1");
}

TEST_F(SdNotifyTest, ARelativeAddressIsRefusedByName) {
  ::setenv("NOTIFY_SOCKET", "notify.sock", 1);
  Status s = Notify("READY=1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("NOTIFY_SOCKET: notify.sock"), std::string::npos)
      << s.ToString();
}

TEST_F(SdNotifyTest, AnAddressTooLongForSunPathIsRefused) {
  ::setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  EXPECT_EQ(Notify("READY=1").code(), StatusCode::kInvalidArgument);
}

TEST_F(SdNotifyTest, NobodyListeningIsAnErrorNamingTheSocket) {
  TempDir dir;
  ::setenv("NOTIFY_SOCKET", dir.File("absent").c_str(), 1);
  Status s = Notify("READY=1");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir.File("absent")), std::string::npos)
      << s.ToString();
}

TEST_F(SdNotifyTest, WatchdogIntervalComesFromWatchdogUsec) {
  EXPECT_FALSE(WatchdogInterval().has_value());
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ASSERT_TRUE(WatchdogInterval().has_value());
  EXPECT_EQ(WatchdogInterval()->count(), 30'000'000);
}

TEST_F(SdNotifyTest, WatchdogIntervalIgnoresJunkAndZero) {
  for (const char* bad : {"", "0", "-5", "12abc", "abc", " 5"}) {
    ::setenv("WATCHDOG_USEC", bad, 1);
    EXPECT_FALSE(WatchdogInterval().has_value()) << "'" << bad << "'";
  }
}

TEST_F(SdNotifyTest, WatchdogIntervalHonoursWatchdogPid) {
  ::setenv("WATCHDOG_USEC", "400000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_TRUE(WatchdogInterval().has_value());
  // Inherited from a parent the watchdog was meant for: not ours.
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  EXPECT_FALSE(WatchdogInterval().has_value());
  ::setenv("WATCHDOG_PID", "junk", 1);
  EXPECT_FALSE(WatchdogInterval().has_value());
}

}  // namespace
}  // namespace storeagent::platform
