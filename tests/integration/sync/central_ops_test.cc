// storecentrald watched like any server (docs/central.md, "Watching
// central"): /metrics passes promtool and follows what a real agent sends;
// grpc.health.v1 and reflection answer on both ports with the port's own
// credentials; SIGHUP applies log.level and log.format, names the keys that
// need a restart, and a bad file changes nothing.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/staff_page/staff_test_env.h"
#include "tests/integration/sync/sync_env.h"
#include "tests/support/grpc_health.h"
#include "tests/support/run_program.h"
#include "tests/support/text_file.h"

namespace storeagent::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Lines of the log holding every one of `needles`.
int CountLines(const std::string& path,
               const std::vector<std::string>& needles) {
  std::istringstream in(ReadText(path));
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const std::string& x : needles) {
      all = all && line.find(x) != std::string::npos;
    }
    if (all) ++n;
  }
  return n;
}

class CentralOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_port_ = FreeLoopbackPort();
    SyncEnv::Options o;
    o.central_toml =
        "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port_) +
        "\"\n[log]\nlevel = \"info\"\n";
    env_ = std::make_unique<SyncEnv>(o);
    ASSERT_TRUE(env_->Init()) << env_->error();
    ASSERT_TRUE(env_->central().Start()) << env_->central().log_path();
  }

  std::string Scrape() {
    agent::test::HttpClient client(metrics_port_);
    agent::test::HttpReply r = client.Send("GET", "/metrics");
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    EXPECT_THAT(r.headers["content-type"], HasSubstr("version=0.0.4"));
    return r.body;
  }

  // promtool's findings on `text` ("" when it is clean).
  std::string Promtool(const std::string& text) {
    const std::string file = env_->dir() + "/scrape.txt";
    WriteText(file, text);
    RunResult lint = RunProgram(
        {"/bin/sh", "-c", "promtool check metrics < '" + file + "'"});
    if (lint.exit_code != 0) {
      return "exit " + std::to_string(lint.exit_code) + ": " + lint.out +
             lint.err;
    }
    return lint.out + lint.err;
  }

  int metrics_port_ = 0;
  std::unique_ptr<SyncEnv> env_;
};

TEST_F(CentralOpsTest, MetricsPassPromtoolAndFollowWhatTheStoreSends) {
  const std::string first = Scrape();
  EXPECT_EQ(Promtool(first), "") << first;
  EXPECT_EQ(MetricValue(first, "storecentral_up"), 1);
  EXPECT_EQ(MetricValue(first, "storecentral_stores_connected"), 0);
  EXPECT_EQ(MetricValue(first, "storecentral_events_ingested_total"), 0);
  EXPECT_EQ(MetricValue(first, "storecentral_pg_pool_connections"), 0);
  EXPECT_GT(MetricValue(first, "process_resident_memory_bytes"), 0);
  EXPECT_GT(MetricValue(first, "process_open_fds"), 0);
  EXPECT_GT(MetricValue(first, "process_start_time_seconds"), 1.6e9);

  ASSERT_TRUE(env_->agent().Start()) << env_->agent().log_path();
  // A new agent database takes sales once central's first Welcome has
  // reached it (the empty-DB gate), a moment after central sees the
  // stream. The same client keys again are retries: five sales in all.
  ASSERT_TRUE(WaitFor([&] { return env_->RecordSales(5, 1, "m") == 5; },
                      std::chrono::seconds(30)))
      << ReadText(env_->agent().log_path());
  // The figures follow the commit; wait on them, not on the database.
  std::string busy;
  ASSERT_TRUE(WaitFor(
      [&] {
        busy = Scrape();
        return MetricValue(busy, "storecentral_events_ingested_total") == 5;
      },
      std::chrono::seconds(30)))
      << busy;
  EXPECT_EQ(env_->CentralState().store_seq_held(), 5u);
  EXPECT_EQ(Promtool(busy), "") << busy;
  EXPECT_EQ(MetricValue(busy, "storecentral_stores_connected"), 1);
  EXPECT_EQ(MetricValue(busy, "storecentral_events_ingested_total"), 5);
  EXPECT_GE(MetricValue(busy, "storecentral_batches_committed_total"), 1);
  EXPECT_EQ(MetricValue(busy, "storecentral_batch_commit_seconds_count"),
            MetricValue(busy, "storecentral_batches_committed_total"));
  EXPECT_EQ(MetricValue(busy, "storecentral_replica_lag_seconds_count"),
            MetricValue(busy, "storecentral_batches_committed_total"));
  EXPECT_EQ(MetricValue(busy, "storecentral_events_quarantined_total"), 0);

  // The store leaves: the gauge follows, the end is counted by its code.
  ASSERT_EQ(env_->agent().Terminate(), 0);
  std::string after;
  ASSERT_TRUE(WaitFor(
      [&] {
        after = Scrape();
        return MetricValue(after, "storecentral_stores_connected") == 0;
      },
      std::chrono::seconds(30)))
      << after;
  EXPECT_THAT(after, HasSubstr("storecentral_streams_ended_total{code="));
  EXPECT_EQ(Promtool(after), "") << after;

  // Only /metrics is served there.
  agent::test::HttpClient client(metrics_port_);
  EXPECT_EQ(client.Send("GET", "/").status, 404);
  agent::test::HttpClient post(metrics_port_);
  EXPECT_EQ(post.Send("POST", "/metrics").status, 405);
}

