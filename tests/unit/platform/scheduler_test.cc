// platform/scheduler.h: the simulated scheduler's order and determinism,
// Cancel's promises (pending, periodic, running on another thread, from
// inside a task), and the real ThreadScheduler doing the same in real time.
#include "platform/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace storeagent {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kS = 1'000'000;

TEST(SimScheduler, NothingRunsUntilTimeIsAdvanced) {
  SimScheduler s;
  int runs = 0;
  s.Schedule(0, [&] { ++runs; });
  s.Schedule(10 * kMs, [&] { ++runs; });
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.Advance(10 * kMs - 1), 0);
  EXPECT_EQ(s.Advance(1), 1);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(s.pending(), 0u);
}

TEST(SimScheduler, RunsInDeadlineOrderTiesInScheduleOrderAtTheirDeadline) {
  SimScheduler s;
  const int64_t t0 = s.clock().MonotonicMicros();
  std::vector<std::string> order;
  std::vector<int64_t> at;
  auto note = [&](std::string name) {
    return [&, name] {
      order.push_back(name);
      at.push_back(s.clock().MonotonicMicros() - t0);
    };
  };
  s.Schedule(30 * kMs, note("c"));
  s.Schedule(10 * kMs, note("a1"));
  s.Schedule(20 * kMs, note("b"));
  s.Schedule(10 * kMs, note("a2"));
  s.Advance(kS);
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "a2", "b", "c"}));
  EXPECT_EQ(at, (std::vector<int64_t>{10 * kMs, 10 * kMs, 20 * kMs, 30 * kMs}));
  EXPECT_EQ(s.clock().MonotonicMicros() - t0, kS);  // to the end of the step
}

TEST(SimScheduler, TasksScheduledByTasksRunInTheSameAdvanceWhenDue) {
  SimScheduler s;
  std::vector<int> order;
  s.Schedule(5 * kMs, [&] {
    order.push_back(1);
    s.Schedule(0, [&] { order.push_back(2); });         // due at 5 ms
    s.Schedule(10 * kMs, [&] { order.push_back(3); });  // due at 15 ms
    s.Schedule(kS, [&] { order.push_back(4); });        // past this step
  });
  EXPECT_EQ(s.Advance(20 * kMs), 3);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(s.pending(), 1u);
}

TEST(SimScheduler, EveryRunsAtFixedRateAndEveryFromStartsWhenTold) {
  SimScheduler s;
  const int64_t t0 = s.clock().MonotonicMicros();
  std::vector<int64_t> every, from;
  s.Every(100 * kMs,
          [&] { every.push_back(s.clock().MonotonicMicros() - t0); });
  s.EveryFrom(0, 250 * kMs,
              [&] { from.push_back(s.clock().MonotonicMicros() - t0); });
  s.Advance(kS / 2);
  EXPECT_EQ(every, (std::vector<int64_t>{100 * kMs, 200 * kMs, 300 * kMs,
                                         400 * kMs, 500 * kMs}));
  EXPECT_EQ(from, (std::vector<int64_t>{0, 250 * kMs, 500 * kMs}));
}

TEST(SimScheduler, APeriodicTaskThatOverranSkipsTheMissedDeadlines) {
  SimScheduler s;
  const int64_t t0 = s.clock().MonotonicMicros();
  std::vector<int64_t> at;
  bool slow = true;
  s.Every(100 * kMs, [&] {
    at.push_back(s.clock().MonotonicMicros() - t0);
    if (slow) s.fake_clock().Advance(250 * kMs);  // the run took 250 ms
    slow = false;
  });
  s.Advance(kS / 2);
  // Ran at 100, finished at 350: 200 and 300 are skipped, 400 keeps phase.
  EXPECT_EQ(at, (std::vector<int64_t>{100 * kMs, 400 * kMs, 500 * kMs}));
}

TEST(SimScheduler, CancelStopsPendingAndPeriodicTasks) {
  SimScheduler s;
  int once = 0, periodic = 0;
  TimerId a = s.Schedule(10 * kMs, [&] { ++once; });
  TimerId b = s.Every(10 * kMs, [&] { ++periodic; });
  s.Advance(25 * kMs);
  EXPECT_EQ(once, 1);
  EXPECT_EQ(periodic, 2);
  EXPECT_FALSE(s.Cancel(a)) << "a one-shot that ran is no longer pending";
  EXPECT_TRUE(s.Cancel(b));
  EXPECT_FALSE(s.Cancel(b)) << "a second Cancel";
  EXPECT_FALSE(s.Cancel(0));
  s.Advance(kS);
  EXPECT_EQ(periodic, 2);
  EXPECT_EQ(s.pending(), 0u);
}

TEST(SimScheduler, ATaskCancelsItselfAndOthersWithoutWaiting) {
  SimScheduler s;
  int runs = 0, other = 0;
  TimerId self = 0;
  TimerId victim = s.Schedule(20 * kMs, [&] { ++other; });
  self = s.Every(10 * kMs, [&] {
    ++runs;
    EXPECT_TRUE(s.Cancel(self));  // from inside: no wait, no deadlock
    EXPECT_TRUE(s.Cancel(victim));
  });
  s.Advance(kS);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(other, 0);
}

