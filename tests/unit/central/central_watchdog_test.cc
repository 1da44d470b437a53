// central::CentralWatchdog on a SimScheduler over a real SQLite central
// store: it pings systemd while its probe comes back through the worker
// pool, withholds the pings while the pool is stuck, and pings again once
// the pool moves. The pool is an io_context the test runs by hand (poll),
// so "stuck" is the test not running it; time passes only when the test
// advances it, and nothing sleeps.
#include "central/server/central_watchdog.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "platform/scheduler.h"
#include "tests/support/temp_dir.h"

namespace storeagent::central {
namespace {

using namespace std::chrono_literals;

// 200 ms timeout: a probe (and a ping) every 100 ms.
constexpr std::chrono::microseconds kTimeout = 200ms;
constexpr int64_t kPeriod = 100'000;

class CentralWatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<CentralStore>> store =
        OpenCentralStore("sqlite:" + dir_.File("central.db"), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  CentralWatchdog::NotifyFn Recorder() {
    return [this](std::string_view state) {
      messages_.emplace_back(state);
      return Status::Ok();
    };
  }

  // The pool runs what was posted to it; the scheduler runs what that
  // made due (the ping).
  void PoolAnswers() {
    pool_.restart();
    pool_.poll();
    sched_.RunDue();
  }

  testing::TempDir dir_;
  FakeClock clock_;
  SimScheduler sched_;
  boost::asio::io_context pool_;
  std::unique_ptr<CentralStore> store_;
  std::vector<std::string> messages_;  // scheduler tasks: this thread
};

TEST_F(CentralWatchdogTest, PingsOncePerPeriodWhileThePoolAnswers) {
  CentralWatchdog w(pool_, *store_, kTimeout, sched_, Recorder());
  sched_.RunDue();  // the first probe goes out at once
  EXPECT_TRUE(messages_.empty()) << "no ping before the probe came back";
  PoolAnswers();
  ASSERT_EQ(messages_.size(), 1u);
  EXPECT_EQ(messages_[0], "WATCHDOG=1");
  sched_.Advance(kPeriod - 1);
  PoolAnswers();
  EXPECT_EQ(messages_.size(), 1u) << "the next probe waits for its period";
  sched_.Advance(1);
  PoolAnswers();
  EXPECT_EQ(messages_.size(), 2u);
  for (int i = 0; i < 5; ++i) {
    sched_.Advance(kPeriod);
    PoolAnswers();
  }
  EXPECT_EQ(messages_.size(), 7u);
}

TEST_F(CentralWatchdogTest, AStuckPoolWithholdsThePingsUntilItMoves) {
  CentralWatchdog w(pool_, *store_, kTimeout, sched_, Recorder());
  sched_.RunDue();
  PoolAnswers();
  ASSERT_EQ(messages_.size(), 1u);
  // The pool stops running: the next probe stays queued, for ten periods
  // (five of systemd's timeouts), and no ping goes out.
  sched_.Advance(kPeriod);
  for (int i = 0; i < 10; ++i) sched_.Advance(kPeriod);
  EXPECT_EQ(messages_.size(), 1u);
  EXPECT_EQ(sched_.pending(), 0u) << "one probe at a time: nothing re-sent";
  // It moves again: the late answer pings at once, then one per period.
  PoolAnswers();
  EXPECT_EQ(messages_.size(), 2u);
  sched_.Advance(kPeriod);
  PoolAnswers();
  EXPECT_EQ(messages_.size(), 3u);
}

TEST_F(CentralWatchdogTest, StopWithAProbeQueuedLeavesNothingBehind) {
  auto w = std::make_unique<CentralWatchdog>(pool_, *store_, kTimeout, sched_,
                                             Recorder());
  sched_.RunDue();  // a probe is queued in the pool, not run
  w->Stop();
  EXPECT_EQ(sched_.pending(), 0u);
  w.reset();
  PoolAnswers();  // the late probe touches nothing and schedules nothing
  sched_.Advance(10 * kPeriod);
  EXPECT_TRUE(messages_.empty());
  EXPECT_EQ(sched_.pending(), 0u);
}

TEST_F(CentralWatchdogTest, ANotifyFailureDoesNotStopThePings) {
  int calls = 0;
  CentralWatchdog w(pool_, *store_, kTimeout, sched_, [&](std::string_view) {
    ++calls;
    return Unavailable("no NOTIFY_SOCKET");
  });
  sched_.RunDue();
  PoolAnswers();
  sched_.Advance(kPeriod);
  PoolAnswers();
  sched_.Advance(kPeriod);
  PoolAnswers();
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace storeagent::central
