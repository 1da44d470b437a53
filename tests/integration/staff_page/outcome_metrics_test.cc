// Outcome counters end to end: calls to the agent's gRPC server and
// requests to its staff HTTP server, counted by code, read back from the
// text /metrics renders (storeagent_grpc_server_handled_total,
// storeagent_http_requests_total).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "agent/agent_metrics.h"
#include "agent/http/staff_api.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Handled(const std::string& method, const std::string& code) {
  return "storeagent_grpc_server_handled_total{grpc_type=\"unary\","
         "grpc_service=\"storeagent.v1.PosService\",grpc_method=\"" +
         method + "\",grpc_code=\"" + code + "\"} ";
}

std::string Requests(const std::string& route, int code) {
  return "storeagent_http_requests_total{route=\"" + route + "\",code=\"" +
         std::to_string(code) + "\"} ";
}

class OutcomeMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = env_.Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string Render() { return env_.agent().metrics().Render(DbFigures{}); }

  StaffEnv env_;
};

TEST_F(OutcomeMetricsTest, GrpcCallsAreCountedByMethodAndCode) {
  // Every method of the served APIs is there from the start, at 0.
  const std::string before = Render();
  EXPECT_THAT(before, HasSubstr(Handled("Ping", "OK") + "0\n"));
  EXPECT_THAT(before, HasSubstr(Handled("RecordTransaction", "OK") + "0\n"));
  EXPECT_THAT(
      before,
      HasSubstr("grpc_type=\"client_stream\",grpc_service=\"storeagent."
                "v1.AvailabilityService\",grpc_method=\"ImportCatalog\","
                "grpc_code=\"OK\"} 0\n"));
  EXPECT_THAT(before, Not(HasSubstr("INVALID_ARGUMENT")));

  auto channel = grpc::CreateChannel("unix:" + env_.config().pos_socket,
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::PosService::NewStub(channel);
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::PingResponse reply;
    grpc::Status s = stub->Ping(&ctx, v1::PingRequest(), &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    // No client key, no transaction: refused.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::RecordTransactionResponse reply;
    grpc::Status s =
        stub->RecordTransaction(&ctx, v1::RecordTransactionRequest(), &reply);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }

  const std::string after = Render();
  EXPECT_THAT(after, HasSubstr(Handled("Ping", "OK") + "2\n"));
  EXPECT_THAT(
      after,
      HasSubstr(Handled("RecordTransaction", "INVALID_ARGUMENT") + "1\n"));
  EXPECT_THAT(after, HasSubstr(Handled("RecordTransaction", "OK") + "0\n"));
}

TEST_F(OutcomeMetricsTest, HttpResponsesAreCountedByRoutePattern) {
  env_.http().CountRequestsIn(&env_.agent().metrics().http_requests());
  HttpClient client(env_.port());
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kStaffToken)).status,
            200);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kStaffToken)).status,
            200);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami").status, 401);
  EXPECT_EQ(client.Send("GET", "/api/v1/holds/ORDER-77", "", Auth(kStaffToken))
                .status,
            404);
  EXPECT_EQ(
      client
          .Send("POST", "/api/v1/holds/ORDER-78/pick", "{}", Auth(kStaffToken))
          .status,
      404);
  EXPECT_EQ(client.Send("GET", "/no/such/page").status, 404);
  EXPECT_EQ(client.Send("GET", "/").status, 200);
  // Malformed HTTP: answered 400 before any path is known.
  const std::string raw = HttpClient::Raw(env_.port(), "NOT HTTP\r\n\r\n");
  EXPECT_THAT(raw, HasSubstr("400"));

  const std::string text = Render();
  EXPECT_THAT(text, HasSubstr(Requests("/api/v1/whoami", 200) + "2\n"));
  EXPECT_THAT(text, HasSubstr(Requests("/api/v1/whoami", 401) + "1\n"));
  EXPECT_THAT(text,
              HasSubstr(Requests("/api/v1/holds/{order_ref}", 404) + "1\n"));
  EXPECT_THAT(
      text, HasSubstr(Requests("/api/v1/holds/{order_ref}/pick", 404) + "1\n"));
  EXPECT_THAT(text, HasSubstr(Requests("/", 200) + "1\n"));
  EXPECT_THAT(text, HasSubstr(Requests("other", 404) + "1\n"));
  EXPECT_THAT(text, HasSubstr(Requests("other", 400) + "1\n"));
  // Raw paths never become label values.
  EXPECT_THAT(text, Not(HasSubstr("ORDER-77")));
  EXPECT_THAT(text, Not(HasSubstr("/no/such/page")));
}

TEST(StaffRouteLabel, NamesThePatternNotThePath) {
  EXPECT_EQ(StaffApi::RouteLabel("/api/v1/holds/A%2F1/short-pick"),
            "/api/v1/holds/{order_ref}/short-pick");
  EXPECT_EQ(StaffApi::RouteLabel("/api/v1/stock/SKU-1/adjust"),
            "/api/v1/stock/{sku}/adjust");
  EXPECT_EQ(StaffApi::RouteLabel("/api/v1/availability/SKU-1"),
            "/api/v1/availability/{sku}");
  EXPECT_EQ(StaffApi::RouteLabel("/api/v1/products"), "/api/v1/products");
  EXPECT_EQ(StaffApi::RouteLabel("/metrics"), "/metrics");
  EXPECT_EQ(StaffApi::RouteLabel("/app.js"), "/app.js");
  EXPECT_EQ(StaffApi::RouteLabel("/api/v1/holds/A/B/C"), "other");
  EXPECT_EQ(StaffApi::RouteLabel("/api/v1/stock/SKU-1/steal"), "other");
  EXPECT_EQ(StaffApi::RouteLabel("/%zz"), "other");
  EXPECT_EQ(StaffApi::RouteLabel(""), "other");
}

}  // namespace
}  // namespace storeagent::agent::test
