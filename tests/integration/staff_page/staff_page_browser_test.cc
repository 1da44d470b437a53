// The staff page in a real browser: the agent and the staff HTTP server in
// this process, headless Chromium driven by staff_page.mjs (playwright-core)
// as a child process. The script logs in, scans a GTIN, reads the figures
// and why available differs from on hand, and picks and collects an order
// whose line shows the product's name; afterwards the ledger must show the
// hold COLLECTED and the stock handed over. It runs on a desktop-sized
// window with head office connected (no banner) and on a 360x740 phone with
// head office last reached 3 h 12 min ago (the banner says so, and nothing
// is wider than the screen).
//
// Needs /usr/bin/chromium, node and npm (scripts/install-deps). Their
// absence is a failure, not a skip. playwright-core comes from
// package-lock.json: `npm ci` runs in the script's folder when its
// node_modules is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "platform/clock.h"
#include "tests/integration/staff_page/https_client.h"
#include "tests/integration/staff_page/node_runner.h"
#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent::test {
namespace {

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kScriptDir[] = STAFF_PAGE_SCRIPT_DIR;
constexpr char kOrder[] = "WEB-77001";
constexpr char kSku[] = "SKU-KETTLE";
constexpr int kScriptTimeoutS = 150;

constexpr char kName[] = "Electric kettle 1.7 l";

// `viewport` "WxH"; `banner` the text the head-office banner must show,
// "" for none (head office connected); `https`: the server speaks HTTPS
// with a dev-ca certificate, and Chromium accepts that one key only.
void RunScenario(const std::string& viewport, const std::string& banner,
                 bool https) {
  ASSERT_TRUE(std::filesystem::exists(kChromium))
      << kChromium << " is missing: run scripts/install-deps (Debian chromium)";
  const std::string node = Which("node");
  ASSERT_FALSE(node.empty()) << "node is missing: run scripts/install-deps";
  const std::string npm = NpmCiIfStale(kScriptDir);
  ASSERT_EQ(npm, "");

  StaffEnv env;
  testing::TempDir tls_dir;
  std::string spki;
  if (https) {
    ASSERT_TRUE(DevCa("init " + tls_dir.path() + " >/dev/null") &&
                DevCa("central " + tls_dir.path() + " >/dev/null"));
    const std::string cert = tls_dir.File("central.pem");
    ASSERT_EQ(RunShell("openssl x509 -in " + ShellQuote(cert) +
                           " -pubkey -noout | openssl pkey -pubin -outform der"
                           " | openssl dgst -sha256 -binary | base64",
                       &spki),
              0)
        << spki;
    while (!spki.empty() && (spki.back() == '\n' || spki.back() == '\r')) {
      spki.pop_back();
    }
    env.clock().Set(SystemClock().NowMicros());  // the certificate is new
    env.mutable_config().http_tls_cert_file = cert;
    env.mutable_config().http_tls_key_file = tls_dir.File("central.key");
  }
  ASSERT_TRUE(env.Start().ok());
  const std::string gtin = WithGs1CheckDigit("590123412345");
  v1::Product kettle;
  kettle.set_sku(kSku);
  kettle.set_name(kName);
  kettle.set_safety_stock(1);
  kettle.add_gtins(gtin);
  kettle.set_department("appliances");
  kettle.mutable_price()->set_minor_units(3499);
  kettle.mutable_price()->set_currency("EUR");
  ASSERT_TRUE(env.ImportCatalog({kettle}).ok());
  ASSERT_TRUE(env.Receive(kSku, 12, "delivery-1").ok());
  Result<v1::PlaceHoldResponse> hold = env.PlaceHold(kOrder, {{kSku, 2}});
  ASSERT_TRUE(hold.ok() && hold->granted()) << hold.status().ToString();
  const int64_t now = env.clock().NowMicros();
  env.agent().sync_health().Update([&](SyncHealthSnapshot& h) {
    h.enabled = true;
    h.connected = banner.empty();
    h.last_exchange_us = banner.empty() ? now : now - (3 * 60 + 12) * kUsPerMin;
  });

  std::string command =
      "timeout " + std::to_string(kScriptTimeoutS) + " " + ShellQuote(node) +
      " " + ShellQuote(std::string(kScriptDir) + "/staff_page.mjs") +
      " --url " +
      ShellQuote(std::string(https ? "https" : "http") +
                 "://127.0.0.1:" + std::to_string(env.port())) +
      " --token " + ShellQuote(kStaffToken) + " --gtin " + ShellQuote(gtin) +
      " --order " + ShellQuote(kOrder) + " --name " + ShellQuote(kName) +
      " --viewport " + ShellQuote(viewport) + " --chromium " +
      ShellQuote(kChromium);
  if (!banner.empty()) command += " --banner " + ShellQuote(banner);
  if (https) command += " --spki " + ShellQuote(spki);
  if (const char* dir = std::getenv("STOREAGENT_STAFF_SCREENSHOTS")) {
    command += " --screenshot " + ShellQuote(dir);
  }
  std::string out;
  int rc = RunShell(command, &out);
  EXPECT_EQ(rc, 0) << "staff_page.mjs failed (exit " << rc << "):\n" << out;
  std::printf("%s", out.c_str());

  // The journal and ledger agree with what the page showed.
  Result<v1::GetHoldResponse> after = env.GetHold(kOrder);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->hold().state(), v1::HOLD_STATE_COLLECTED);
  Result<v1::SkuAvailability> figures = env.Availability(kSku);
  ASSERT_TRUE(figures.ok()) << figures.status().ToString();
  EXPECT_EQ(figures->on_hand(), 10);
  EXPECT_EQ(figures->held(), 0);
  EXPECT_EQ(figures->available(), 9);  // safety stock 1
}

TEST(StaffPageBrowserTest, StaffScansPicksAndCollectsAnOrder) {
  RunScenario("1100x800", "", false);
}

// The phone talks to the server over HTTPS, as on the store LAN.
TEST(StaffPageBrowserTest, OnAPhoneNothingScrollsSidewaysAndTheBannerShows) {
  RunScenario("360x740", "Head office last reached 3 h 12 min ago", true);
}

}  // namespace
}  // namespace storeagent::agent::test
