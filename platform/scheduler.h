// Scheduler: time you can wait on.
//
// platform::Clock can be read; a Scheduler also runs code when time has
// passed: once after a delay (Schedule), periodically (Every), until
// cancelled (Cancel). Components that must act "every N seconds" or "after
// N ms" take a Scheduler& in their constructor instead of owning a thread
// that sleeps, so a test drives them with a SimScheduler, whose time moves
// only when the test says so and whose due tasks then run synchronously,
// in deadline order, on the test's thread: no test sleeps to let a timer
// fire, and a run is deterministic.
//
// Two implementations:
//  * ThreadScheduler: real time (SystemClock()); one thread runs every due
//    task in deadline order. What storeagentd runs on.
//  * SimScheduler: a FakeClock of its own; Advance(d) moves it and runs
//    every task that falls due, in deadline order (ties: the order they
//    were scheduled), before it returns.
//
// Task rules (both implementations):
//  * A task runs on the scheduler's thread (ThreadScheduler) or the thread
//    calling Advance (SimScheduler), one task at a time, never inline in
//    Schedule/Every. It must return quickly and never wait for storage or
//    the network: hand such work on, and let its completion schedule what
//    follows. A slow task delays every other timer of the scheduler.
//  * Cancel(id): after it returns the task will not start again, and, when
//    called from any other thread than the one running it, it is not
//    running either (Cancel waits for a run in progress to return). Called
//    from inside a task (the task itself or another one), it does not wait.
//    So an owner that cancels its timers in Stop()/its destructor can then
//    free what the tasks use. REQUIRES: the caller holds no lock the task
//    takes (Cancel would wait for it forever).
//  * Stop() (ThreadScheduler) and the destructor of either drop the tasks
//    still pending without running them.
//
// Thread-safety: every method may be called from any thread, including
// from inside a task.
#ifndef STOREAGENT_PLATFORM_SCHEDULER_H_
#define STOREAGENT_PLATFORM_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "platform/clock.h"

namespace storeagent {

// Names one scheduled task; 0 is never a task.
using TimerId = uint64_t;

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // The time this scheduler's deadlines are in: deadlines are on
  // clock().MonotonicMicros(); clock().NowMicros() is wall time.
  virtual const Clock& clock() const = 0;

  // Runs `fn` once, `delay_us` from now (<= 0: as soon as possible).
  virtual TimerId Schedule(int64_t delay_us, std::function<void()> fn) = 0;

  // Runs `fn` first `first_delay_us` from now, then every `period_us`
  // (fixed rate: deadline k is first + k x period; a run that overran a
  // deadline is not repeated to catch up, the next deadline is the first
  // one still ahead). REQUIRES: period_us >= 1.
  virtual TimerId EveryFrom(int64_t first_delay_us, int64_t period_us,
                            std::function<void()> fn) = 0;

  // Every(period): the first run one period from now.
  TimerId Every(int64_t period_us, std::function<void()> fn) {
    return EveryFrom(period_us, period_us, std::move(fn));
  }

  // See the task rules above. True when the task was still pending or
  // running (this call ended it); false for an unknown id, a one-shot task
  // that already ran, or a second Cancel.
  virtual bool Cancel(TimerId id) = 0;
};

// The deadline-ordered queue both implementations share. Not thread-safe:
// the owner locks around it.
class TimerQueue {
 public:
  struct Task {
    TimerId id = 0;
    int64_t period_us = 0;  // 0: one-shot
    std::shared_ptr<std::function<void()>> fn;
  };

  TimerId Add(int64_t deadline_us, int64_t period_us, std::function<void()> fn);
  // Re-queues a periodic task after its run at `deadline_us` (the
  // deadline it ran for), `now_us` being the time after the run.
  void Requeue(Task task, int64_t deadline_us, int64_t now_us);
  // Moves a pending task out into `*out` (for the caller to destroy after
  // unlocking); false when it is not pending.
  bool Remove(TimerId id, Task* out);
  bool empty() const { return by_deadline_.empty(); }
  // REQUIRES: !empty().
  int64_t next_deadline() const { return by_deadline_.begin()->first.first; }
  // Takes the earliest task. REQUIRES: !empty().
  std::pair<int64_t, Task> PopFirst();
  // Moves every pending task's function out into `*out`.
  void Clear(std::vector<std::shared_ptr<std::function<void()>>>* out);
  size_t size() const { return by_deadline_.size(); }

