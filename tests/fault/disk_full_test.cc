// Disk full (docs: architecture.md section 3, invariants 1 to 3): the whole
// agent runs in-process on a SQLite VFS that can report SQLITE_FULL for
// every write. While the disk is full, recording is refused with
// RESOURCE_EXHAUSTED naming the cause and nothing is half-written; once space
// returns, recording resumes at the next seq, and a sale refused while full
// can be retried with its key and is then recorded once.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_server.h"
#include "agent/config.h"
#include "platform/clock.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "tests/fault/journal_checks.h"
#include "tests/fault/till_client.h"
#include "tests/support/fault_vfs.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

constexpr char kTerminal[] = "till-07";

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    knobs_.disk_full.store(false);
    config_.store_id = "store-0042";
    config_.data_dir = dir_.File("data");
    config_.pos_socket = dir_.File("pos.sock");
    config_.loyalty_key = std::string(32, 'k');
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  void TearDown() override {
    knobs_.disk_full.store(false);
    if (server_) server_->Shutdown();
  }

  // Runs the whole agent in-process on the fault VFS, with a fresh stub.
  void StartServer() {
    agent::ServerOverrides overrides;
    overrides.vfs = kFaultVfsName;
    Result<std::unique_ptr<agent::AgentServer>> server =
        agent::AgentServer::Start(config_, clock_, overrides);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    stub_ = v1::PosService::NewStub(grpc::CreateChannel(
        "unix:" + config_.pos_socket, grpc::InsecureChannelCredentials()));
  }

  // Stops the agent, then checks the file offline.
  void StopAndExpectIntact(uint64_t head) {
    server_->Shutdown();
    server_.reset();
    ExpectJournalIntact(config_.DatabasePath(), head);
  }

  grpc::Status Record(const std::string& txn_id,
                      v1::RecordTransactionResponse* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(kRpcDeadlineMs));
    v1::RecordTransactionRequest req;
    *req.mutable_client_key() = TillClient::Key(kTerminal, txn_id);
    *req.mutable_transaction() = test::SampleSale(5);
    return stub_->RecordTransaction(&ctx, req, reply);
  }

  v1::GetJournalStatusResponse JournalState() {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(kRpcDeadlineMs));
    v1::GetJournalStatusResponse status;
    grpc::Status s = stub_->GetJournalStatus(&ctx, {}, &status);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return status;
  }

  grpc::Status Get(const v1::GetEventRequest& req,
                   v1::GetEventResponse* entry) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(kRpcDeadlineMs));
    return stub_->GetEvent(&ctx, req, entry);
  }

  grpc::Status GetByKey(const std::string& txn_id,
                        v1::GetEventResponse* entry) {
    v1::GetEventRequest req;
    *req.mutable_client_key() = TillClient::Key(kTerminal, txn_id);
    return Get(req, entry);
  }

  grpc::Status GetBySeq(uint64_t seq, v1::GetEventResponse* entry) {
    v1::GetEventRequest req;
    req.set_seq(seq);
    return Get(req, entry);
  }

  // A refusal for a full disk: RESOURCE_EXHAUSTED, and the message says so.
  static void ExpectDiskFull(const grpc::Status& s, const std::string& what) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << what << ": " << s.error_code() << " " << s.error_message();
    EXPECT_NE(s.error_message().find("disk full"), std::string::npos)
        << what << ": " << s.error_message();
  }

  FaultVfsKnobs& knobs_ = RegisterFaultVfs();
  TempDir dir_;
  FakeClock clock_;
  agent::AgentConfig config_;
  std::unique_ptr<agent::AgentServer> server_;
  std::unique_ptr<v1::PosService::Stub> stub_;
};

