// Backoff: the reconnect delays of the sync client, gRPC's connection
// backoff (design brief 5.7): 1 s, then x1.6 per failed attempt up to 120 s,
// each delay jittered by +-20 %. Reset() after a stream that got as far as
// central's Welcome.
//
// Pure: the random source is injected (uniform in [0, 1)), so tests can pin
// the jitter. Not thread-safe; one owner.
#ifndef STOREAGENT_AGENT_SYNC_BACKOFF_H_
#define STOREAGENT_AGENT_SYNC_BACKOFF_H_

#include <chrono>
#include <functional>

namespace storeagent::agent {

struct BackoffOptions {
  std::chrono::milliseconds initial{1000};
  double multiplier = 1.6;
  std::chrono::milliseconds max{120000};
  double jitter = 0.2;  // delay * (1 +- jitter)
};

class Backoff {
 public:
  // Uniform random number in [0, 1).
  using Random = std::function<double()>;

  // An empty `random` uses a seeded std::mt19937_64.
  explicit Backoff(BackoffOptions options = {}, Random random = {});

  // The delay before the next attempt; each call moves one step up.
  std::chrono::milliseconds Next();
  // Back to the initial delay.
  void Reset();

 private:
  BackoffOptions options_;
  Random random_;
  double current_ms_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_BACKOFF_H_
