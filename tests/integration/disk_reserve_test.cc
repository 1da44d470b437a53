// The disk reserve end to end: with a floor above the disk's free space the
// real server refuses new events with RESOURCE_EXHAUSTED, reads still work,
// and gRPC health says NOT_SERVING.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "agent/agent_server.h"
#include "platform/fs.h"
#include "storeagent/v1/availability.grpc.pb.h"
#include "tests/support/grpc_health.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent {
namespace {

TEST(DiskReserve, RefusesEventsAndReportsNotServing) {
  testing::TempDir dir;
  Result<uint64_t> free = fs::FreeBytes(dir.path());
  ASSERT_TRUE(free.ok());
  agent::AgentConfig config;
  config.store_id = "store-reserve";
  config.data_dir = dir.File("data");
  config.pos_socket = dir.File("pos.sock");
  // A floor 1 GiB above what is free: the reserve is reached at once.
  config.min_free_mib = static_cast<int64_t>((*free >> 20) + 1024);
  FakeClock clock;
  Result<std::unique_ptr<agent::AgentServer>> server =
      agent::AgentServer::Start(config, clock);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  auto channel = grpc::CreateChannel("unix:" + config.pos_socket,
                                     grpc::InsecureChannelCredentials());
  auto pos = v1::PosService::NewStub(channel);
  v1::RecordTransactionRequest req;
  *req.mutable_client_key() = test::SampleClientKey("reserve-1");
  *req.mutable_transaction() = test::SampleSale();
  v1::RecordTransactionResponse reply;
  grpc::ClientContext ctx;
  grpc::Status s = pos->RecordTransaction(&ctx, req, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("disk reserve"), std::string::npos)
      << s.error_message();

  auto avail = v1::AvailabilityService::NewStub(channel);
  v1::RecordStockEventRequest adj;
  adj.mutable_client_key()->set_terminal_id("bo");
  adj.mutable_client_key()->set_client_txn_id("adj-1");
  adj.mutable_movement()->set_reason(v1::StockMovement::REASON_RECEIPT);
  auto* line = adj.mutable_movement()->add_lines();
  line->set_sku("SKU-1");
  line->set_quantity(5);
  grpc::ClientContext ctx2;
  v1::RecordStockEventResponse adj_reply;
  s = avail->RecordStockEvent(&ctx2, adj, &adj_reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Reads still answer.
  grpc::ClientContext ctx3;
  v1::GetJournalStatusResponse status;
  EXPECT_TRUE(pos->GetJournalStatus(&ctx3, {}, &status).ok());
  EXPECT_EQ(status.head_seq(), 0u);

  EXPECT_EQ(testing::HealthStatus(channel, "storeagent.v1.PosService"), 2);
  EXPECT_EQ(testing::HealthStatus(channel, ""), 2);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace storeagent