TEST(SimScheduler, CancelFromAnotherThreadWaitsForTheRunInProgress) {
  SimScheduler s;
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> finished{false};
  TimerId id = s.Every(10 * kMs, [&] {
    entered.set_value();
    released.wait();
    finished = true;
  });
  std::thread driver([&] { s.Advance(15 * kMs); });
  entered.get_future().wait();
  std::atomic<bool> cancel_returned{false};
  std::thread canceller([&] {
    EXPECT_TRUE(s.Cancel(id));
    // Cancel returned: the run is over, and it is not queued again.
    EXPECT_TRUE(finished.load());
    cancel_returned = true;
  });
  EXPECT_FALSE(cancel_returned.load());
  release.set_value();
  canceller.join();
  driver.join();
  EXPECT_TRUE(cancel_returned.load());
  EXPECT_EQ(s.pending(), 0u);
}

TEST(SimScheduler, TheSameScheduleGivesTheSameTraceEveryTime) {
  auto trace = [] {
    SimScheduler s;
    std::string out;
    uint64_t x = 12345;  // a fixed PRNG: delays drawn from it
    for (int i = 0; i < 200; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const int64_t delay = static_cast<int64_t>(x >> 44) % (50 * kMs);
      s.Schedule(delay, [&out, &s, i] {
        out += std::to_string(i) + "@" +
               std::to_string(s.clock().MonotonicMicros()) + ";";
      });
    }
    for (int step = 0; step < 10; ++step) s.Advance(7 * kMs);
    return out;
  };
  const std::string first = trace();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(trace(), first);
}

TEST(SimScheduler, WaitForDueSeesATaskAnotherThreadScheduled) {
  SimScheduler s;
  EXPECT_FALSE(s.WaitForDue(1000));  // nothing scheduled: times out
  s.Schedule(kS, [] {});
  EXPECT_FALSE(s.WaitForDue(1000));  // scheduled, not due
  int runs = 0;
  std::thread other([&] { s.Schedule(0, [&] { ++runs; }); });
  EXPECT_TRUE(s.WaitForDue(10 * kS));
  other.join();
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(runs, 1);
}

TEST(SimScheduler, PendingTasksAreDroppedUnrunAtDestruction) {
  auto owned = std::make_shared<int>(0);
  std::weak_ptr<int> watch = owned;
  {
    SimScheduler s;
    s.Schedule(kS, [owned] { ++*owned; });
    owned.reset();
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
}

// The real scheduler: what it promises holds in real time. These tests wait
// on futures the tasks fulfil, bounded, never for a fixed time.
TEST(ThreadScheduler, RunsDueTasksInDeadlineOrderOnItsThread) {
  ThreadScheduler s;
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> last;
  const std::thread::id caller = std::this_thread::get_id();
  auto note = [&](int n) {
    return [&, n] {
      EXPECT_NE(std::this_thread::get_id(), caller);
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(n);
      if (order.size() == 3) last.set_value();
    };
  };
  const int64_t start = s.clock().MonotonicMicros();
  s.Schedule(30 * kMs, note(3));
  s.Schedule(10 * kMs, note(1));
  s.Schedule(20 * kMs, note(2));
  ASSERT_EQ(last.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  EXPECT_GE(s.clock().MonotonicMicros() - start, 30 * kMs);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(ThreadScheduler, EveryRepeatsUntilCancelledAndCancelWaitsForARun) {
  ThreadScheduler s;
  std::atomic<int> runs{0};
  std::promise<void> third;
  std::atomic<bool> in_run{false};
  TimerId id = s.Every(kMs, [&] {
    in_run = true;
    if (++runs == 3) third.set_value();
    std::this_thread::yield();
    in_run = false;
  });
  ASSERT_EQ(third.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  EXPECT_TRUE(s.Cancel(id));
  EXPECT_FALSE(in_run.load()) << "Cancel returned during a run";
  const int after = runs.load();
  // A marker scheduled after the cancel runs; the periodic task did not.
  std::promise<void> marker;
  s.Schedule(5 * kMs, [&] { marker.set_value(); });
  ASSERT_EQ(marker.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  EXPECT_EQ(runs.load(), after);
}

TEST(ThreadScheduler, StopDropsPendingTasksAndLaterOnesNeverRun) {
  auto owned = std::make_shared<int>(0);
  std::weak_ptr<int> watch = owned;
  ThreadScheduler s;
  s.Schedule(3600 * kS, [owned] { ++*owned; });
  owned.reset();
  s.Stop();
  EXPECT_TRUE(watch.expired());
  std::atomic<bool> ran{false};
  s.Schedule(0, [&] { ran = true; });
  s.Stop();  // idempotent
  EXPECT_FALSE(ran.load());
}

}  // namespace
}  // namespace storeagent
