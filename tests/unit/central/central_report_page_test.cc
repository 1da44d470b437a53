// The report page as storecentrald starts it (CentralServer with
// report.listen): off unless set, served from the running server with the
// report from CentralServer's provider, refused off loopback without
// report.tls, and stopped with the server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "central/server/central_server.h"
#include "central/server/kpi_report.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central/fake_agent.h"
#include "tests/unit/central/report_http_client.h"

namespace storeagent::central {
namespace {

using testing::CentralFixture;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CentralReportPageTest, OffUnlessReportListenIsSet) {
  CentralFixture central;
  central.Start();
  EXPECT_EQ(central.server().report_port(), 0);
}

TEST(CentralReportPageTest, ServedOnReportListenWithTheServersReport) {
  CentralFixture central;
  CentralConfig c = CentralFixture::DefaultConfig();
  c.report_listen = "127.0.0.1:0";
  central.Start(c);
  const int port = central.server().report_port();
  ASSERT_GT(port, 0);
  const test::HttpReply page = test::PlainRequest(port, "GET", "/");
  EXPECT_EQ(page.status, 200) << page.raw;
  EXPECT_THAT(page.body, HasSubstr("Store KPIs"));
  // The report comes from the server's provider: the fleet's report as
  // CentralAdminService.GetKpiReport computes it (the same clock, so the
  // same report), and a bad parameter is refused before it is asked.
  const test::HttpReply api = test::PlainRequest(port, "GET", "/api/kpi");
  ASSERT_EQ(api.status, 200) << api.raw;
  const nlohmann::json j = nlohmann::json::parse(api.body);
  EXPECT_EQ(j["scope"], "fleet");
  v1::GetKpiReportResponse expected;
  ASSERT_TRUE(ComputeKpiReport(central.server().store(), {},
                               central.clock().NowMicros(), &expected)
                  .ok());
  ASSERT_EQ(j["kpis"].size(), static_cast<size_t>(expected.kpis_size()));
  for (int i = 0; i < expected.kpis_size(); ++i) {
    EXPECT_EQ(j["kpis"][i]["name"], expected.kpis(i).name());
  }
  ASSERT_EQ(j["weeks"].size(), static_cast<size_t>(expected.weeks_size()));
  EXPECT_EQ(j["weeks"][0], expected.weeks(0));
  EXPECT_EQ(test::PlainRequest(port, "GET", "/api/kpi?weeks=99").status, 400);
  central.server().Shutdown(0);
  EXPECT_EQ(test::PlainRequest(port, "GET", "/").status, 0);
}

TEST(CentralReportPageTest, PlainHttpOffLoopbackDoesNotStart) {
  storeagent::testing::TempDir dir;
  CentralConfig c = CentralFixture::DefaultConfig();
  c.store_url = "sqlite:" + dir.File("central.db");
  c.report_listen = "0.0.0.0:0";
  FakeClock clock;
  Result<std::unique_ptr<CentralServer>> s = CentralServer::Start(c, clock);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), StartsWith("report.listen: "));
  EXPECT_THAT(s.status().message(), HasSubstr("not loopback"));
}

}  // namespace
}  // namespace storeagent::central