TEST_F(CentralOpsTest, HealthAndReflectionOnBothPorts) {
  auto admin = grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(env_->central().admin_port()),
      grpc::InsecureChannelCredentials());
  EXPECT_EQ(HealthStatus(admin, ""), 1);
  EXPECT_EQ(HealthStatus(admin, "storeagent.v1.CentralAdminService"), 1);
  std::string error;
  std::set<std::string> names = ReflectedServices(admin, &error);
  EXPECT_TRUE(names.count("storeagent.v1.CentralAdminService")) << error;
  // The 0.2 names, for tools and probes not yet moved (docs/contract.md).
  EXPECT_TRUE(names.count("storeagent.v1.CentralAdmin")) << error;
  EXPECT_EQ(HealthStatus(admin, "storeagent.v1.CentralAdmin"), 1);
  EXPECT_TRUE(names.count("grpc.health.v1.Health")) << error;

  // The sync port asks for a client certificate, for health checks too.
  auto sync =
      env_->central().SyncChannelAs(env_->tls_dir() + "/store-store-0001");
  EXPECT_EQ(HealthStatus(sync, ""), 1);
  EXPECT_EQ(HealthStatus(sync, "storeagent.v1.SyncService"), 1);
  names = ReflectedServices(sync, &error);
  EXPECT_TRUE(names.count("storeagent.v1.SyncService")) << error;
  // The 0.2 name, for stores not yet upgraded (docs/contract.md).
  EXPECT_TRUE(names.count("storeagent.v1.Sync")) << error;
  EXPECT_EQ(HealthStatus(sync, "storeagent.v1.Sync"), 1);
  auto anonymous = env_->central().SyncChannelAs("");
  EXPECT_EQ(HealthStatus(anonymous, ""), -1);
}

TEST_F(CentralOpsTest, SighupAppliesTheLogSettingsAndNamesTheRest) {
  CentralProcess& central = env_->central();
  const std::string log = central.log_path();
  const std::string original = ReadText(central.config_path());

  // A file that does not parse changes nothing.
  WriteText(central.config_path(), original + "[log\n");
  ASSERT_EQ(::kill(central.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor(
      [&] { return CountLines(log, {"event=central.reload_failed"}) == 1; },
      std::chrono::seconds(10)))
      << ReadText(log);

  // log.format and a listener: the first applies, the second waits.
  std::string next = original;
  const std::string sync_line =
      "listen = \"127.0.0.1:" + std::to_string(central.sync_port()) + "\"";
  ASSERT_NE(next.find(sync_line), std::string::npos) << next;
  next.replace(next.find(sync_line), sync_line.size(),
               "listen = \"127.0.0.1:1\"");
  next += "format = \"json\"\n";  // into [log], the file's last table
  WriteText(central.config_path(), next);
  ASSERT_EQ(::kill(central.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        return CountLines(log, {"\"event\":\"central.reloaded\"",
                                "\"applied\":\"log.format\"",
                                "\"restart_needed\":\"sync.listen\""}) == 1;
      },
      std::chrono::seconds(10)))
      << ReadText(log);
  // Still serving on the port it started with.
  EXPECT_EQ(
      HealthStatus(central.SyncChannelAs(env_->tls_dir() + "/store-store-0001"),
                   ""),
      1);

  // Back to the first file: text again; nothing waits for a restart.
  WriteText(central.config_path(), original);
  ASSERT_EQ(::kill(central.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        return CountLines(log, {"event=central.reloaded", "applied=log.format",
                                "restart_needed=none"}) == 1;
      },
      std::chrono::seconds(10)))
      << ReadText(log);
  EXPECT_THAT(ReadText(log), Not(HasSubstr("reload_ignored")));
}

}  // namespace
}  // namespace storeagent::testing
