// FaultProxy: a TCP proxy on 127.0.0.1 that sits between a client (the
// agent's sync client) and an upstream port (central) and breaks the link
// on purpose, reproducibly.
//
// Per connection and direction it reads the byte stream in chunks (one
// read_some of up to `chunk_bytes`) and, for each chunk, draws from a PRNG
// seeded with (seed, connection index, direction) whether to inject at most
// one fault:
//   kDrop       close both sides; the chunk is lost
//   kDelay      hold the chunk (and everything after it in that direction)
//               for 1..delay_ms_max ms
//   kDuplicate  forward the chunk twice (corrupts a TLS stream: the peers
//               must fail the connection and reconnect)
//   kCut        forward only the first 0..n-1 bytes of the chunk, then close
//               both sides
//   kStall      stop forwarding both ways, without closing, for stall_ms
//               (0: until the connection or the proxy is closed)
// After `max_faults` faults in total the bytes pass untouched.
//
// Reproducible: the same seed and the same traffic, chunked the same way
// (for example request/response exchanges of small messages, each sent in
// one write, with one connection at a time), give the same fault_log().
// Bounded: it stops by itself after `lifetime_ms`.
//
// Thread safety: all I/O runs on the proxy's own thread (Boost.Asio). The
// public methods may be called from any thread; Pause/Resume/Stop return
// once they have taken effect.
#ifndef STOREAGENT_TESTS_SUPPORT_FAULT_PROXY_H_
#define STOREAGENT_TESTS_SUPPORT_FAULT_PROXY_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/status.h"

namespace storeagent::testing {

enum class FaultKind : int { kDrop, kDelay, kDuplicate, kCut, kStall };
inline constexpr size_t kFaultKindCount = 5;
const char* FaultKindName(FaultKind kind);

enum class FaultDirection : int { kClientToUpstream, kUpstreamToClient };

// Limits on the configuration, checked by Start().
inline constexpr size_t kMaxProxyChunkBytes = 1 << 20;
inline constexpr uint32_t kMaxProxyDelayMs = 60'000;
inline constexpr uint32_t kMaxProxyStallMs = 600'000;
inline constexpr uint32_t kMaxProxyLifetimeMs = 3'600'000;
inline constexpr uint64_t kMaxProxyFaults = 1'000'000;

struct FaultProxyConfig {
  uint16_t upstream_port = 0;  // REQUIRED: the server, on 127.0.0.1
  uint16_t listen_port = 0;    // 0: a free port (see port())
  uint64_t seed = 1;
  // Per chunk, each in [0, 1], their sum at most 1 (one fault per chunk).
  double drop_probability = 0;
  double delay_probability = 0;
  double duplicate_probability = 0;
  double cut_probability = 0;
  double stall_probability = 0;
  uint32_t delay_ms_max = 100;     // 1..kMaxProxyDelayMs
  uint32_t stall_ms = 500;         // 0..kMaxProxyStallMs; 0 = until closed
  uint64_t max_faults = 1000;      // 0..kMaxProxyFaults, over all connections
  size_t chunk_bytes = 16384;      // 1..kMaxProxyChunkBytes
  uint32_t lifetime_ms = 600'000;  // 1..kMaxProxyLifetimeMs, then Stop()
};

// Faults injected so far, per kind.
struct FaultCounts {
  std::array<uint64_t, kFaultKindCount> by_kind = {};
  uint64_t operator[](FaultKind k) const {
    return by_kind[static_cast<size_t>(k)];
  }
  uint64_t total() const;
};

// One injected fault. `chunk` counts the chunks read in that direction of
// that connection from 0; `param` is the delay or stall in ms, or the bytes
// a cut forwarded (0 for drop and duplicate).
struct FaultEvent {
  uint64_t connection = 0;  // accepted connections, from 0
  FaultDirection direction = FaultDirection::kClientToUpstream;
  uint64_t chunk = 0;
  FaultKind kind = FaultKind::kDrop;
  uint64_t param = 0;
  bool operator==(const FaultEvent&) const = default;
};
std::string ToString(const FaultEvent& e);

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyConfig config);
  ~FaultProxy();  // Stop()
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Checks the config (INVALID_ARGUMENT naming the field), listens on
  // 127.0.0.1 and starts the proxy's thread. Call once.
  Status Start();

  // The port clients connect to. REQUIRES: Start() returned OK.
  uint16_t port() const { return port_.load(); }

  // "Link down": closes every open connection and closes each new one as
  // soon as it is accepted, until Resume().
  void Pause();
  void Resume();

  // Closes everything and joins the thread. Idempotent.
  void Stop();
  // True once the proxy has stopped (Stop(), or its lifetime ran out).
  bool stopped() const { return stopped_.load(); }

  FaultCounts faults_injected() const;
  // Every fault injected, in the order the proxy injected them.
  std::vector<FaultEvent> fault_log() const;
  uint64_t connections_accepted() const { return accepted_.load(); }
  // Connections closed at once because the proxy was paused.
  uint64_t connections_refused() const { return refused_.load(); }

 private:
  class Impl;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::unique_ptr<Impl> impl_;  // last: destroyed first, while the above live
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_FAULT_PROXY_H_
