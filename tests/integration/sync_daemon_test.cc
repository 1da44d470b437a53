// storeagentd with [sync] against a scripted fake central on 127.0.0.1
// (plaintext, sync.insecure): the empty-DB gate, events going up, and
// `storeagentctl sync status` / `status` reading the client's state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/unit/core/sample_events.h"
#include "tests/unit/sync/fake_central.h"

namespace storeagent::synctest {
namespace {

using storeagent::testing::AgentProcess;
using storeagent::testing::RunProgram;
using storeagent::testing::RunResult;
using storeagent::testing::TempDir;
using ::testing::HasSubstr;

using testing::ReadText;

grpc::Status Sale(AgentProcess& agent, const std::string& txn) {
  v1::RecordTransactionRequest req;
  *req.mutable_client_key() = test::SampleClientKey(txn);
  *req.mutable_transaction() = test::SampleSale();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::RecordTransactionResponse reply;
  return agent.NewStub()->RecordTransaction(&ctx, req, &reply);
}

TEST(SyncDaemon, GateThenEventsUpAndStatus) {
  std::promise<void> welcome_now;
  std::shared_future<void> go = welcome_now.get_future().share();
  std::promise<uint64_t> received;
  std::promise<void> finished;
  FakeCentral central([&](int n, CentralStream& s) {
    if (n > 0) return Drain(s), grpc::Status::OK;
    v1::SyncRequest m;
    EXPECT_TRUE(s.Read(&m) && m.has_hello());
    EXPECT_EQ(m.hello().store_id(), "store-0001");
    EXPECT_EQ(m.hello().journal_head_seq(), 0u);
    if (go.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "test");
    }
    s.Write(WelcomeAt(0));
    const bool got_events = ReadUntil(s, v1::SyncRequest::kEvents, &m);
    EXPECT_TRUE(got_events);
    if (!got_events || m.events().entries_size() == 0) {
      // The agent never sent its events (it died, say): fail, don't index
      // an empty batch.
      ADD_FAILURE() << "no events batch from the agent";
      return grpc::Status(grpc::StatusCode::ABORTED, "test: no events");
    }
    const uint64_t last = m.events().entries(0).record().seq();
    s.Write(AckOf(last));
    received.set_value(last);
    // A drill-down answered means the agent read the ack (its commit may
    // still be on the way: see the status loop below).
    v1::SyncResponse d;
    d.mutable_drill_down()->add_buckets(0);
    s.Write(d);
    EXPECT_TRUE(ReadUntil(s, v1::SyncRequest::kDrillDownAnswer, &m));
    finished.set_value();
    Drain(s);
    return grpc::Status::OK;
  });
  TempDir dir;
  AgentProcess agent(
      dir.path(), "store-0001",
      "[sync]\ncentral = \"" + central.address() + "\"\ninsecure = true\n");
  ASSERT_TRUE(agent.Start()) << ReadText(agent.log_path());

  grpc::Status refused = Sale(agent, "txn-1");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("waiting for central"));

  welcome_now.set_value();
  // The gate opens at the Welcome; the POS retries until it does.
  grpc::Status ok = refused;
  for (int i = 0; i < 200 && !ok.ok(); ++i) {  // at most ~20 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ok = Sale(agent, "txn-1");
  }
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  std::future<uint64_t> r = received.get_future();
  ASSERT_EQ(r.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(r.get(), 1u);
  ASSERT_EQ(finished.get_future().wait_for(std::chrono::seconds(30)),
            std::future_status::ready);

  // The agent records an ack without holding the stream for its commit
  // (the mark only rises), so the drill-down can be answered before the
  // ack is on disk: ask until the status shows it, for at most ~10 s.
  const std::string ctl = AgentProcess::BinDir() + "/storeagentctl";
  RunResult st;
  nlohmann::json j;
  for (int i = 0; i < 100; ++i) {
    st = RunProgram(
        {ctl, "--config", agent.config_path(), "sync", "status", "--json"});
    ASSERT_EQ(st.exit_code, 0) << st.out << st.err;
    j = nlohmann::json::parse(st.out);
    if (j["central_acked_seq"] == "1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(j["enabled"], true);
  EXPECT_EQ(j["connected"], true);
  EXPECT_EQ(j["central_acked_seq"], "1");  // uint64 is a JSON string
  EXPECT_EQ(j["outbox_depth"], "0");
  st = RunProgram({ctl, "--config", agent.config_path(), "status"});
  ASSERT_EQ(st.exit_code, 0) << st.out << st.err;
  EXPECT_THAT(st.out, HasSubstr("sync            connected"));
  EXPECT_THAT(st.out, HasSubstr("outbox depth    0"));
  EXPECT_EQ(agent.Terminate(), 0) << ReadText(agent.log_path());
}

// Central refuses the store (PERMISSION_DENIED): storeagentd stops
// dialling, `sync status` says so with central's message, one error line;
// a SIGHUP (systemctl reload) dials again.
TEST(SyncDaemon, RefusedStoreStopsDiallingUntilSighup) {
  FakeCentral central([](int, CentralStream& s) {
    v1::SyncRequest m;
    EXPECT_TRUE(s.Read(&m) && m.has_hello());
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "hello.store_id: names store store-0001 but the "
                        "client certificate is for store store-0002");
  });
  TempDir dir;
  AgentProcess agent(dir.path(), "store-0001",
                     "[sync]\ncentral = \"" + central.address() +
                         "\"\ninsecure = true\nbackoff_initial_ms = 50\n"
                         "backoff_max_ms = 200\n");
  ASSERT_TRUE(agent.Start()) << ReadText(agent.log_path());
  const std::string ctl = AgentProcess::BinDir() + "/storeagentctl";
  const auto status = [&] {
    return RunProgram({ctl, "--config", agent.config_path(), "sync", "status"})
        .out;
  };
  std::string out;
  for (int i = 0; i < 300; ++i) {  // at most ~30 s
    out = status();
    if (out.find("stopped") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(out, HasSubstr("sync            stopped (dialling cannot help "
                             "until the last error is fixed; then SIGHUP"));
  EXPECT_THAT(out, HasSubstr("last error      central refused this store: "
                             "hello.store_id: names store store-0001 but the "
                             "client certificate is for store store-0002"));
  // That the refused client does not redial at its backoff is shown on
  // simulated time, without waiting for it (sync_client_test,
  // PermissionDeniedStopsDiallingUntilReload); here, the daemon's SIGHUP
  // resumes it.
  EXPECT_EQ(central.streams(), 1);

  ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
  for (int i = 0; i < 300 && central.streams() < 2; ++i) {  // at most ~30 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(central.streams(), 2);
  const std::string log = ReadText(agent.log_path());
  EXPECT_THAT(log, HasSubstr("event=sync.resumed"));
  EXPECT_EQ(agent.Terminate(), 0) << log;
}

}  // namespace
}  // namespace storeagent::synctest
