// Head office's KPI report page in a real browser: ReportHttpServer in this
// process on loopback, its reports from a fixed five-store fake
// (fake_kpi_report.h), and headless Chromium driven by report_page.mjs
// (playwright-core) as a child process. The script reads every figure the
// page shows for the fleet and for one store, and the stores' ranking, and
// checks each equals the API's JSON; nothing may be wider than the screen
// at 1280 px or on a 390 px phone. Over HTTPS with admin certificates
// (report.tls) a reader's browser sees the same and a till's is refused.
// Screenshots of both views at both widths go to REPORT_PAGE_SCREENSHOT_DIR (or
// $STOREAGENT_REPORT_SCREENSHOTS); the script prints their paths.
//
// Needs /usr/bin/chromium, node and npm (scripts/install-deps): their
// absence is a failure, not a skip. playwright-core comes from
// package-lock.json: `npm ci` runs in the script's folder when its
// node_modules is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "central/server/report_http.h"
#include "platform/fs.h"
#include "tests/integration/report_page/fake_kpi_report.h"
#include "tests/integration/staff_page/node_runner.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace storeagent::central::test {
namespace {

using agent::test::NpmCiIfStale;
using agent::test::RunShell;
using agent::test::ShellQuote;
using agent::test::Which;
using storeagent::testing::CertAndKey;
using storeagent::testing::CertSpec;
using storeagent::testing::NowSeconds;
using storeagent::testing::TestCa;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kScriptDir[] = REPORT_PAGE_SCRIPT_DIR;
constexpr int kScriptTimeoutS = 150;

// The client certificate the browser presents, as files.
struct ClientFiles {
  std::string cert;
  std::string key;
};

// Runs report_page.mjs against `server` with `extra` arguments; its exit
// status, its output printed.
int RunScript(const ReportHttpServer& server, bool https,
              const std::string& extra, std::string* out) {
  const std::string command =
      "timeout " + std::to_string(kScriptTimeoutS) + " " +
      ShellQuote(Which("node")) + " " +
      ShellQuote(std::string(kScriptDir) + "/report_page.mjs") + " --url " +
      ShellQuote(std::string(https ? "https" : "http") +
                 "://127.0.0.1:" + std::to_string(server.port())) +
      " --store S-002 --chromium " + ShellQuote(kChromium) + " " + extra;
  const int rc = RunShell(command, out);
  std::printf("%s", out->c_str());
  return rc;
}

class ReportPageBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kChromium))
        << kChromium
        << " is missing: run scripts/install-deps (Debian chromium)";
    ASSERT_FALSE(Which("node").empty())
        << "node is missing: run scripts/install-deps";
    ASSERT_EQ(NpmCiIfStale(kScriptDir), "");
  }

  // Plain HTTP on loopback, screenshots at `viewport` ("WxH").
  void RunPlain(const std::string& viewport) {
    ReportHttpOptions options;
    options.listen = "127.0.0.1:0";
    Result<std::unique_ptr<ReportHttpServer>> server =
        ReportHttpServer::Start(options, FakeKpiReport);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    const char* env_dir = std::getenv("STOREAGENT_REPORT_SCREENSHOTS");
    const std::string shots = env_dir ? env_dir : REPORT_PAGE_SCREENSHOT_DIR;
    std::filesystem::create_directories(shots);
    std::string out;
    const int rc = RunScript(**server, false,
                             "--viewport " + ShellQuote(viewport) +
                                 " --screenshot " + ShellQuote(shots),
                             &out);
    EXPECT_EQ(rc, 0) << "report_page.mjs failed (exit " << rc << "):\n" << out;
    (*server)->Stop();
  }

  // Writes `c` to the temp dir as NAME.pem / NAME.key.
  ClientFiles Write(const CertAndKey& c, const std::string& name) {
    ClientFiles f{dir_.File(name + ".pem"), dir_.File(name + ".key")};
    EXPECT_TRUE(fs::WriteFileDurably(f.cert, c.cert_pem, 0600).ok());
    EXPECT_TRUE(fs::WriteFileDurably(f.key, c.key_pem, 0600).ok());
    return f;
  }

  storeagent::testing::TempDir dir_;
};

CertSpec Spec(const std::string& cn, const std::string& san,
              const std::string& eku) {
  CertSpec s;
  s.cn = cn;
  s.san = san;
  s.eku = eku;
  s.not_before_s = NowSeconds() - 86400;
  s.not_after_s = NowSeconds() + 30 * 86400;
  return s;
}

TEST_F(ReportPageBrowserTest, TheFiguresOnADesktopEqualTheApis) {
  RunPlain("1280x900");
}

TEST_F(ReportPageBrowserTest, OnAPhoneTheFiguresEqualTheApisAndNothingIsWider) {
  RunPlain("390x844");
}

// Over HTTPS (report.tls) the browser with a reader's certificate sees the
// same page and figures; with a till's certificate it is refused, and the
// page it shows says why.
TEST_F(ReportPageBrowserTest, OverHttpsAReaderSeesItAndATillIsRefused) {
  TestCa ca("report page test CA");
  const CertAndKey server_pair =
      ca.Issue(Spec("localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"));
  ReportHttpOptions options;
  options.listen = "127.0.0.1:0";
  options.tls = true;
  options.cert_pem = server_pair.cert_pem;
  options.key_pem = server_pair.key_pem;
  options.ca_pem = ca.cert_pem();
  Result<std::unique_ptr<ReportHttpServer>> server =
      ReportHttpServer::Start(options, FakeKpiReport);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  const ClientFiles reader = Write(
      ca.Issue(Spec("rita", "URI:storeagent:admin:reader:rita", "clientAuth")),
      "reader");
  std::string out;
  int rc =
      RunScript(**server, true,
                "--viewport 1280x900 --client-cert " + ShellQuote(reader.cert) +
                    " --client-key " + ShellQuote(reader.key),
                &out);
  EXPECT_EQ(rc, 0) << "report_page.mjs as a reader (exit " << rc << "):\n"
                   << out;

  const ClientFiles till =
      Write(ca.Issue(Spec("S-001", "URI:storeagent:store:S-001", "clientAuth")),
            "till");
  rc = RunScript(**server, true,
                 "--client-cert " + ShellQuote(till.cert) + " --client-key " +
                     ShellQuote(till.key) + " --expect-denied " +
                     ShellQuote("store certificates may not use the report "
                                "page"),
                 &out);
  EXPECT_EQ(rc, 0) << "report_page.mjs as a till (exit " << rc << "):\n" << out;
  (*server)->Stop();
}

}  // namespace
}  // namespace storeagent::central::test
