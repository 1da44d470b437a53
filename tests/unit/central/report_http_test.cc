// The report page's listener (central/server/report_http.h) on loopback
// with a fake KPI provider: the routes, 400 naming the parameter, 404, 405,
// the provider's errors, the bound on reports in flight, plain HTTP refused
// off loopback, and who may see the page over HTTPS (an admin certificate
// naming a reader or an operator; not a store's, none, or another CA's).
#include "central/server/report_http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_certs.h"
#include "tests/unit/central/report_http_client.h"

namespace storeagent::central {
namespace {

using testing::CertAndKey;
using testing::CertSpec;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TestCa;

// A provider that records what it was asked and answers a small report.
struct FakeProvider {
  std::mutex mu;
  std::vector<v1::GetKpiReportRequest> calls;  // guarded by mu
  grpc::Status answer = grpc::Status::OK;      // guarded by mu

  void Answer(grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    answer = std::move(s);
  }
  KpiReportProvider Get() {
    return [this](const v1::GetKpiReportRequest& req,
                  v1::GetKpiReportResponse* out) {
      grpc::Status status;
      {
        std::lock_guard<std::mutex> lock(mu);
        calls.push_back(req);
        status = answer;
      }
      if (!status.ok()) return status;
      out->set_scope(req.store_id().empty() ? "fleet"
                                            : "store:" + req.store_id());
      out->add_weeks("2026-W48");
      out->add_weeks("2026-W49");
      v1::Kpi* k = out->add_kpis();
      k->set_name("order_accuracy");
      k->set_unit("ratio");
      v1::KpiValue* w = k->add_weeks();
      w->set_week("2026-W48");
      w->set_present(true);
      w->set_value(0.5);
      w->set_numerator(1);
      w->set_denominator(2);
      out->set_computed_at_us(1'765'000'000'000'000);
      return grpc::Status::OK;
    };
  }
  size_t count() { return Calls().size(); }
  std::vector<v1::GetKpiReportRequest> Calls() {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  }
};

class ReportHttpTest : public ::testing::Test {
 protected:
  void Start() {
    ReportHttpOptions options;
    options.listen = "127.0.0.1:0";
    Result<std::unique_ptr<ReportHttpServer>> s =
        ReportHttpServer::Start(options, provider_.Get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    ASSERT_GT(server_->port(), 0);
  }
  test::HttpReply Get(const std::string& target,
                      const std::string& method = "GET") {
    return test::PlainRequest(server_->port(), method, target);
  }

  FakeProvider provider_;
  std::unique_ptr<ReportHttpServer> server_;
};

TEST_F(ReportHttpTest, ServesThePageItsFilesAndTheReportAsJson) {
  Start();
  const test::HttpReply page = Get("/");
  ASSERT_EQ(page.status, 200) << page.raw;
  EXPECT_THAT(page.header("content-type"), StartsWith("text/html"));
  EXPECT_THAT(page.body, HasSubstr("<script src=\"/app.js\""));
  EXPECT_THAT(page.header("content-security-policy"),
              HasSubstr("default-src 'self'"));
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.header("cache-control"), "no-store");
  // The page loads nothing from elsewhere: no URL but SVG's namespace.
  for (const char* file : {"/", "/app.js", "/app.css"}) {
    const test::HttpReply r = Get(file);
    ASSERT_EQ(r.status, 200) << file;
    std::string body = r.body;
    const std::string svg_ns = "http://www.w3.org/2000/svg";
    for (size_t at; (at = body.find(svg_ns)) != std::string::npos;) {
      body.erase(at, svg_ns.size());
    }
    EXPECT_EQ(body.find("http://"), std::string::npos) << file;
    EXPECT_EQ(body.find("https://"), std::string::npos) << file;
    EXPECT_EQ(body.find("//cdn"), std::string::npos) << file;
  }
  EXPECT_THAT(Get("/app.js").header("content-type"),
              StartsWith("text/javascript"));
  EXPECT_THAT(Get("/app.css").header("content-type"), StartsWith("text/css"));
  const test::HttpReply head = Get("/", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.header("content-length"), std::to_string(page.body.size()));

