// What AgentMetrics renders without a database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "agent/agent_metrics.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"

namespace storeagent::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(AgentMetrics, RendersOutboxAndAgeFromFigures) {
  FakeClock clock(1'000'000'000);  // 1000 s
  AgentMetrics m(clock);
  m.OnCommit(storage::CommitInfo{3, 1500});
  DbFigures f;
  f.head_seq = 10;
  f.central_acked_seq = 4;
  f.oldest_unacked_us = 990'000'000;  // 10 s before now
  f.holds = {{"held", 2}, {"picked", 0}};
  const std::string text = m.Render(f);
  EXPECT_THAT(text, HasSubstr("\nstoreagent_journal_head_seq 10\n"));
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_outbox_depth 6\n"));
  EXPECT_THAT(text,
              HasSubstr("\nstoreagent_sync_oldest_unacked_age_seconds 10\n"));
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_connected 0\n"));
  EXPECT_THAT(text, HasSubstr("storeagent_holds{state=\"held\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("storeagent_commit_batch_size_bucket{le=\"2\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("storeagent_commit_batch_size_bucket{le=\"4\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("storeagent_commit_seconds_sum 0.0015\n"));
  EXPECT_THAT(text,
              HasSubstr("storeagent_events_recorded_total{kind=\"sale\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("storeagent_build_info{version=\""));
}

TEST(AgentMetrics, EmptyOutboxHasAgeZero) {
  FakeClock clock;
  AgentMetrics m(clock);
  DbFigures f;
  f.head_seq = 5;
  f.central_acked_seq = 5;
  const std::string text = m.Render(f);
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_outbox_depth 0\n"));
  EXPECT_THAT(text,
              HasSubstr("\nstoreagent_sync_oldest_unacked_age_seconds 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("NaN")));
}

// Sync errors by reason (#15): every reason is rendered from the start,
// at 0, and each counts what SyncHealth holds.
TEST(AgentMetrics, SyncErrorsByReasonAllRenderedAndCounted) {
  FakeClock clock;
  AgentMetrics m(clock);
  SyncHealth health;
  m.SetSources(nullptr, nullptr, &health);
  std::string text = m.Render(DbFigures{});
  for (std::string_view reason : kSyncErrorReasons) {
    EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_errors_total{reason=\"" +
                                std::string(reason) + "\"} 0\n"));
  }
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_reconnects_total 0\n"));
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_stopped 0\n"));

  health.Update([](SyncHealthSnapshot& h) {
    h.reconnects = 3;
    h.errors[SyncErrorReasonIndex("tls_central_refused_us")] = 2;
    h.errors[SyncErrorReasonIndex("permission_denied")] = 1;
    h.stopped = true;
  });
  text = m.Render(DbFigures{});
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_reconnects_total 3\n"));
  EXPECT_THAT(text, HasSubstr("storeagent_sync_errors_total{reason=\""
                              "tls_central_refused_us\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("storeagent_sync_errors_total{reason=\""
                              "permission_denied\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("storeagent_sync_errors_total{reason=\""
                              "unavailable\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("\nstoreagent_sync_stopped 1\n"));
  // An unknown reason counts as "other".
  EXPECT_EQ(kSyncErrorReasons[SyncErrorReasonIndex("no such reason")], "other");
}

}  // namespace
}  // namespace storeagent::agent
