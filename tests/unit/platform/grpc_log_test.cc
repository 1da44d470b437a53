// proto/grpc_log: gRPC core's own log lines come out in the product's
// format (text or JSON, the level filter, the journald priority), not as
// gRPC's glog-style "E1202 ..." lines.
#include "proto/grpc_log.h"

#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "platform/log.h"
#include "storeagent/v1/events.pb.h"
#include "tests/support/stderr_capture.h"

namespace storeagent {
namespace {

using testing::CaptureStderr;

class GrpcLogTest : public ::testing::Test {
 protected:
  // gRPC reads GRPC_VERBOSITY (default ERROR) in grpc_init, as it does
  // when a daemon makes its first server or channel.
  void SetUp() override {
    rpc::RouteGrpcLogs();
    grpc_init();
  }
  void TearDown() override {
    grpc_shutdown();
    ConfigureLog("info", "text");
  }
};

TEST_F(GrpcLogTest, AGrpcErrorIsAnErrorLineOfOurs) {
  ConfigureLog("info", "text");
  const std::string out = CaptureStderr([] {
    gpr_log(GPR_ERROR, "Handshake failed with fatal error %s", "SSL_ERROR");
  });
  EXPECT_EQ(out.rfind("ts=", 0), 0u) << out;
  EXPECT_NE(out.find(" level=error event=grpc.log message=\"Handshake failed "
                     "with fatal error SSL_ERROR\" at=grpc_log_test.cc:"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  EXPECT_EQ(out.find("E1"), std::string::npos) << out;  // no glog prefix
}

TEST_F(GrpcLogTest, JsonFormatAndTheLevelFilterApply) {
  ConfigureLog("info", "json");
  std::string out =
      CaptureStderr([] { gpr_log(GPR_ERROR, "%s", "connection reset"); });
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["event"], "grpc.log");
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["message"], "connection reset");
  // gRPC emits INFO lines only when GRPC_VERBOSITY asks; ours filters too.
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_DEBUG);
  ConfigureLog("warn", "text");
  out = CaptureStderr([] { gpr_log(GPR_INFO, "%s", "channel created"); });
  EXPECT_EQ(out, "");
  ConfigureLog("info", "text");
  out = CaptureStderr([] { gpr_log(GPR_INFO, "%s", "channel created"); });
  EXPECT_NE(out.find(" level=info event=grpc.log message=\"channel created\""),
            std::string::npos)
      << out;
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);
}

// libprotobuf logs a line of its own when a string field holds invalid
// UTF-8 (an independent POS client saw it break log.format = "json"); it
// takes the same route.
TEST_F(GrpcLogTest, AProtobufParseErrorIsAJsonLineOfOurs) {
  ConfigureLog("info", "json");
  v1::TransactionLine line;
  line.set_description("MARKER");
  std::string bytes = line.SerializeAsString();
  bytes.replace(bytes.find("MARKER"), 6, "\xff\xfe\xfd\xfc\xfb\xfa");
  bool parsed = true;
  const std::string out = CaptureStderr(
      [&] { parsed = v1::TransactionLine().ParseFromString(bytes); });
  EXPECT_FALSE(parsed);
  ASSERT_FALSE(out.empty());
  const nlohmann::json j = nlohmann::json::parse(out);  // one JSON line
  EXPECT_EQ(j["event"], "protobuf.log");
  EXPECT_EQ(j["level"], "error");
  EXPECT_NE(j["message"].get<std::string>().find("UTF-8"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace storeagent