  const test::HttpReply api =
      Get("/api/kpi?store=S-1&weeks=2&last_week=2026-W49&by_store=1");
  ASSERT_EQ(api.status, 200) << api.raw;
  EXPECT_THAT(api.header("content-type"), StartsWith("application/json"));
  const nlohmann::json j = nlohmann::json::parse(api.body);
  EXPECT_EQ(j["scope"], "store:S-1");
  EXPECT_EQ(j["weeks"], nlohmann::json({"2026-W48", "2026-W49"}));
  EXPECT_EQ(j["kpis"][0]["name"], "order_accuracy");
  EXPECT_EQ(j["kpis"][0]["weeks"][0]["value"], 0.5);
  // Proto JSON: camelCase names, int64 as strings, zero fields printed.
  EXPECT_EQ(j["kpis"][0]["weeks"][0]["denominator"], "2");
  EXPECT_EQ(j["computedAtUs"], "1765000000000000");
  EXPECT_EQ(j["kpis"][0]["weekOnWeekPresent"], false);
  ASSERT_EQ(provider_.count(), 1u);
  const v1::GetKpiReportRequest asked = provider_.Calls()[0];
  EXPECT_EQ(asked.store_id(), "S-1");
  EXPECT_EQ(asked.weeks(), 2);
  EXPECT_EQ(asked.last_week(), "2026-W49");
  EXPECT_TRUE(asked.by_store());
  // No parameters: the fleet over 4 weeks.
  ASSERT_EQ(Get("/api/kpi").status, 200);
  ASSERT_EQ(provider_.count(), 2u);
  EXPECT_EQ(provider_.Calls()[1].weeks(), 4);
  EXPECT_EQ(provider_.Calls()[1].store_id(), "");
}

TEST_F(ReportHttpTest, ABadParameterIs400NamingItAndAsksNothing) {
  Start();
  struct Case {
    const char* target;
    const char* parameter;
  };
  for (const Case& c :
       {Case{"/api/kpi?weeks=0", "weeks"}, Case{"/api/kpi?weeks=14", "weeks"},
        Case{"/api/kpi?store=a%20b", "store"},
        Case{"/api/kpi?store=S-1&region=north", "region"},
        Case{"/api/kpi?last_week=2026-49", "last_week"},
        Case{"/api/kpi?by_store=2", "by_store"},
        Case{"/api/kpi?sort=x", "sort"}}) {
    const test::HttpReply r = Get(c.target);
    ASSERT_EQ(r.status, 400) << c.target << "\n" << r.raw;
    EXPECT_THAT(r.header("content-type"), StartsWith("application/json"));
    const nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["parameter"], c.parameter) << c.target;
    EXPECT_EQ(j["error"]["code"], "INVALID_ARGUMENT");
    EXPECT_THAT(j["error"]["message"].get<std::string>(),
                StartsWith(std::string(c.parameter) + ": "));
  }
  EXPECT_EQ(provider_.count(), 0u);
}

TEST_F(ReportHttpTest, PlainHttpAnswersOnlyToALoopbackHost) {
  Start();
  const std::string port = std::to_string(server_->port());
  const auto get = [&](const std::string& host_line) {
    return test::ParseReply(test::Exchange(
        server_->port(),
        "GET /api/kpi HTTP/1.1\r\n" + host_line + "Connection: close\r\n\r\n"));
  };
  for (const std::string& host : std::vector<std::string>{
           "127.0.0.1", "127.0.0.1:" + port, "localhost:" + port, "LocalHost",
           "[::1]", "[::1]:" + port}) {
    EXPECT_EQ(get("Host: " + host + "\r\n").status, 200) << host;
  }
  const size_t served = provider_.count();
  // A page elsewhere reaching in by DNS rebinding sends its own name.
  for (const std::string& host : std::vector<std::string>{
           "evil.example", "evil.example:" + port, "127.0.0.1.evil.example",
           "localhost.evil.example:" + port, "[::1]x", "[::2]:" + port, ""}) {
    const test::HttpReply r = get("Host: " + host + "\r\n");
    ASSERT_EQ(r.status, 403) << host << "\n" << r.raw;
    const nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "PERMISSION_DENIED");
    EXPECT_THAT(j["error"]["message"].get<std::string>(),
                HasSubstr("not this machine's loopback"))
        << host;
  }
  // HTTP/1.0 may leave Host out: refused as well.
  const test::HttpReply none = test::ParseReply(
      test::Exchange(server_->port(), "GET /api/kpi HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(none.status, 403) << none.raw;
  // The page itself too, not only the API.
  EXPECT_EQ(
      test::ParseReply(test::Exchange(server_->port(),
                                      "GET / HTTP/1.1\r\nHost: evil.example\r\n"
                                      "Connection: close\r\n\r\n"))
          .status,
      403);
  EXPECT_EQ(provider_.count(), served);
}

TEST_F(ReportHttpTest, OtherPathsAre404AndOtherMethods405) {
  Start();
  for (const char* path : {"/nope", "/api", "/api/kpis", "/app.jsx"}) {
    EXPECT_EQ(Get(path).status, 404) << path;
  }
  const test::HttpReply api404 = Get("/api/nope");
  EXPECT_EQ(api404.status, 404);
  EXPECT_EQ(nlohmann::json::parse(api404.body)["error"]["code"], "NOT_FOUND");
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    for (const char* path : {"/", "/api/kpi", "/app.js"}) {
      const test::HttpReply r = Get(path, method);
      EXPECT_EQ(r.status, 405) << method << " " << path;
      EXPECT_EQ(r.header("allow"), "GET, HEAD") << method << " " << path;
    }
  }
  EXPECT_EQ(provider_.count(), 0u);
  // A request that does not parse, a header over the limit.
  EXPECT_EQ(
      test::ParseReply(test::Exchange(server_->port(), "nonsense\r\n\r\n"))
          .status,
      400);
  const std::string huge =
      "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_EQ(test::ParseReply(test::Exchange(server_->port(), huge)).status,
            431);
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(ReportHttpTest, TheProvidersErrorsKeepTheirMeaning) {
  Start();
  provider_.Answer(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet"));
  test::HttpReply r = Get("/api/kpi");
  EXPECT_EQ(r.status, 501);
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "UNIMPLEMENTED");
  EXPECT_EQ(j["error"]["message"], "not yet");
  provider_.Answer(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "region: unknown"));
  EXPECT_EQ(Get("/api/kpi?region=x").status, 400);
  provider_.Answer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "db down"));
  EXPECT_EQ(Get("/api/kpi").status, 503);
  provider_.Answer(grpc::Status(grpc::StatusCode::INTERNAL, "bug"));
  EXPECT_EQ(Get("/api/kpi").status, 500);
}

