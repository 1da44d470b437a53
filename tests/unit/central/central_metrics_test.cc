// What storecentrald renders on /metrics from the figures it counted.
#include "central/server/central_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace storeagent::central {
namespace {

using ::testing::HasSubstr;

TEST(CentralMetricsTest, StartsAtZero) {
  CentralMetrics m;
  const std::string text = m.Render({});
  EXPECT_THAT(text, HasSubstr("\nstorecentral_up 1\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_stores_connected 0\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_events_ingested_total 0\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_batch_commit_seconds_count 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE storecentral_streams_ended_total "
                              "counter\n"));
  EXPECT_THAT(text, HasSubstr("storecentral_build_info{version=\""));
}

TEST(CentralMetricsTest, CountsBatchesStreamsDriftAndThePool) {
  CentralMetrics m;
  m.BatchCommitted(/*applied=*/4, /*quarantined=*/1, /*escrow_breaches=*/2,
                   /*commit_seconds=*/0.003, /*lag_seconds=*/0.2);
  m.BatchCommitted(3, 0, 0, 0.02, 40);
  m.DriftFound(2);
  m.StreamEnded("CANCELLED");
  m.StreamEnded("CANCELLED");
  m.StreamEnded("ABORTED");
  ScrapeFigures f;
  f.stores_connected = 7;
  f.pool = PoolFigures{4, 3, 0.5};
  f.process.resident_bytes = 1 << 20;
  const std::string text = m.Render(f);
  EXPECT_THAT(text, HasSubstr("\nstorecentral_stores_connected 7\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_events_ingested_total 8\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_batches_committed_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_events_quarantined_total 1\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_escrow_breaches_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_drift_findings_total 2\n"));
  EXPECT_THAT(text, HasSubstr("storecentral_streams_ended_total{code="
                              "\"CANCELLED\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("storecentral_streams_ended_total{code="
                              "\"ABORTED\"} 1\n"));
  // 0.2 s is in le=0.25; 40 s is past le=30.
  EXPECT_THAT(text, HasSubstr("storecentral_replica_lag_seconds_bucket{le="
                              "\"0.25\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("storecentral_replica_lag_seconds_bucket{le="
                              "\"30\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("storecentral_replica_lag_seconds_bucket{le="
                              "\"60\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_batch_commit_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_pg_pool_connections 4\n"));
  EXPECT_THAT(text, HasSubstr("\nstorecentral_pg_pool_waits_total 3\n"));
  EXPECT_THAT(text,
              HasSubstr("\nstorecentral_pg_pool_wait_seconds_total 0.5\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_resident_memory_bytes 1048576\n"));
}

TEST(CentralMetricsTest, HandshakeRefusalsByListenerAndReasonFromZero) {
  CentralMetrics m;
  const std::string before = m.Render({});
  for (const std::string_view listener : kTlsListenerLabels) {
    for (const std::string_view reason : kClientCertRefusalLabels) {
      EXPECT_THAT(before, HasSubstr("storecentral_tls_handshakes_refused_total{"
                                    "listener=\"" +
                                    std::string(listener) + "\",reason=\"" +
                                    std::string(reason) + "\"} 0\n"));
    }
  }
  m.handshake_refusals()->Count(TlsListener::kSync,
                                ClientCertRefusal::kExpired);
  m.handshake_refusals()->Count(TlsListener::kSync,
                                ClientCertRefusal::kExpired);
  m.handshake_refusals()->Count(TlsListener::kAdmin,
                                ClientCertRefusal::kWrongPurpose);
  EXPECT_EQ(m.handshake_refusals()->value(TlsListener::kSync,
                                          ClientCertRefusal::kExpired),
            2u);
  const std::string text = m.Render({});
  EXPECT_THAT(text, HasSubstr("storecentral_tls_handshakes_refused_total{"
                              "listener=\"sync\",reason=\"expired\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("storecentral_tls_handshakes_refused_total{"
                        "listener=\"admin\",reason=\"wrong_purpose\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("storecentral_tls_handshakes_refused_total{"
                              "listener=\"admin\",reason=\"expired\"} 0\n"));
}

}  // namespace
}  // namespace storeagent::central
