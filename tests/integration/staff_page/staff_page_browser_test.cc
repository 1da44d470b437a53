// The staff page in a real browser: the agent and the staff HTTP server in
// this process, headless Chromium driven by staff_page.mjs (playwright-core)
// as a child process. The script logs in, scans a GTIN, reads the figures
// and picks and collects an order; afterwards the ledger must show the hold
// COLLECTED and the stock handed over.
//
// Needs /usr/bin/chromium, node and npm (scripts/install-deps). Their
// absence is a failure, not a skip. playwright-core comes from
// package-lock.json: `npm ci` runs in the script's folder when its
// node_modules is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent::test {
namespace {

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kScriptDir[] = STAFF_PAGE_SCRIPT_DIR;
constexpr char kOrder[] = "WEB-77001";
constexpr char kSku[] = "SKU-KETTLE";
constexpr int kScriptTimeoutS = 150;
constexpr int kNpmTimeoutS = 240;

// Single-quoted for /bin/sh.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `command` under /bin/sh with its output captured; the exit status.
int RunShell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string Which(const std::string& program) {
  std::string out;
  if (RunShell("command -v " + program, &out) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

TEST(StaffPageBrowserTest, StaffScansPicksAndCollectsAnOrder) {
  ASSERT_TRUE(std::filesystem::exists(kChromium))
      << kChromium << " is missing: run scripts/install-deps (Debian chromium)";
  const std::string node = Which("node");
  ASSERT_FALSE(node.empty()) << "node is missing: run scripts/install-deps";
  std::string out;
  if (!std::filesystem::exists(std::string(kScriptDir) +
                               "/node_modules/playwright-core/package.json")) {
    const std::string npm = Which("npm");
    ASSERT_FALSE(npm.empty()) << "npm is missing: run scripts/install-deps";
    int rc = RunShell("cd " + Quote(kScriptDir) + " && timeout " +
                          std::to_string(kNpmTimeoutS) + " " + Quote(npm) +
                          " ci --no-audit --no-fund",
                      &out);
    ASSERT_EQ(rc, 0) << "npm ci failed in " << kScriptDir << ":\n" << out;
  }

  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  const std::string gtin = WithGs1CheckDigit("590123412345");
  v1::Product kettle;
  kettle.set_sku(kSku);
  kettle.set_name("Electric kettle 1.7 l");
  kettle.add_gtins(gtin);
  kettle.set_department("appliances");
  kettle.mutable_price()->set_minor_units(3499);
  kettle.mutable_price()->set_currency("EUR");
  ASSERT_TRUE(env.ImportCatalog({kettle}).ok());
  ASSERT_TRUE(env.Receive(kSku, 12, "delivery-1").ok());
  Result<v1::PlaceHoldReply> hold = env.PlaceHold(kOrder, {{kSku, 2}});
  ASSERT_TRUE(hold.ok() && hold->granted()) << hold.status().ToString();

  std::string command =
      "timeout " + std::to_string(kScriptTimeoutS) + " " + Quote(node) + " " +
      Quote(std::string(kScriptDir) + "/staff_page.mjs") + " --url " +
      Quote("http://127.0.0.1:" + std::to_string(env.port())) + " --token " +
      Quote(kStaffToken) + " --gtin " + Quote(gtin) + " --order " +
      Quote(kOrder) + " --chromium " + Quote(kChromium);
  if (const char* dir = std::getenv("STOREAGENT_STAFF_SCREENSHOTS")) {
    command += " --screenshot " + Quote(dir);
  }
  int rc = RunShell(command, &out);
  EXPECT_EQ(rc, 0) << "staff_page.mjs failed (exit " << rc << "):\n" << out;
  std::printf("%s", out.c_str());

  // The journal and ledger agree with what the page showed.
  Result<v1::HoldReply> after = env.GetHold(kOrder);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->hold().state(), v1::HOLD_STATE_COLLECTED);
  Result<v1::SkuAvailability> figures = env.Availability(kSku);
  ASSERT_TRUE(figures.ok()) << figures.status().ToString();
  EXPECT_EQ(figures->on_hand(), 10);
  EXPECT_EQ(figures->held(), 0);
  EXPECT_EQ(figures->available(), 10);
}

}  // namespace
}  // namespace storeagent::agent::test
