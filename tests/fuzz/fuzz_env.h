// What the fuzz targets that need a database share: a directory of their
// own, an agent database opened in it, and a wait for an asynchronous
// answer that turns a hang into a failure.
#ifndef STOREAGENT_TESTS_FUZZ_FUZZ_ENV_H_
#define STOREAGENT_TESTS_FUZZ_FUZZ_ENV_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "tests/fuzz/fuzz_check.h"

namespace storeagent::fuzz {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at
// exit. One per process.
const std::string& ScratchDir();

// An agent database for store "S-FUZZ" at ScratchDir()/`name`. Its writer
// commits at synchronous=NORMAL: durability is not what is fuzzed, and an
// fsync per input would be most of the time.
std::unique_ptr<storage::AgentDatabase> OpenAgentDatabase(
    const std::string& name, const Clock& clock);

// Calls `start` with a callback and waits for it to be called, at most 10 s
// (a hang is a bug: FUZZ_CHECK fails). Returns what it was called with.
template <typename T>
T AwaitAnswer(const std::function<void(std::function<void(T)>)>& start) {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<T> value;
    int calls = 0;
  };
  auto state = std::make_shared<State>();
  start([state](T v) {
    std::lock_guard<std::mutex> lock(state->mu);
    ++state->calls;
    if (!state->value) state->value.emplace(std::move(v));
    state->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(state->mu);
  const bool answered = state->cv.wait_for(
      lock, std::chrono::seconds(10), [&] { return state->value.has_value(); });
  FUZZ_CHECK(answered, "no answer within 10 s");
  FUZZ_CHECK(state->calls == 1,
             "answered " + std::to_string(state->calls) + " times");
  return std::move(*state->value);
}

}  // namespace storeagent::fuzz

#endif  // STOREAGENT_TESTS_FUZZ_FUZZ_ENV_H_
