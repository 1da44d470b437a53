// agent::Watchdog over a real database, on a SimScheduler: it pings while
// the writer and the readers answer, stops pinging while either is stuck,
// and pings again once they answer. Time passes only when the test advances
// it; the probes' answers come from the real storage threads, and the test
// waits for those answers (the ping they schedule), never for time.
#include "agent/watchdog.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "platform/scheduler.h"
#include "tests/support/temp_dir.h"

namespace storeagent::agent {
namespace {

using namespace std::chrono_literals;
using storeagent::testing::TempDir;

// 200 ms timeout: a probe pair (and a ping) every 100 ms.
constexpr std::chrono::microseconds kTimeout = 200ms;
constexpr int64_t kPeriod = 100'000;
// How long (real time) a storage thread may take to answer a probe.
constexpr int64_t kAnswerWithin = 10'000'000;

class WatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions o;
    o.path = dir_.File("agent.db");
    o.store_id = "store-0001";
    o.read_threads = 2;
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  Watchdog::NotifyFn Recorder() {
    return [this](std::string_view state) {
      std::lock_guard<std::mutex> lock(mu_);
      messages_.emplace_back(state);
      return Status::Ok();
    };
  }

  size_t Pings() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size();
  }

  // Runs what is due until `done()`, waiting (bounded, real time) for the
  // storage threads' answers to schedule the next task; never advances
  // time. False when no answer came.
  bool RunUntil(const std::function<bool()>& done) {
    for (int i = 0; i < 100; ++i) {
      sched_.RunDue();
      if (done()) return true;
      if (!sched_.WaitForDue(kAnswerWithin)) return done();
    }
    return done();
  }
  bool WaitForPings(size_t n) {
    return RunUntil([this, n] { return Pings() >= n; });
  }

  TempDir dir_;
  FakeClock clock_;
  SimScheduler sched_;
  std::unique_ptr<storage::AgentDatabase> db_;
  std::mutex mu_;
  std::vector<std::string> messages_;
};

TEST_F(WatchdogTest, PingsWhileWriterAndReadersAnswer) {
  Watchdog dog(*db_, kTimeout, sched_, Recorder());
  ASSERT_TRUE(WaitForPings(1));  // the first probe goes out at once
  sched_.Advance(kPeriod);
  ASSERT_TRUE(WaitForPings(2));
  sched_.Advance(kPeriod);
  ASSERT_TRUE(WaitForPings(3));
  EXPECT_EQ(Pings(), 3u);
  dog.Stop();
  EXPECT_EQ(sched_.pending(), 0u);
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& m : messages_) EXPECT_EQ(m, "WATCHDOG=1");
}

TEST_F(WatchdogTest, NoProbeBeforeItsPeriod) {
  Watchdog dog(*db_, kTimeout, sched_, Recorder());
  ASSERT_TRUE(WaitForPings(1));
  sched_.Advance(kPeriod - 1);
  EXPECT_FALSE(sched_.WaitForDue(100'000)) << "probed before its period";
  EXPECT_EQ(Pings(), 1u);
  sched_.Advance(1);
  ASSERT_TRUE(WaitForPings(2));
}

TEST_F(WatchdogTest, AStuckWriterStopsThePingsUntilItMovesAgain) {
  Watchdog dog(*db_, kTimeout, sched_, Recorder());
  ASSERT_TRUE(WaitForPings(1));

  // A command that holds the writer thread (like a hung fsync).
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  db_->writer().Submit(
      [&started, released](storage::WriteContext&) {
        started.set_value();
        released.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  started.get_future().wait();
  sched_.Advance(kPeriod);  // the next probe is queued behind it
  for (int i = 0; i < 8; ++i) sched_.Advance(kPeriod);  // four timeouts
  sched_.RunDue();
  EXPECT_EQ(Pings(), 1u) << "pinged while the writer was stuck";
  EXPECT_EQ(sched_.pending(), 0u) << "a second probe pair piled up";

  release.set_value();
  ASSERT_TRUE(WaitForPings(2)) << "no ping after the writer moved";
  // It stalled for longer than a period: the next probe goes at once.
  ASSERT_TRUE(WaitForPings(3));
}

TEST_F(WatchdogTest, StuckReadersStopThePings) {
  Watchdog dog(*db_, kTimeout, sched_, Recorder());
  ASSERT_TRUE(WaitForPings(1));

  // Occupy both reader threads.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> a, b;
  std::vector<std::promise<void>*> started = {&a, &b};
  for (std::promise<void>* p : started) {
    db_->readers().Submit([p, released](storage::DbContext*) {
      p->set_value();
      released.wait();
    });
  }
  a.get_future().wait();
  b.get_future().wait();
  sched_.Advance(kPeriod);
  for (int i = 0; i < 8; ++i) sched_.Advance(kPeriod);
  sched_.RunDue();
  EXPECT_EQ(Pings(), 1u) << "pinged while the readers were stuck";

  release.set_value();
  ASSERT_TRUE(WaitForPings(2)) << "no ping after the readers moved";
}

TEST_F(WatchdogTest, StopReturnsWhileAProbeIsStuckAndItsLateAnswerIsHarmless) {
  auto dog = std::make_unique<Watchdog>(*db_, kTimeout, sched_, Recorder());
  ASSERT_TRUE(WaitForPings(1));
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  db_->writer().Submit(
      [&started, released](storage::WriteContext&) {
        started.set_value();
        released.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  started.get_future().wait();
  sched_.Advance(kPeriod);  // a probe is now queued behind it
  dog->Stop();
  dog.reset();
  EXPECT_EQ(sched_.pending(), 0u);
  const size_t after_stop = Pings();
  release.set_value();  // the orphaned probe completes now
  db_->writer()
      .Run([](storage::WriteContext&) { return Status::Ok(); })
      .IgnoreError();  // ... and is surely done
  EXPECT_EQ(sched_.pending(), 0u) << "a late answer scheduled a ping";
  sched_.Advance(10 * kPeriod);
  EXPECT_EQ(Pings(), after_stop);
}

TEST_F(WatchdogTest, ANotifyFailureDoesNotStopTheLoop) {
  int calls = 0;  // tasks run on this thread, inside Advance/RunDue
  Watchdog dog(*db_, kTimeout, sched_, [&](std::string_view) {
    ++calls;
    return Unavailable("sendto /run/systemd/notify: Connection refused");
  });
  ASSERT_TRUE(RunUntil([&] { return calls >= 1; }));
  sched_.Advance(kPeriod);
  ASSERT_TRUE(RunUntil([&] { return calls >= 2; }));
  sched_.Advance(kPeriod);
  ASSERT_TRUE(RunUntil([&] { return calls >= 3; }));
  dog.Stop();
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace storeagent::agent