TEST_F(DiskFullTest, RefusesWhileFullAndResumesWithoutGap) {
  // Five sales recorded normally: seq 1..5.
  std::vector<v1::RecordTransactionResponse> before(5);
  for (int i = 0; i < 5; ++i) {
    grpc::Status s = Record("before-" + std::to_string(i), &before[i]);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(before[i].seq(), static_cast<uint64_t>(i + 1));
    EXPECT_FALSE(before[i].replayed());
  }
  const v1::GetJournalStatusResponse full_from = JournalState();
  ASSERT_EQ(full_from.head_seq(), 5u);
  ASSERT_EQ(full_from.head_hash(), before[4].hash());

  // The disk fills up: every recording is refused and nothing moves.
  const uint64_t refused_before = knobs_.refused_writes.load();
  knobs_.disk_full.store(true);
  for (int i = 0; i < 4; ++i) {
    v1::RecordTransactionResponse reply;
    ExpectDiskFull(Record("full-" + std::to_string(i), &reply),
                   "full-" + std::to_string(i));
    const v1::GetJournalStatusResponse now = JournalState();
    EXPECT_EQ(now.head_seq(), 5u);
    EXPECT_EQ(now.head_hash(), full_from.head_hash());
  }
  // Several at once, so they share a group commit that fails as a whole.
  std::vector<grpc::Status> burst(4);
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < burst.size(); ++i) {
      threads.emplace_back([this, &burst, i] {
        v1::RecordTransactionResponse reply;
        burst[i] = Record("burst-" + std::to_string(i), &reply);
      });
    }
    for (std::thread& t : threads) t.join();
  }
  for (size_t i = 0; i < burst.size(); ++i) {
    ExpectDiskFull(burst[i], "burst-" + std::to_string(i));
  }
  EXPECT_GT(knobs_.refused_writes.load(), refused_before)
      << "the fault VFS never refused a write: nothing was tested";
  {
    const v1::GetJournalStatusResponse now = JournalState();
    EXPECT_EQ(now.head_seq(), 5u);
    EXPECT_EQ(now.head_hash(), full_from.head_hash());
    EXPECT_EQ(now.pending_writes(), 0u);
    v1::GetEventResponse e;
    EXPECT_EQ(GetByKey("full-0", &e).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(GetByKey("burst-0", &e).error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(GetBySeq(6, &e).error_code(), grpc::StatusCode::NOT_FOUND);
  }

  // Space returns: the next sale gets seq 6, chained to seq 5.
  knobs_.disk_full.store(false);
  v1::RecordTransactionResponse after;
  grpc::Status s = Record("after-0", &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(after.seq(), 6u);
  EXPECT_FALSE(after.replayed());
  {
    v1::GetEventResponse e;
    ASSERT_TRUE(GetBySeq(6, &e).ok());
    EXPECT_EQ(e.prev_hash(), full_from.head_hash());
    EXPECT_EQ(e.hash(), after.hash());
  }

  // A sale refused while full is retried with its key: recorded now, once.
  v1::RecordTransactionResponse retried;
  s = Record("full-1", &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.seq(), 7u);
  EXPECT_FALSE(retried.replayed());
  v1::RecordTransactionResponse again;
  s = Record("full-1", &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.seq(), 7u);
  EXPECT_EQ(again.hash(), retried.hash());

  // An acknowledged sale from before the disk filled is still replayed.
  v1::RecordTransactionResponse replay;
  s = Record("before-2", &replay);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.seq(), before[2].seq());
  EXPECT_EQ(replay.hash(), before[2].hash());

  const v1::GetJournalStatusResponse end = JournalState();
  EXPECT_EQ(end.head_seq(), 7u);
  EXPECT_EQ(end.head_hash(), retried.hash());
  ASSERT_NO_FATAL_FAILURE(StopAndExpectIntact(7));

  // The file holds what the agent answered: a restart carries on at seq 8.
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(JournalState().head_seq(), 7u);
  EXPECT_EQ(JournalState().head_hash(), retried.hash());
  v1::RecordTransactionResponse next;
  s = Record("after-restart", &next);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(next.seq(), 8u);
  EXPECT_FALSE(next.replayed());
  ASSERT_NO_FATAL_FAILURE(StopAndExpectIntact(8));
}

TEST_F(DiskFullTest, RetryOfAcknowledgedSaleIsReplayedWithSameSeq) {
  v1::RecordTransactionResponse first;
  grpc::Status s = Record("sale-1", &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_FALSE(first.replayed());
  for (int i = 0; i < 3; ++i) {
    v1::RecordTransactionResponse retry;
    s = Record("sale-1", &retry);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(retry.replayed());
    EXPECT_EQ(retry.seq(), first.seq());
    EXPECT_EQ(retry.hash(), first.hash());
    EXPECT_EQ(retry.recorded_at_us(), first.recorded_at_us());
  }
  EXPECT_EQ(JournalState().head_seq(), first.seq());
  ASSERT_NO_FATAL_FAILURE(StopAndExpectIntact(first.seq()));
}

}  // namespace
}  // namespace storeagent::testing
