// CentralMetrics: what storecentrald exposes on /metrics (metrics.listen).
//
// The sync streams count into it as they go (atomics, any thread); a scrape
// adds what is read at that moment: streams open, the store's connection
// pool, the process. Nothing in a scrape touches the database, so the
// /metrics thread never waits on it. docs/central.md lists every metric.
#ifndef STOREAGENT_CENTRAL_SERVER_CENTRAL_METRICS_H_
#define STOREAGENT_CENTRAL_SERVER_CENTRAL_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "central/server/client_cert_verifier.h"
#include "central/store/central_store.h"
#include "platform/metrics.h"
#include "platform/process_metrics.h"
#include "proto/grpc_server_metrics.h"

namespace storeagent::central {

// The outcomes of a forwarded hold request
// (storecentral_forwarded_holds_total{outcome}): "store" the store answered,
// "no_answer" the holder's stream is gone or its store did not answer,
// "timeout" the holder did not reply in time, "send_failed" the request
// could not be sent, "too_large" the request does not fit a NOTIFY. Every
// outcome but "store" falls back to escrow.
inline constexpr const char* kForwardOutcomes[] = {
    "store", "no_answer", "timeout", "send_failed", "too_large"};

// Read at scrape time.
struct ScrapeFigures {
  uint64_t stores_connected = 0;
  PoolFigures pool;
  platform::ProcessFigures process;
};

// Central's two mutual-TLS listeners, as the `listener` label.
enum class TlsListener { kSync, kAdmin };
inline constexpr std::array<std::string_view, 2> kTlsListenerLabels = {"sync",
                                                                       "admin"};
inline std::string_view TlsListenerLabel(TlsListener l) {
  return kTlsListenerLabels[static_cast<size_t>(l)];
}

// storecentral_tls_handshakes_refused_total{listener,reason}: client
// certificates the listeners' verifiers refused. Every listener and reason
// is rendered, 0 until it happens. Shared (std::shared_ptr) with the
// verifiers, which gRPC may keep past the server. Thread-safe.
class HandshakeRefusals {
 public:
  void Count(TlsListener listener, ClientCertRefusal reason);
  uint64_t value(TlsListener listener, ClientCertRefusal reason) const;
  void Render(platform::MetricsText& m) const;

 private:
  std::array<std::array<platform::Counter, kClientCertRefusalLabels.size()>,
             kTlsListenerLabels.size()>
      n_;
};

class CentralMetrics {
 public:
  CentralMetrics();

  // A batch of a store's journal committed: `applied` entries new to
  // central, `quarantined` of them kept aside, `escrow_breaches` breach
  // lines; `commit_seconds` the IngestBatch call; `lag_seconds` now minus
  // the store's recorded_at of the newest entry (< 0: none was new).
  void BatchCommitted(size_t applied, size_t quarantined,
                      int64_t escrow_breaches, double commit_seconds,
                      double lag_seconds);
  // `n` drift findings of one digest comparison.
  void DriftFound(size_t n);
  // A batch holding a signed checkpoint committed; a checkpoint ("checkpoint")
  // or a store's key ("key") refused (docs/security.md, "Signed
  // checkpoints").
  void CheckpointVerified() { checkpoints_verified_.Add(); }
  void SignatureProblem(const std::string& what) {
    (what == "key" ? key_refusals_ : checkpoint_refusals_).Add();
  }
  // A sync stream ended with the gRPC status named `code` ("OK",
  // "CANCELLED", ...).
  void StreamEnded(const std::string& code);
  // A hold request forwarded to the replica holding the store's stream
  // ended with `outcome`, one of kForwardOutcomes.
  void HoldForwarded(const std::string& outcome);
  // The change feed (StreamEvents, docs/feed.md): `n` events written to a
  // consumer; a stream began or ended.
  void FeedEventsSent(uint64_t n) { feed_events_sent_.Add(n); }
  void FeedStreamOpened() { feed_streams_.fetch_add(1); }
  void FeedStreamClosed() { feed_streams_.fetch_sub(1); }

  std::string Render(const ScrapeFigures& f) const;

  // storecentral_grpc_server_handled_total: its interceptor goes on both
  // gRPC servers (sync and admin).
  rpc::GrpcServerMetrics& grpc() { return grpc_; }

  // What the mutual-TLS listeners count refused client certificates in.
  const std::shared_ptr<HandshakeRefusals>& handshake_refusals() const {
    return handshake_refusals_;
  }

 private:
  platform::Counter events_ingested_;
  platform::Counter batches_committed_;
  platform::Counter quarantined_;
  platform::Counter escrow_breaches_;
  platform::Counter drift_findings_;
  platform::Counter checkpoints_verified_;
  platform::Counter checkpoint_refusals_;
  platform::Counter key_refusals_;
  platform::Histogram commit_seconds_;
  platform::Histogram replica_lag_seconds_;
  platform::Counter feed_events_sent_;
  std::atomic<int64_t> feed_streams_{0};
  rpc::GrpcServerMetrics grpc_;
  const std::shared_ptr<HandshakeRefusals> handshake_refusals_ =
      std::make_shared<HandshakeRefusals>();
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> streams_ended_;  // guarded by mu_
  std::map<std::string, uint64_t> forwarded_;      // guarded by mu_
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CENTRAL_METRICS_H_
