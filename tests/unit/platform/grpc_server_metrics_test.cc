// GrpcServerMetrics (proto/grpc_server_metrics.h): the label values it
// gives a finished call, without a server.
#include "proto/grpc_server_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "storeagent/v1/pos.pb.h"

namespace storeagent::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Render(const GrpcServerMetrics& g) {
  platform::MetricsText m;
  g.Render(m);
  return m.Take();
}

std::string Line(const std::string& type, const std::string& service,
                 const std::string& method, const std::string& code) {
  return "x_handled_total{grpc_type=\"" + type + "\",grpc_service=\"" +
         service + "\",grpc_method=\"" + method + "\",grpc_code=\"" + code +
         "\"} ";
}

class GrpcServerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Links pos.pb.cc in, so its descriptors are in the generated pool.
    ASSERT_NE(v1::PingRequest::descriptor(), nullptr);
  }
};

TEST_F(GrpcServerMetricsTest, KnownMethodsStartAtZeroWithCodeOk) {
  GrpcServerMetrics g("x_handled_total",
                      {"storeagent.v1.PosService", "no.such.Service"});
  const std::string text = Render(g);
  EXPECT_THAT(text, HasSubstr("# TYPE x_handled_total counter\n"));
  EXPECT_THAT(
      text, HasSubstr(Line("unary", "storeagent.v1.PosService", "Ping", "OK") +
                      "0\n"));
  EXPECT_THAT(
      text,
      HasSubstr(Line("unary", "grpc.health.v1.Health", "Check", "OK") + "0\n"));
  EXPECT_THAT(text, Not(HasSubstr("no.such.Service")));
  EXPECT_THAT(text, Not(HasSubstr("unknown")));
}

TEST_F(GrpcServerMetricsTest, CountsByCodeName) {
  GrpcServerMetrics g("x_handled_total", {"storeagent.v1.PosService"});
  const std::string ping = "/storeagent.v1.PosService/Ping";
  g.Handled(ping, grpc::StatusCode::OK);
  g.Handled(ping, grpc::StatusCode::OK);
  g.Handled("/storeagent.v1.PosService/RecordTransaction",
            grpc::StatusCode::INVALID_ARGUMENT);
  g.Handled("/storeagent.v1.PosService/RecordTransaction",
            grpc::StatusCode::UNAVAILABLE);
  g.Handled("/storeagent.v1.PosService/RecordTransaction",
            grpc::StatusCode::UNAVAILABLE);
  const std::string text = Render(g);
  const std::string svc = "storeagent.v1.PosService";
  EXPECT_THAT(text, HasSubstr(Line("unary", svc, "Ping", "OK") + "2\n"));
  EXPECT_THAT(text, HasSubstr(Line("unary", svc, "RecordTransaction",
                                   "INVALID_ARGUMENT") +
                              "1\n"));
  EXPECT_THAT(text,
              HasSubstr(Line("unary", svc, "RecordTransaction", "UNAVAILABLE") +
                        "2\n"));
  EXPECT_THAT(text,
              HasSubstr(Line("unary", svc, "RecordTransaction", "OK") + "0\n"));
}

TEST_F(GrpcServerMetricsTest, UnknownMethodsAndCodesAddNoSeries) {
  GrpcServerMetrics g("x_handled_total", {"storeagent.v1.PosService"});
  g.Handled("/storeagent.v1.PosService/NoSuchMethod",
            grpc::StatusCode::UNIMPLEMENTED);
  g.Handled("/evil.Service/" + std::string(100, 'a'),
            grpc::StatusCode::UNIMPLEMENTED);
  g.Handled("", grpc::StatusCode::UNIMPLEMENTED);
  g.Handled("/storeagent.v1.PosService/Ping",
            static_cast<grpc::StatusCode>(99));
  const std::string text = Render(g);
  EXPECT_THAT(text,
              HasSubstr(Line("unknown", "unknown", "unknown", "UNIMPLEMENTED") +
                        "3\n"));
  EXPECT_THAT(text, HasSubstr(Line("unary", "storeagent.v1.PosService", "Ping",
                                   "UNKNOWN") +
                              "1\n"));
  EXPECT_THAT(text, Not(HasSubstr("NoSuchMethod")));
  EXPECT_THAT(text, Not(HasSubstr("evil")));
}

}  // namespace
}  // namespace storeagent::rpc
