// Head office's KPI report page in a real browser: ReportHttpServer in this
// process on loopback, its reports from a fixed five-store fake
// (fake_kpi_report.h), and headless Chromium driven by report_page.mjs
// (playwright-core) as a child process. The script reads every figure the
// page shows for the fleet and for one store, and the stores' ranking, and
// checks each equals the API's JSON; nothing may be wider than the screen
// at 1280 px or on a 390 px phone. Screenshots of both views at both widths
// go to REPORT_PAGE_SCREENSHOT_DIR (or $STOREAGENT_REPORT_SCREENSHOTS); the
// script prints their paths.
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
#include "tests/integration/report_page/fake_kpi_report.h"
#include "tests/integration/staff_page/node_runner.h"

namespace storeagent::central::test {
namespace {

using agent::test::NpmCiIfMissing;
using agent::test::RunShell;
using agent::test::ShellQuote;
using agent::test::Which;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kScriptDir[] = REPORT_PAGE_SCRIPT_DIR;
constexpr int kScriptTimeoutS = 150;

void RunPage(const std::string& viewport) {
  ASSERT_TRUE(std::filesystem::exists(kChromium))
      << kChromium << " is missing: run scripts/install-deps (Debian chromium)";
  const std::string node = Which("node");
  ASSERT_FALSE(node.empty()) << "node is missing: run scripts/install-deps";
  ASSERT_EQ(NpmCiIfMissing(kScriptDir, "playwright-core"), "");

  ReportHttpOptions options;
  options.listen = "127.0.0.1:0";
  Result<std::unique_ptr<ReportHttpServer>> server =
      ReportHttpServer::Start(options, FakeKpiReport);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  const char* env_dir = std::getenv("STOREAGENT_REPORT_SCREENSHOTS");
  const std::string shots = env_dir ? env_dir : REPORT_PAGE_SCREENSHOT_DIR;
  std::filesystem::create_directories(shots);
  const std::string command =
      "timeout " + std::to_string(kScriptTimeoutS) + " " + ShellQuote(node) +
      " " + ShellQuote(std::string(kScriptDir) + "/report_page.mjs") +
      " --url " +
      ShellQuote("http://127.0.0.1:" + std::to_string((*server)->port())) +
      " --store S-002 --viewport " + ShellQuote(viewport) + " --chromium " +
      ShellQuote(kChromium) + " --screenshot " + ShellQuote(shots);
  std::string out;
  const int rc = RunShell(command, &out);
  std::printf("%s", out.c_str());
  EXPECT_EQ(rc, 0) << "report_page.mjs failed (exit " << rc << "):\n" << out;
  (*server)->Stop();
}

TEST(ReportPageBrowserTest, TheFiguresOnADesktopEqualTheApis) {
  RunPage("1280x900");
}

TEST(ReportPageBrowserTest, OnAPhoneTheFiguresEqualTheApisAndNothingIsWider) {
  RunPage("390x844");
}

}  // namespace
}  // namespace storeagent::central::test
