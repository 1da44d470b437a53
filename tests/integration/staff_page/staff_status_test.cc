// The staff API's newer answers end to end on loopback: product names on
// the pick list, GET /api/v1/status (the head-office banner's source) from
// SyncHealth and from a real sync client dialling a closed port, GET
// /healthz without a token (200 while the database reads, 503 after it
// closed), and GET /api/openapi.json without a token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent::test {
namespace {

using ::testing::HasSubstr;

HttpReply Get(int port, const std::string& target,
              const std::string& token = kStaffToken) {
  HttpClient client(port);
  return client.Send("GET", target, "", Auth(token));
}

// A loopback port nothing listens on: bound, then closed.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

TEST(StaffStatusTest, PickListLinesCarryCatalogNames) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  v1::Product mug;
  mug.set_sku("SKU-MUG");
  mug.set_name("Coffee mug blue");
  ASSERT_TRUE(env.ImportCatalog({mug}).ok());
  ASSERT_TRUE(env.Receive("SKU-MUG", 10, "seed-mug").ok());
  // Stock of a SKU the catalog does not list yet.
  ASSERT_TRUE(env.Receive("SKU-NEW", 5, "seed-new").ok());
  Result<v1::PlaceHoldResponse> hold =
      env.PlaceHold("WEB-1", {{"SKU-MUG", 2}, {"SKU-NEW", 1}});
  ASSERT_TRUE(hold.ok() && hold->granted()) << hold.status().ToString();

  HttpReply r = Get(env.port(), "/api/v1/holds");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["holds"].size(), 1u);
  const nlohmann::json& lines = r.json["holds"][0]["lines"];
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (nlohmann::json{{"sku", "SKU-MUG"},
                                      {"quantity", 2},
                                      {"name", "Coffee mug blue"}}));
  EXPECT_EQ(
      lines[1],
      (nlohmann::json{{"sku", "SKU-NEW"}, {"quantity", 1}, {"name", nullptr}}));
}

TEST(StaffStatusTest, StatusReportsTheSyncLink) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  // No [sync]: nothing to report, no banner.
  HttpReply off = Get(env.port(), "/api/v1/status");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json["sync"]["enabled"], false);
  EXPECT_EQ(off.json["sync"]["connected"], false);
  EXPECT_TRUE(off.json["sync"]["last_exchange"].is_null());
  EXPECT_EQ(Get(env.port(), "/api/v1/status", "").status, 401);

  const int64_t last = env.clock().NowMicros() - (3 * 60 + 12) * kUsPerMin;
  env.agent().sync_health().Update([&](SyncHealthSnapshot& h) {
    h.enabled = true;
    h.connected = false;
    h.last_exchange_us = last;
    h.last_error = "central: connection refused";
  });
  HttpReply down = Get(env.port(), "/api/v1/status");
  ASSERT_EQ(down.status, 200) << down.body;
  EXPECT_EQ(down.json["sync"]["enabled"], true);
  EXPECT_EQ(down.json["sync"]["connected"], false);
  EXPECT_EQ(down.json["sync"]["last_exchange_us"], last);
  EXPECT_EQ(down.json["sync"]["last_exchange_age_ms"],
            (3 * 60 + 12) * kUsPerMin / 1000);
  EXPECT_EQ(down.json["sync"]["last_error"], "central: connection refused");

  env.agent().sync_health().Update(
      [](SyncHealthSnapshot& h) { h.connected = true; });
  EXPECT_EQ(Get(env.port(), "/api/v1/status").json["sync"]["connected"], true);
}

// A real sync client pointed at a port nobody listens on: enabled, not
// connected, never reached, and why.
TEST(StaffStatusTest, StatusWithHeadOfficeUnreachable) {
  const int port = ClosedPort();
  ASSERT_GT(port, 0);
  StaffEnv env;
  AgentConfig config = env.config();
  config.http_listen = "127.0.0.1:0";
  config.sync_central = "127.0.0.1:" + std::to_string(port);
  config.sync_insecure = true;
  config.sync_backoff_initial_ms = 50;
  config.sync_backoff_max_ms = 200;
  Result<std::unique_ptr<AgentServer>> agent =
      AgentServer::Start(config, env.clock());
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  const int http_port = (*agent)->http_port();
  nlohmann::json sync;
  for (int i = 0; i < 200; ++i) {  // bounded: 10 s
    HttpReply r = Get(http_port, "/api/v1/status");
    ASSERT_EQ(r.status, 200) << r.body;
    sync = r.json["sync"];
    if (!sync["last_error"].get<std::string>().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(sync["enabled"], true);
  EXPECT_EQ(sync["connected"], false);
  EXPECT_TRUE(sync["last_exchange"].is_null());
  EXPECT_TRUE(sync["last_exchange_age_ms"].is_null());
  EXPECT_FALSE(sync["last_error"].get<std::string>().empty()) << sync.dump();
  (*agent)->Shutdown();
}

TEST(StaffStatusTest, HealthzNeedsNoTokenAndReadsTheDatabase) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  HttpReply ok = Get(env.port(), "/healthz", "");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "ok\n");
  EXPECT_THAT(ok.headers["content-type"], HasSubstr("text/plain"));
  // A wrong token does not matter here.
  EXPECT_EQ(Get(env.port(), "/healthz", "not-a-token").status, 200);
  HttpClient client(env.port());
  HttpReply post = client.Send("POST", "/healthz", "");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET");

  env.agent().database().Close();  // the readers stop
  HttpReply down = Get(env.port(), "/healthz", "");
  EXPECT_EQ(down.status, 503);
  EXPECT_THAT(down.body, HasSubstr("unavailable: database:"));
}

TEST(StaffStatusTest, OpenApiDocumentNeedsNoToken) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  HttpReply r = Get(env.port(), "/api/openapi.json", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  ASSERT_TRUE(r.json.is_object()) << r.body.substr(0, 200);
  EXPECT_EQ(r.json["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_TRUE(r.json["paths"].contains("/api/v1/holds"));
}

}  // namespace
}  // namespace storeagent::agent::test
