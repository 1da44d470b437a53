// agent::Watchdog over a real database: it pings while the writer and the
// readers answer, stops pinging while either is stuck, and pings again once
// they answer.
#include "agent/watchdog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace storeagent::agent {
namespace {

using namespace std::chrono_literals;
using storeagent::testing::TempDir;

// 200 ms timeout: a probe pair (and a ping) every 100 ms.
constexpr std::chrono::microseconds kTimeout = 200ms;

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
      {
        std::lock_guard<std::mutex> lock(mu_);
        messages_.emplace_back(state);
      }
      cv_.notify_all();
      return Status::Ok();
    };
  }

  size_t Pings() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size();
  }

  // Waits until at least `n` pings arrived; false after `timeout`.
  bool WaitForPings(size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;
};

TEST_F(WatchdogTest, PingsWhileWriterAndReadersAnswer) {
  Watchdog dog(*db_, kTimeout, clock_, Recorder());
  ASSERT_TRUE(WaitForPings(3));
  dog.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& m : messages_) EXPECT_EQ(m, "WATCHDOG=1");
}

TEST_F(WatchdogTest, AStuckWriterStopsThePingsUntilItMovesAgain) {
  Watchdog dog(*db_, kTimeout, clock_, Recorder());
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
  // At most one probe pair finished as the writer was taken.
  std::this_thread::sleep_for(150ms);
  const size_t before = Pings();
  std::this_thread::sleep_for(800ms);  // four would-be pings
  EXPECT_EQ(Pings(), before) << "pinged while the writer was stuck";

  release.set_value();
  EXPECT_TRUE(WaitForPings(before + 2)) << "no pings after the writer moved";
}

TEST_F(WatchdogTest, StuckReadersStopThePings) {
  Watchdog dog(*db_, kTimeout, clock_, Recorder());
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
  std::this_thread::sleep_for(150ms);
  const size_t before = Pings();
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(Pings(), before) << "pinged while the readers were stuck";

  release.set_value();
  EXPECT_TRUE(WaitForPings(before + 2)) << "no pings after the readers moved";
}

TEST_F(WatchdogTest, StopReturnsWhileAProbeIsStuckAndItsLateAnswerIsHarmless) {
  auto dog = std::make_unique<Watchdog>(*db_, kTimeout, clock_, Recorder());
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
  std::this_thread::sleep_for(150ms);  // a probe is now queued behind it
  dog->Stop();
  dog.reset();
  const size_t after_stop = Pings();
  release.set_value();  // the orphaned probe completes now
  db_->writer()
      .Run([](storage::WriteContext&) { return Status::Ok(); })
      .IgnoreError();  // ... and is surely done
  EXPECT_EQ(Pings(), after_stop);
}

TEST_F(WatchdogTest, ANotifyFailureDoesNotStopTheLoop) {
  std::mutex mu;
  int calls = 0;
  Watchdog dog(*db_, kTimeout, clock_, [&](std::string_view) {
    std::lock_guard<std::mutex> lock(mu);
    ++calls;
    return Unavailable("sendto /run/systemd/notify: Connection refused");
  });
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (calls >= 3) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  dog.Stop();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_GE(calls, 3);
}

}  // namespace
}  // namespace storeagent::agent
