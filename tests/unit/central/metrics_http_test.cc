// MetricsHttpServer on loopback: what each request gets, bad settings, a
// taken port, a render that fails, and Stop with a connection still open.
#include "central/server/metrics_http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

#include "tests/unit/central/report_http_client.h"

namespace storeagent::central {
namespace {

using test::ConnectLoopback;
using test::Exchange;

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Get(int port, const std::string& target,
                const std::string& method = "GET") {
  return Exchange(port, method + " " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
}

class MetricsHttpTest : public ::testing::Test {
 protected:
  void Start(MetricsHttpServer::Render render) {
    Result<std::unique_ptr<MetricsHttpServer>> s = MetricsHttpServer::Start(
        "127.0.0.1:0", "metrics.listen", std::move(render));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    ASSERT_GT(server_->port(), 0);
  }
  std::unique_ptr<MetricsHttpServer> server_;
};

TEST_F(MetricsHttpTest, AnswersGetMetricsWithTheRenderedText) {
  std::atomic<int> renders{0};
  Start([&renders]() -> Result<std::string> {
    ++renders;
    return std::string("up 1\n");
  });
  const std::string r = Get(server_->port(), "/metrics");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_THAT(r, HasSubstr("Connection: close"));
  EXPECT_THAT(r, HasSubstr("\r\n\r\nup 1\n"));
  // A query string is ignored; HEAD gets the headers only.
  EXPECT_THAT(Get(server_->port(), "/metrics?x=1"),
              HasSubstr("\r\n\r\nup 1\n"));
  const std::string head = Get(server_->port(), "/metrics", "HEAD");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 5\r\n"));
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");
  EXPECT_EQ(renders.load(), 3);
}

TEST_F(MetricsHttpTest, OtherPathsMethodsAndBadRequests) {
  Start([]() -> Result<std::string> { return std::string("up 1\n"); });
  EXPECT_THAT(Get(server_->port(), "/"), StartsWith("HTTP/1.1 404 "));
  EXPECT_THAT(Get(server_->port(), "/metricsx"), StartsWith("HTTP/1.1 404 "));
  const std::string post = Get(server_->port(), "/metrics", "POST");
  EXPECT_THAT(post, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(post, HasSubstr("Allow: GET, HEAD"));
  EXPECT_THAT(Exchange(server_->port(), "nonsense\r\n\r\n"),
              StartsWith("HTTP/1.1 400 "));
  const std::string huge =
      "GET /metrics HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_THAT(Exchange(server_->port(), huge), StartsWith("HTTP/1.1 431 "));
  // The server still answers after all that.
  EXPECT_THAT(Get(server_->port(), "/metrics"),
              StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(MetricsHttpTest, AFailedRenderIs503WithTheError) {
  Start([]() -> Result<std::string> {
    return Unavailable("store: not open yet");
  });
  const std::string r = Get(server_->port(), "/metrics");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 503 "));
  EXPECT_THAT(r, HasSubstr("not open yet"));
}

TEST_F(MetricsHttpTest, BadAddressesAndATakenPortNameTheKey) {
  auto render = []() -> Result<std::string> { return std::string(); };
  Result<std::unique_ptr<MetricsHttpServer>> bad =
      MetricsHttpServer::Start("localhost:80", "metrics.listen", render);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("metrics.listen"));
  bad = MetricsHttpServer::Start("127.0.0.1:99999", "metrics.listen", render);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);

  Start(render);
  const std::string taken = "127.0.0.1:" + std::to_string(server_->port());
  Result<std::unique_ptr<MetricsHttpServer>> second =
      MetricsHttpServer::Start(taken, "metrics.listen", render);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("metrics.listen"));
  EXPECT_THAT(second.status().message(), HasSubstr(taken));
}

TEST_F(MetricsHttpTest, StopClosesAnIdleConnectionAndIsIdempotent) {
  Start([]() -> Result<std::string> { return std::string("up 1\n"); });
  const int fd = ConnectLoopback(server_->port());  // never sends a request
  ASSERT_GE(fd, 0);
  server_->Stop();
  server_->Stop();
  // Closed (EOF, or a reset when Stop came before the accept), not left
  // hanging until the client's 5 s timeout (EAGAIN).
  char c;
  const ssize_t n = ::read(fd, &c, 1);
  const int err = errno;
  EXPECT_TRUE(n == 0 || (n < 0 && err == ECONNRESET)) << n << " " << err;
  ::close(fd);
  const int again = ConnectLoopback(server_->port());
  if (again >= 0) ::close(again);
  EXPECT_LT(again, 0) << "still accepting after Stop";
}

}  // namespace
}  // namespace storeagent::central
