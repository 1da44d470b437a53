// The report page over HTTPS (report.tls): who may see it. An admin
// certificate from the CA naming a reader or an operator is let in; a
// store's certificate, no certificate, an expired one and another CA's
// admin certificate get 403 saying why, and the provider is never asked;
// a plain HTTP request on the HTTPS port gets no HTTP answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "central/server/report_http.h"
#include "tests/support/test_certs.h"
#include "tests/unit/central/report_http_client.h"

namespace storeagent::central {
namespace {

using testing::CertAndKey;
using testing::CertSpec;
using ::testing::HasSubstr;
using testing::NowSeconds;
using testing::TestCa;

using testing::kDay;

CertSpec Spec(const std::string& cn, const std::string& san,
              const std::string& eku) {
  CertSpec s;
  s.cn = cn;
  s.san = san;
  s.eku = eku;
  s.not_before_s = NowSeconds() - kDay;
  s.not_after_s = NowSeconds() + 30 * kDay;
  return s;
}

class ReportHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CertAndKey server = ca_.Issue(
        Spec("localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"));
    ReportHttpOptions options;
    options.listen = "127.0.0.1:0";
    options.tls = true;
    options.cert_pem = server.cert_pem;
    options.key_pem = server.key_pem;
    options.ca_pem = ca_.cert_pem();
    KpiReportProvider provider = [this](const v1::GetKpiReportRequest&,
                                        v1::GetKpiReportResponse* out) {
      ++calls_;
      out->set_scope("fleet");
      return grpc::Status::OK;
    };
    Result<std::unique_ptr<ReportHttpServer>> s =
        ReportHttpServer::Start(options, provider);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }

  test::HttpReply Get(const CertAndKey& client, const std::string& target) {
    return test::TlsGet(server_->port(), ca_.cert_pem(), client.cert_pem,
                        client.key_pem, target);
  }

  TestCa ca_{"report test CA"};
  std::atomic<int> calls_{0};
  std::unique_ptr<ReportHttpServer> server_;
};

TEST_F(ReportHttpsTest, AReaderAndAnOperatorSeeThePageAndTheReport) {
  for (const char* role : {"reader", "operator"}) {
    const CertAndKey admin = ca_.Issue(Spec(
        std::string(role) + "-1",
        "URI:storeagent:admin:" + std::string(role) + ":hq-1", "clientAuth"));
    const test::HttpReply page = Get(admin, "/");
    ASSERT_EQ(page.status, 200) << role << ": " << page.error << page.raw;
    EXPECT_THAT(page.body, HasSubstr("Store KPIs"));
    const test::HttpReply api = Get(admin, "/api/kpi?weeks=4");
    ASSERT_EQ(api.status, 200) << role << ": " << api.raw;
    EXPECT_EQ(nlohmann::json::parse(api.body)["scope"], "fleet");
  }
  EXPECT_EQ(calls_.load(), 2);
}

TEST_F(ReportHttpsTest, AStoresCertificateIsRefusedSayingWhose) {
  const CertAndKey till =
      ca_.Issue(Spec("S-1", "URI:storeagent:store:S-1", "clientAuth"));
  const test::HttpReply page = Get(till, "/");
  EXPECT_EQ(page.status, 403) << page.error << page.raw;
  EXPECT_THAT(page.body, HasSubstr("store S-1's"));
  EXPECT_THAT(page.body, HasSubstr("may not use the report page"));
  const test::HttpReply api = Get(till, "/api/kpi");
  ASSERT_EQ(api.status, 403) << api.raw;
  const nlohmann::json j = nlohmann::json::parse(api.body);
  EXPECT_EQ(j["error"]["code"], "PERMISSION_DENIED");
  EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr("S-1"));
  // A certificate naming no admin role at all (only a common name).
  const CertAndKey plain = ca_.Issue(Spec("someone", "", "clientAuth"));
  const test::HttpReply none = Get(plain, "/api/kpi");
  EXPECT_EQ(none.status, 403);
  EXPECT_THAT(none.body, HasSubstr("names no admin role"));
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(ReportHttpsTest, NoCertificateAnExpiredOneAndAnotherCasAreRefused) {
  const test::HttpReply none = Get(CertAndKey{}, "/api/kpi");
  EXPECT_EQ(none.status, 403) << none.error << none.raw;
  EXPECT_THAT(none.body, HasSubstr("needs an admin client certificate"));

  CertSpec old = Spec("r", "URI:storeagent:admin:reader:old", "clientAuth");
  old.not_before_s = NowSeconds() - 10 * kDay;
  old.not_after_s = NowSeconds() - kDay;
  const test::HttpReply expired = Get(ca_.Issue(old), "/");
  EXPECT_EQ(expired.status, 403) << expired.error << expired.raw;
  EXPECT_THAT(expired.body, HasSubstr("expired"));

  TestCa other("another CA");
  const test::HttpReply foreign =
      Get(other.Issue(Spec("r", "URI:storeagent:admin:reader:x", "clientAuth")),
          "/");
  EXPECT_EQ(foreign.status, 403) << foreign.error << foreign.raw;
  EXPECT_THAT(foreign.body, HasSubstr("refused"));

  // A malformed admin URI: the role is neither reader nor operator.
  const test::HttpReply root = Get(
      ca_.Issue(Spec("r", "URI:storeagent:admin:root:x", "clientAuth")), "/");
  EXPECT_EQ(root.status, 403);
  EXPECT_THAT(root.body, HasSubstr("neither reader nor operator"));
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(ReportHttpsTest, PlainHttpOnTheHttpsPortGetsNoAnswer) {
  const test::HttpReply r = test::PlainRequest(server_->port(), "GET", "/");
  EXPECT_EQ(r.status, 0) << r.raw;
  EXPECT_EQ(calls_.load(), 0);
}

TEST(ReportHttpsStartTest, BadTlsMaterialIsRefusedNamingTheKey) {
  TestCa ca("report test CA");
  const CertAndKey server =
      ca.Issue(Spec("localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"));
  ReportHttpOptions options;
  options.listen = "0.0.0.0:0";  // off loopback: fine over HTTPS
  options.tls = true;
  options.cert_pem = server.cert_pem;
  options.key_pem = server.key_pem;
  options.ca_pem = "not a certificate";
  auto provider = [](const v1::GetKpiReportRequest&,
                     v1::GetKpiReportResponse*) { return grpc::Status::OK; };
  Result<std::unique_ptr<ReportHttpServer>> s =
      ReportHttpServer::Start(options, provider);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("report.listen"));
  options.ca_pem = ca.cert_pem();
  s = ReportHttpServer::Start(options, provider);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  (*s)->Stop();
}

}  // namespace
}  // namespace storeagent::central
