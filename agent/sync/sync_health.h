// SyncHealth: what the sync client knows about its link to central, for
// status output, the gRPC status call and /metrics. The sync client
// writes it; everyone else reads snapshots. Figures that live in the
// database (outbox depth, oldest unacknowledged event, watermarks) are read
// from there (meta keys 'central_acked_seq' and 'central_seq'), not here.
#ifndef STOREAGENT_AGENT_SYNC_SYNC_HEALTH_H_
#define STOREAGENT_AGENT_SYNC_SYNC_HEALTH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace storeagent::agent {

// Why a sync stream ended or a connect failed: the `reason` label of
// storeagent_sync_errors_total (docs/operations.md "Metrics"). The gRPC
// code when central or gRPC ended the call; "stalled" when our watchdog
// cancelled it; the tls_*_refused_* pair when the probe
// (agent/sync/tls_probe.h) found who refused whose certificate; "tls_files"
// when our own TLS files were unusable at start (the client then waits for a
// SIGHUP); "other" for everything else.
inline constexpr std::array<std::string_view, 11> kSyncErrorReasons = {
    "unavailable",
    "deadline_exceeded",
    "permission_denied",
    "unauthenticated",
    "data_loss",
    "failed_precondition",
    "stalled",
    "tls_central_refused_us",
    "tls_we_refused_central",
    "tls_files",
    "other"};

// The index of `reason` in kSyncErrorReasons ("other" when unknown).
inline size_t SyncErrorReasonIndex(std::string_view reason) {
  for (size_t i = 0; i < kSyncErrorReasons.size(); ++i) {
    if (kSyncErrorReasons[i] == reason) return i;
  }
  return kSyncErrorReasons.size() - 1;
}

struct SyncHealthSnapshot {
  // [sync] is configured.
  bool enabled = false;
  // A stream is open and central answered its Hello.
  bool connected = false;
  // Last message received from central, µs since epoch (0: never).
  int64_t last_exchange_us = 0;
  // Result of the last digest comparison: "match", "mismatch", "deferred",
  // or "" before the first; and its watermark.
  std::string last_digest;
  uint64_t last_digest_store_seq = 0;
  uint64_t last_digest_central_seq = 0;
  // Counters since start.
  uint64_t digest_mismatches = 0;
  uint64_t streams_opened = 0;
  uint64_t events_sent = 0;
  uint64_t central_events_applied = 0;
  // Dials after the first (each new stream or connect attempt after one
  // ended or failed).
  uint64_t reconnects = 0;
  // Ended streams and failed connects, by kSyncErrorReasons index.
  std::array<uint64_t, kSyncErrorReasons.size()> errors{};
  // The client stopped dialling: central refused this store
  // (PERMISSION_DENIED), or its own TLS files were unusable at start
  // (last_error says which). A SIGHUP (with usable files) or a restart
  // resumes it.
  bool stopped = false;
  // notAfter of the sync certificate in use, µs since epoch (0: none).
  int64_t cert_not_after_us = 0;
  // Why the last stream ended or the last connect failed ("" if none).
  std::string last_error;
  // Central's clock minus ours at the last Welcome, µs.
  int64_t clock_skew_us = 0;
};

class SyncHealth {
 public:
  SyncHealthSnapshot Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshot_;
  }
  void Update(const std::function<void(SyncHealthSnapshot&)>& change) {
    std::lock_guard<std::mutex> lock(mu_);
    change(snapshot_);
  }

 private:
  mutable std::mutex mu_;
  SyncHealthSnapshot snapshot_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_SYNC_HEALTH_H_