 private:
  // Keyed by (deadline, id): ids rise, so ties run in schedule order.
  std::map<std::pair<int64_t, TimerId>, Task> by_deadline_;
  std::map<TimerId, int64_t> deadline_of_;
  TimerId next_id_ = 1;
};

// What both implementations do around running a task, so Cancel can wait
// for a run on another thread. Guarded by the owner's mutex.
struct RunningTask {
  TimerId id = 0;  // 0: none running
  std::thread::id thread;
  bool cancelled = false;  // a periodic task cancelled during its run
};

// Real time, one thread.
class ThreadScheduler final : public Scheduler {
 public:
  // Starts the thread.
  ThreadScheduler();
  ~ThreadScheduler() override;  // Stop()
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  const Clock& clock() const override;
  TimerId Schedule(int64_t delay_us, std::function<void()> fn) override;
  TimerId EveryFrom(int64_t first_delay_us, int64_t period_us,
                    std::function<void()> fn) override;
  bool Cancel(TimerId id) override;

  // Waits for a task in progress, drops the pending ones, joins the thread.
  // Later Schedule/Every calls return ids that never run. Idempotent; not
  // from inside a task.
  void Stop();

 private:
  TimerId Add(int64_t delay_us, int64_t period_us, std::function<void()> fn);
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;        // the loop: a new earliest deadline
  std::condition_variable run_done_;  // Cancel: the running task returned
  TimerQueue queue_;                  // guarded by mu_
  RunningTask running_;               // guarded by mu_
  bool stopping_ = false;             // guarded by mu_
  std::thread thread_;
};

// Simulated time for tests: nothing runs until the test calls Advance or
// RunDue, and then everything due runs on the calling thread.
class SimScheduler final : public Scheduler {
 public:
  explicit SimScheduler(int64_t start_micros = 1'700'000'000'000'000)
      : clock_(start_micros) {}
  ~SimScheduler() override;

  const Clock& clock() const override { return clock_; }
  // The clock, to move wall time by hand (Set) without running tasks.
  FakeClock& fake_clock() { return clock_; }
  TimerId Schedule(int64_t delay_us, std::function<void()> fn) override;
  TimerId EveryFrom(int64_t first_delay_us, int64_t period_us,
                    std::function<void()> fn) override;
  bool Cancel(TimerId id) override;

  // Moves time forward by `micros`, running each task that falls due at
  // its deadline (the clock reads that deadline while it runs), in
  // deadline order, ties in the order they were scheduled, including tasks
  // scheduled by those tasks. Returns the number of task runs.
  // REQUIRES: micros >= 0; no other thread is inside Advance/RunDue.
  int Advance(int64_t micros);
  // Runs what is due now (Advance(0)).
  int RunDue() { return Advance(0); }
  // Waits up to `real_timeout_us` of real time until a task is due now (a
  // thread of the test's, say a storage thread's completion, scheduled
  // one). For tests that mix real threads with simulated time: they wait
  // for work, never for time to pass. True when one is due.
  bool WaitForDue(int64_t real_timeout_us);
  // Tasks pending.
  size_t pending() const;

 private:
  TimerId Add(int64_t delay_us, int64_t period_us, std::function<void()> fn);

  FakeClock clock_;
  mutable std::mutex mu_;
  std::condition_variable changed_;  // a task was added or finished a run
  TimerQueue queue_;                 // guarded by mu_
  RunningTask running_;              // guarded by mu_
};

}  // namespace storeagent

#endif  // STOREAGENT_PLATFORM_SCHEDULER_H_
