// What AgentMetrics renders without a database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <string>

#include "agent/agent_metrics.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/storage/storage_test_util.h"

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

TEST(AgentMetrics, RendersProcessFigures) {
  FakeClock clock;
  AgentMetrics m(clock);
  platform::ProcessFigures p;
  p.cpu_seconds = 12.5;
  p.resident_bytes = 52'428'800;
  p.virtual_bytes = 734'003'200;
  p.open_fds = 23;
  p.max_fds = 1024;
  p.start_time_seconds = 1'764'750'000.25;
  const std::string text = m.Render(DbFigures{}, p);
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"
                              "process_cpu_seconds_total 12.5\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_resident_memory_bytes 52428800\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_virtual_memory_bytes 734003200\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_open_fds 23\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_max_fds 1024\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_start_time_seconds gauge\n"
                              "process_start_time_seconds 1764750000.25\n"));
}

// The label values docs/operations.md documents for storeagent_holds.
TEST(AgentMetrics, HoldStateLabelsAreLowerSnakeCase) {
  EXPECT_STREQ(HoldStateLabel(v1::HOLD_STATE_HELD), "held");
  EXPECT_STREQ(HoldStateLabel(v1::HOLD_STATE_PICKED), "picked");
  EXPECT_STREQ(HoldStateLabel(v1::HOLD_STATE_COLLECTED), "collected");
  EXPECT_STREQ(HoldStateLabel(v1::HOLD_STATE_CANCELLED), "cancelled");
  EXPECT_STREQ(HoldStateLabel(v1::HOLD_STATE_EXPIRED), "expired");
  EXPECT_STREQ(HoldStateLabel(v1::HOLD_STATE_UNSPECIFIED), "unknown");
  EXPECT_STREQ(HoldStateLabel(99), "unknown");
}

TEST(AgentMetrics, EveryHoldStateIsReadFromAFreshDatabase) {
  testing::TempDir dir;
  FakeClock clock;
  std::unique_ptr<storage::AgentDatabase> db =
      testing::OpenDb(dir.File("agent.db"), clock);
  ASSERT_NE(db, nullptr);
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open_v2(dir.File("agent.db").c_str(), &conn,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  Result<DbFigures> f = ReadDbFigures(conn);
  sqlite3_close(conn);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::set<std::string> states;
  for (const auto& [state, n] : f->holds) {
    states.insert(state);
    EXPECT_EQ(n, 0u) << state;
  }
  EXPECT_EQ(states, (std::set<std::string>{"cancelled", "collected", "expired",
                                           "held", "picked"}));
  AgentMetrics m(clock);
  EXPECT_THAT(m.Render(*f),
              HasSubstr("storeagent_holds{state=\"picked\"} 0\n"));
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