// kMaxReportsInFlight reports being computed: the next request is 503 and
// asks the provider nothing; once they end, reports are served again.
TEST(ReportHttpLimitsTest, ReportsInFlightAreBounded) {
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  bool release = false;
  KpiReportProvider blocking = [&](const v1::GetKpiReportRequest&,
                                   v1::GetKpiReportResponse* out) {
    std::unique_lock<std::mutex> lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    out->set_scope("fleet");
    return grpc::Status::OK;
  };
  ReportHttpOptions options;
  options.listen = "127.0.0.1:0";
  Result<std::unique_ptr<ReportHttpServer>> s =
      ReportHttpServer::Start(options, blocking);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const int port = (*s)->port();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kMaxReportsInFlight; ++i) {
    clients.emplace_back([&] {
      if (test::PlainRequest(port, "GET", "/api/kpi", 60).status == 200) ++ok;
    });
  }
  bool all_in = false;
  {
    // One thread per report in flight: each of them reaches the provider.
    std::unique_lock<std::mutex> lock(mu);
    all_in = cv.wait_for(lock, std::chrono::seconds(30),
                         [&] { return entered == kMaxReportsInFlight; });
  }
  test::HttpReply busy;
  if (all_in) busy = test::PlainRequest(port, "GET", "/api/kpi");
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  for (std::thread& t : clients) t.join();
  ASSERT_TRUE(all_in) << "the first reports never reached the provider";
  EXPECT_EQ(busy.status, 503) << busy.raw;
  EXPECT_EQ(busy.header("retry-after"), "1");
  EXPECT_THAT(busy.body, HasSubstr("busy"));
  EXPECT_EQ(ok.load(), kMaxReportsInFlight);
  EXPECT_EQ(test::PlainRequest(port, "GET", "/api/kpi").status, 200);
  (*s)->Stop();
}

TEST(ReportHttpStartTest, PlainHttpOffLoopbackIsRefusedAtStart) {
  for (const char* listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:9443"}) {
    ReportHttpOptions options;
    options.listen = listen;
    Result<std::unique_ptr<ReportHttpServer>> s =
        ReportHttpServer::Start(options, FakeProvider().Get());
    ASSERT_FALSE(s.ok()) << listen;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), StartsWith("report.listen: "));
    EXPECT_THAT(s.status().message(), HasSubstr("is not loopback"));
  }
  ReportHttpOptions bad;
  bad.listen = "localhost:x";
  EXPECT_FALSE(ReportHttpServer::Start(bad, FakeProvider().Get()).ok());
}

}  // namespace
}  // namespace storeagent::central
