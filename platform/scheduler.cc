#include "platform/scheduler.h"

#include <algorithm>
#include <chrono>

namespace storeagent {

// ---- TimerQueue ----

TimerId TimerQueue::Add(int64_t deadline_us, int64_t period_us,
                        std::function<void()> fn) {
  const TimerId id = next_id_++;
  Task t;
  t.id = id;
  t.period_us = period_us;
  t.fn = std::make_shared<std::function<void()>>(std::move(fn));
  by_deadline_.emplace(std::make_pair(deadline_us, id), std::move(t));
  deadline_of_.emplace(id, deadline_us);
  return id;
}

void TimerQueue::Requeue(Task task, int64_t deadline_us, int64_t now_us) {
  int64_t next = deadline_us + task.period_us;
  if (next <= now_us) {
    // Overran: skip the deadlines already past, keep the phase.
    const int64_t behind = now_us - deadline_us;
    next = deadline_us + (behind / task.period_us + 1) * task.period_us;
  }
  const TimerId id = task.id;
  by_deadline_.emplace(std::make_pair(next, id), std::move(task));
  deadline_of_.emplace(id, next);
}

bool TimerQueue::Remove(TimerId id, Task* out) {
  auto d = deadline_of_.find(id);
  if (d == deadline_of_.end()) return false;
  auto it = by_deadline_.find(std::make_pair(d->second, id));
  *out = std::move(it->second);
  by_deadline_.erase(it);
  deadline_of_.erase(d);
  return true;
}

std::pair<int64_t, TimerQueue::Task> TimerQueue::PopFirst() {
  auto it = by_deadline_.begin();
  std::pair<int64_t, Task> out(it->first.first, std::move(it->second));
  deadline_of_.erase(it->first.second);
  by_deadline_.erase(it);
  return out;
}

void TimerQueue::Clear(
    std::vector<std::shared_ptr<std::function<void()>>>* out) {
  for (auto& [key, task] : by_deadline_) out->push_back(std::move(task.fn));
  by_deadline_.clear();
  deadline_of_.clear();
}

namespace {

// Cancel's part both implementations share. REQUIRES: `lock` holds the
// mutex guarding `queue` and `running`; `done` is notified whenever a run
// ends. Destroys a removed task's function after unlocking.
bool CancelLocked(TimerId id, std::unique_lock<std::mutex>& lock,
                  TimerQueue& queue, RunningTask& running,
                  std::condition_variable& done) {
  TimerQueue::Task removed;
  if (queue.Remove(id, &removed)) {
    lock.unlock();
    removed.fn.reset();  // outside the lock: it may own anything
    lock.lock();
    return true;
  }
  if (id == 0 || running.id != id) return false;
  const bool first = !running.cancelled;
  running.cancelled = true;  // a periodic task is not queued again
  if (running.thread != std::this_thread::get_id()) {
    done.wait(lock, [&] { return running.id != id; });
  }
  return first;
}

}  // namespace

// ---- ThreadScheduler ----

ThreadScheduler::ThreadScheduler() : thread_([this] { Loop(); }) {}

ThreadScheduler::~ThreadScheduler() { Stop(); }

const Clock& ThreadScheduler::clock() const { return SystemClock(); }

TimerId ThreadScheduler::Schedule(int64_t delay_us, std::function<void()> fn) {
  return Add(delay_us, 0, std::move(fn));
}

TimerId ThreadScheduler::EveryFrom(int64_t first_delay_us, int64_t period_us,
                                   std::function<void()> fn) {
  return Add(first_delay_us, std::max<int64_t>(period_us, 1), std::move(fn));
}

TimerId ThreadScheduler::Add(int64_t delay_us, int64_t period_us,
                             std::function<void()> fn) {
  const int64_t deadline =
      SystemClock().MonotonicMicros() + std::max<int64_t>(delay_us, 0);
  std::vector<std::shared_ptr<std::function<void()>>> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  const TimerId id = queue_.Add(deadline, period_us, std::move(fn));
  if (stopping_) {
    queue_.Clear(&dropped);  // destroyed after the lock: declared before it
    return id;
  }
  cv_.notify_all();
  return id;
}

bool ThreadScheduler::Cancel(TimerId id) {
  std::unique_lock<std::mutex> lock(mu_);
  return CancelLocked(id, lock, queue_, running_, run_done_);
}

void ThreadScheduler::Stop() {
  std::vector<std::shared_ptr<std::function<void()>>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.Clear(&dropped);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ThreadScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const int64_t next = queue_.next_deadline();
    if (next > SystemClock().MonotonicMicros()) {
      // The real clock's MonotonicMicros is steady_clock since its epoch.
      cv_.wait_until(lock, std::chrono::steady_clock::time_point(
                               std::chrono::microseconds(next)));
      continue;
    }
    auto [deadline, task] = queue_.PopFirst();
    running_ = RunningTask{task.id, std::this_thread::get_id(), false};
    lock.unlock();
    (*task.fn)();
    lock.lock();
    if (task.period_us > 0 && !running_.cancelled && !stopping_) {
      queue_.Requeue(std::move(task), deadline,
                     SystemClock().MonotonicMicros());
    } else {
      lock.unlock();
      task.fn.reset();  // outside the lock
      lock.lock();
    }
    running_ = RunningTask{};
    run_done_.notify_all();
  }
}

// ---- SimScheduler ----

SimScheduler::~SimScheduler() {
  std::vector<std::shared_ptr<std::function<void()>>> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  queue_.Clear(&dropped);
}

TimerId SimScheduler::Schedule(int64_t delay_us, std::function<void()> fn) {
  return Add(delay_us, 0, std::move(fn));
}

TimerId SimScheduler::EveryFrom(int64_t first_delay_us, int64_t period_us,
                                std::function<void()> fn) {
  return Add(first_delay_us, std::max<int64_t>(period_us, 1), std::move(fn));
}

TimerId SimScheduler::Add(int64_t delay_us, int64_t period_us,
                          std::function<void()> fn) {
  TimerId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = queue_.Add(clock_.MonotonicMicros() + std::max<int64_t>(delay_us, 0),
                    period_us, std::move(fn));
  }
  changed_.notify_all();
  return id;
}

bool SimScheduler::Cancel(TimerId id) {
  std::unique_lock<std::mutex> lock(mu_);
  return CancelLocked(id, lock, queue_, running_, changed_);
}

int SimScheduler::Advance(int64_t micros) {
  const int64_t target =
      clock_.MonotonicMicros() + std::max<int64_t>(micros, 0);
  int runs = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!queue_.empty() && queue_.next_deadline() <= target) {
    auto [deadline, task] = queue_.PopFirst();
    if (deadline > clock_.MonotonicMicros()) clock_.Set(deadline);
    running_ = RunningTask{task.id, std::this_thread::get_id(), false};
    lock.unlock();
    (*task.fn)();
    lock.lock();
    if (task.period_us > 0 && !running_.cancelled) {
      queue_.Requeue(std::move(task), deadline, clock_.MonotonicMicros());
    } else {
      lock.unlock();
      task.fn.reset();
      lock.lock();
    }
    running_ = RunningTask{};
    changed_.notify_all();
    ++runs;
  }
  if (clock_.MonotonicMicros() < target) clock_.Set(target);
  return runs;
}

bool SimScheduler::WaitForDue(int64_t real_timeout_us) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(
      lock, std::chrono::microseconds(real_timeout_us), [this] {
        return !queue_.empty() &&
               queue_.next_deadline() <= clock_.MonotonicMicros();
      });
}

size_t SimScheduler::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace storeagent
