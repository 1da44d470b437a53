#include "central/server/central_metrics.h"

#include <algorithm>

namespace storeagent::central {

CentralMetrics::CentralMetrics()
    : commit_seconds_(
          {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}),
      replica_lag_seconds_(
          {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400}),
      grpc_("storecentral_grpc_server_handled_total",
            {"storeagent.v1.SyncService", "storeagent.v1.CentralAdminService",
             // The 0.2 names (docs/contract.md): who still calls them.
             "storeagent.v1.Sync", "storeagent.v1.CentralAdmin",
             "grpc.reflection.v1alpha.ServerReflection"}) {
  for (const char* outcome : kForwardOutcomes) forwarded_[outcome] = 0;
}

void CentralMetrics::BatchCommitted(size_t applied, size_t quarantined,
                                    int64_t escrow_breaches,
                                    double commit_seconds, double lag_seconds) {
  batches_committed_.Add();
  events_ingested_.Add(applied + quarantined);
  quarantined_.Add(quarantined);
  escrow_breaches_.Add(
      static_cast<uint64_t>(std::max<int64_t>(escrow_breaches, 0)));
  commit_seconds_.Observe(commit_seconds);
  if (lag_seconds >= 0) replica_lag_seconds_.Observe(lag_seconds);
}

void HandshakeRefusals::Count(TlsListener listener, ClientCertRefusal reason) {
  n_[static_cast<size_t>(listener)][static_cast<size_t>(reason)].Add();
}

uint64_t HandshakeRefusals::value(TlsListener listener,
                                  ClientCertRefusal reason) const {
  return n_[static_cast<size_t>(listener)][static_cast<size_t>(reason)].value();
}

void HandshakeRefusals::Render(platform::MetricsText& m) const {
  constexpr char kName[] = "storecentral_tls_handshakes_refused_total";
  m.Family(kName, "counter",
           "Client certificates a mutual-TLS listener refused at the "
           "handshake since start, by listener and reason (each one is a "
           "tls.handshake_refused log line naming the certificate).");
  for (size_t l = 0; l < kTlsListenerLabels.size(); ++l) {
    for (size_t r = 0; r < kClientCertRefusalLabels.size(); ++r) {
      m.Sample(kName,
               {{"listener", std::string(kTlsListenerLabels[l])},
                {"reason", std::string(kClientCertRefusalLabels[r])}},
               static_cast<double>(n_[l][r].value()));
    }
  }
}

void CentralMetrics::DriftFound(size_t n) { drift_findings_.Add(n); }

void CentralMetrics::StreamEnded(const std::string& code) {
  std::lock_guard<std::mutex> lock(mu_);
  ++streams_ended_[code];
}

void CentralMetrics::HoldForwarded(const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++forwarded_[outcome];
}

std::string CentralMetrics::Render(const ScrapeFigures& f) const {
  platform::MetricsText m;
  m.Family("storecentral_up", "gauge",
           "1 while storecentrald answers scrapes.");
  m.Sample("storecentral_up", 1);
  m.Family("storecentral_build_info", "gauge",
           "Always 1; the version of storecentrald is in the label.");
  m.Sample("storecentral_build_info", {{"version", STOREAGENT_VERSION}}, 1);
  m.Family("storecentral_stores_connected", "gauge",
           "Stores whose sync stream is open on this replica.");
  m.Sample("storecentral_stores_connected",
           static_cast<double>(f.stores_connected));
  m.Family("storecentral_streams_ended_total", "counter",
           "Sync streams ended since start, by gRPC status (the cause is in "
           "the sync.stream_ended log line).");
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [code, n] : streams_ended_) {
      m.Sample("storecentral_streams_ended_total", {{"code", code}},
               static_cast<double>(n));
    }
  }
  m.Family("storecentral_forwarded_holds_total", "counter",
           "Hold requests sent to the replica holding the store's stream, "
           "by outcome (every outcome but store fell back to escrow).");
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [outcome, n] : forwarded_) {
      m.Sample("storecentral_forwarded_holds_total", {{"outcome", outcome}},
               static_cast<double>(n));
    }
  }
  m.Family("storecentral_events_ingested_total", "counter",
           "Store journal entries new to central, committed (a resent entry "
           "already held is not counted; quarantined ones are).");
  m.Sample("storecentral_events_ingested_total",
           static_cast<double>(events_ingested_.value()));
  m.Family("storecentral_batches_committed_total", "counter",
           "Event batches committed, one transaction each.");
  m.Sample("storecentral_batches_committed_total",
           static_cast<double>(batches_committed_.value()));
  m.Family("storecentral_batch_commit_seconds", "histogram",
           "Time to commit one event batch, seconds.");
  m.HistogramSamples("storecentral_batch_commit_seconds", {},
                     commit_seconds_.Snapshot());
  m.Family("storecentral_replica_lag_seconds", "histogram",
           "Per committed batch: central's commit time minus the store's "
           "recorded_at of the batch's newest entry, seconds (how far "
           "behind its store central's copy was).");
  m.HistogramSamples("storecentral_replica_lag_seconds", {},
                     replica_lag_seconds_.Snapshot());
  m.Family("storecentral_events_quarantined_total", "counter",
           "Entries kept in quarantine (stored, not applied) since start.");
  m.Sample("storecentral_events_quarantined_total",
           static_cast<double>(quarantined_.value()));
  m.Family("storecentral_drift_findings_total", "counter",
           "SKUs a digest drill-down found to differ from the store's "
           "figures since start.");
  m.Sample("storecentral_drift_findings_total",
           static_cast<double>(drift_findings_.value()));
  m.Family("storecentral_checkpoints_verified_total", "counter",
           "Store journal batches committed with a signed checkpoint that "
           "verified against the store's registered key, since start.");
  m.Sample("storecentral_checkpoints_verified_total",
           static_cast<double>(checkpoints_verified_.value()));
  m.Family("storecentral_signature_problems_total", "counter",
           "Signed checkpoints refused (a bad or missing signature, or one "
           "that does not match the chain central holds) and store keys "
           "refused, since start; each ended the store's stream and is on "
           "its row (storecentralctl state).");
  m.Sample("storecentral_signature_problems_total", {{"what", "checkpoint"}},
           static_cast<double>(checkpoint_refusals_.value()));
  m.Sample("storecentral_signature_problems_total", {{"what", "key"}},
           static_cast<double>(key_refusals_.value()));
  m.Family("storecentral_escrow_breaches_total", "counter",
           "Escrow breach lines recorded since start (each left an escrow "
           "grant uncovered).");
  m.Sample("storecentral_escrow_breaches_total",
           static_cast<double>(escrow_breaches_.value()));
  m.Family("storecentral_feed_events_sent_total", "counter",
           "Change-feed events (StreamEvents) written to consumers since "
           "start.");
  m.Sample("storecentral_feed_events_sent_total",
           static_cast<double>(feed_events_sent_.value()));
  m.Family("storecentral_feed_streams", "gauge",
           "Change-feed streams (StreamEvents) open on this replica.");
  m.Sample("storecentral_feed_streams",
           static_cast<double>(feed_streams_.load()));
  m.Family("storecentral_pg_pool_connections", "gauge",
           "PostgreSQL connections the pool holds at most (0 on SQLite).");
  m.Sample("storecentral_pg_pool_connections",
           static_cast<double>(f.pool.connections));
  m.Family("storecentral_pg_pool_waits_total", "counter",
           "Times a caller found every PostgreSQL connection lent and "
           "waited.");
  m.Sample("storecentral_pg_pool_waits_total",
           static_cast<double>(f.pool.waits));
  m.Family("storecentral_pg_pool_wait_seconds_total", "counter",
           "Time spent waiting for a PostgreSQL connection, seconds.");
  m.Sample("storecentral_pg_pool_wait_seconds_total", f.pool.wait_seconds);
  handshake_refusals_->Render(m);
  grpc_.Render(m);
  platform::RenderProcessMetrics(f.process, m);
  return m.Take();
}

}  // namespace storeagent::central
