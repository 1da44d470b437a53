// storecentral_grpc_server_handled_total end to end: admin calls and a
// sync stream against central in this process, counted by method and by
// the code the client received, read from the text /metrics renders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "platform/status.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

using ::testing::HasSubstr;

std::string Handled(const std::string& type, const std::string& service,
                    const std::string& method, const std::string& code) {
  return "storecentral_grpc_server_handled_total{grpc_type=\"" + type +
         "\",grpc_service=\"storeagent.v1." + service + "\",grpc_method=\"" +
         method + "\",grpc_code=\"" + code + "\"} ";
}

std::string CodeName(const grpc::Status& s) {
  return StatusCodeName(static_cast<StatusCode>(s.error_code()));
}

TEST(CentralGrpcMetrics, AdminAndSyncCallsAreCountedByCode) {
  CentralFixture central;
  central.Start();
  const std::string before = central.server().RenderMetrics();
  EXPECT_THAT(before, HasSubstr(Handled("unary", "CentralAdminService",
                                        "GetStoreSyncState", "OK") +
                                "0\n"));
  EXPECT_THAT(
      before,
      HasSubstr(Handled("bidi_stream", "SyncService", "Sync", "OK") + "0\n"));
  // The 0.2 names show from the start too (docs/contract.md).
  EXPECT_THAT(before,
              HasSubstr(Handled("bidi_stream", "Sync", "Sync", "OK") + "0\n"));
  EXPECT_THAT(
      before,
      HasSubstr(Handled("unary", "CentralAdmin", "ListDrift", "OK") + "0\n"));

  // A store id that names nothing: refused.
  grpc::Status refused;
  {
    grpc::ClientContext ctx;
    v1::GetStoreSyncStateRequest r;
    v1::GetStoreSyncStateResponse out;
    refused = central.admin().GetStoreSyncState(&ctx, r, &out);
    ASSERT_FALSE(refused.ok());
  }
  grpc::Status listed;
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext ctx;
    v1::ListDriftRequest r;
    v1::ListDriftResponse out;
    listed = central.admin().ListDrift(&ctx, r, &out);
  }
  grpc::Status stream_status;
  {
    AgentStream s(central.SyncChannel());
    ASSERT_TRUE(s.Hello("store-1", 0, std::string(32, '\0')).has_value());
    stream_status = s.Finish();
  }
  // A store still on 0.2, through the old name.
  grpc::Status v02_status;
  {
    AgentStream s(central.SyncChannel(), AgentStream::ServiceName::kV02);
    ASSERT_TRUE(s.Hello("store-2", 0, std::string(32, '\0')).has_value());
    v02_status = s.Finish();
  }

  const std::string after = central.server().RenderMetrics();
  EXPECT_THAT(after, HasSubstr(Handled("unary", "CentralAdminService",
                                       "GetStoreSyncState", CodeName(refused)) +
                               "1\n"));
  EXPECT_THAT(after, HasSubstr(Handled("unary", "CentralAdminService",
                                       "ListDrift", CodeName(listed)) +
                               "2\n"));
  EXPECT_THAT(after, HasSubstr(Handled("bidi_stream", "SyncService", "Sync",
                                       CodeName(stream_status)) +
                               "1\n"));
  EXPECT_THAT(after, HasSubstr(Handled("bidi_stream", "Sync", "Sync",
                                       CodeName(v02_status)) +
                               "1\n"));
}

}  // namespace
}  // namespace storeagent::central::testing
