// storeagentd serving the staff page over HTTPS as an operator runs it:
// `--check-config` checks the pair (exit 2 naming the file), the daemon
// serves the configured certificate, a SIGHUP after the certificate was
// renewed in place serves the new one (compared by serial), and a SIGHUP
// with a key that is not the certificate's is refused with a log line
// naming the file while the old pair is still served; a pair unusable at
// start (or plain HTTP on the LAN) turns only the page off.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "platform/tls.h"
#include "tests/integration/staff_page/https_client.h"
#include "tests/integration/staff_page/staff_test_env.h"
#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace storeagent::agent::test {
namespace {

using storeagent::testing::AgentProcess;
using ::testing::HasSubstr;

// The `nth` log line with `event=EVENT` (and `also`), waiting up to 10 s.
std::string WaitForLogLine(const std::string& log, const std::string& event,
                           const std::string& also = "", int nth = 1) {
  for (int i = 0; i < 500; ++i) {
    std::istringstream in(storeagent::testing::ReadText(log));
    int seen = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find("event=" + event + " ") != std::string::npos &&
          line.find(also) != std::string::npos && ++seen == nth) {
        return line;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "";
}

int PortOf(const std::string& line) {
  const size_t at = line.find(" port=");
  return at == std::string::npos ? 0 : std::atoi(line.c_str() + at + 6);
}

TEST(HttpsDaemonTest, CheckConfigNamesABadPair) {
  storeagent::testing::TempDir dir;
  const std::string a = dir.File("a"), b = dir.File("b");
  ASSERT_TRUE(DevCa("init " + a + " >/dev/null") &&
              DevCa("central " + a + " >/dev/null") &&
              DevCa("init " + b + " >/dev/null") &&
              DevCa("central " + b + " >/dev/null"));
  AgentProcess good(dir.path(), "store-0001",
                    "[http]\nlisten = \"127.0.0.1:0\"\ntls_cert_file = \"" + a +
                        "/central.pem\"\ntls_key_file = \"" + a +
                        "/central.key\"\n");
  const std::string agentd = AgentProcess::BinDir() + "/storeagentd";
  storeagent::testing::RunResult ok = storeagent::testing::RunProgram(
      {agentd, "--check-config", "-c", good.config_path()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  storeagent::testing::TempDir dir2;
  AgentProcess bad(dir2.path(), "store-0001",
                   "[http]\nlisten = \"127.0.0.1:0\"\ntls_cert_file = \"" + a +
                       "/central.pem\"\ntls_key_file = \"" + b +
                       "/central.key\"\n");
  storeagent::testing::RunResult refused = storeagent::testing::RunProgram(
      {agentd, "--check-config", "-c", bad.config_path()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("http.tls_key_file: " + b +
                                     "/central.key is not the private key of " +
                                     a + "/central.pem"));
}

TEST(HttpsDaemonTest, SighupServesTheRenewedCertificateAndKeepsItOnABadOne) {
  storeagent::testing::TempDir dir;
  const std::string tls_dir = dir.File("tls"), other = dir.File("other");
  ASSERT_TRUE(DevCa("init " + tls_dir + " >/dev/null") &&
              DevCa("central " + tls_dir + " >/dev/null") &&
              DevCa("init " + other + " >/dev/null") &&
              DevCa("central " + other + " >/dev/null"));
  const std::string cert = tls_dir + "/central.pem";
  const std::string key = tls_dir + "/central.key";
  const std::string ca = tls_dir + "/ca.pem";
  AgentProcess agent(dir.path(), "store-0001",
                     "[http]\nlisten = \"127.0.0.1:0\"\ntls_cert_file = \"" +
                         cert + "\"\ntls_key_file = \"" + key + "\"\n");
  ASSERT_TRUE(agent.Start()) << storeagent::testing::ReadText(agent.log_path());
  const std::string started = WaitForLogLine(agent.log_path(), "http.started");
  EXPECT_THAT(started, HasSubstr("scheme=https"));
  const int port = PortOf(started);
  ASSERT_GT(port, 0) << started;
  const std::string first = SerialOf(cert);
  HttpsReply before = HttpsGet(port, ca, "/healthz");
  ASSERT_EQ(before.status, 200) << before.error;
  EXPECT_EQ(before.served_serial, first);

  // Renewed in place: same paths, new certificate and key.
  ASSERT_TRUE(DevCa("central " + tls_dir + " --force >/dev/null"));
  const std::string renewed = SerialOf(cert);
  ASSERT_NE(renewed, first);
  ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
  const std::string reloaded =
      WaitForLogLine(agent.log_path(), "http.tls_reloaded");
  ASSERT_NE(reloaded, "") << storeagent::testing::ReadText(agent.log_path());
  EXPECT_THAT(reloaded, HasSubstr("cert_serial=" + renewed));
  HttpsReply after = HttpsGet(port, ca, "/healthz");
  ASSERT_EQ(after.status, 200) << after.error;
  EXPECT_EQ(after.served_serial, renewed);

  // A key that is not the certificate's: refused naming the file; the
  // renewed pair is still served.
  storeagent::testing::WriteText(
      key, storeagent::testing::ReadText(other + "/central.key"));
  ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
  const std::string failed =
      WaitForLogLine(agent.log_path(), "http.tls_reload_failed");
  ASSERT_NE(failed, "") << storeagent::testing::ReadText(agent.log_path());
  EXPECT_THAT(failed, HasSubstr("http.tls_key_file: " + key +
                                " is not the private key of " + cert));
  HttpsReply kept = HttpsGet(port, ca, "/healthz");
  ASSERT_EQ(kept.status, 200) << kept.error;
  EXPECT_EQ(kept.served_serial, renewed);
  EXPECT_EQ(agent.Terminate(), 0);
}

// The value of the sample `name` (with its labels, e.g.
// `x{use="staff"}`) in an exposition, or -1 when absent.
double Sample(const std::string& exposition, const std::string& name) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) {
      return std::atof(line.c_str() + name.size() + 1);
    }
  }
  return -1;
}

// A certificate that expired overnight, or a 0.2 configuration serving plain
// HTTP on the store LAN, must not keep a till from starting: the agent
// serves the POS, the staff page is off and says why (log, metric), and a
// SIGHUP with good files starts the page.
TEST(HttpsDaemonTest, AnUnusablePairTurnsOnlyThePageOffUntilSighup) {
  storeagent::testing::TempDir dir;
  const std::string tls_dir = dir.File("tls");
  ASSERT_TRUE(DevCa("init " + tls_dir + " >/dev/null") &&
              DevCa("central " + tls_dir + " >/dev/null") &&
              DevCa("store " + tls_dir + " old --expired >/dev/null"));
  const std::string cert = dir.File("staff.pem");
  const std::string key = dir.File("staff.key");
  storeagent::testing::WriteText(
      cert, storeagent::testing::ReadText(tls_dir + "/store-old.pem"));
  storeagent::testing::WriteText(
      key, storeagent::testing::ReadText(tls_dir + "/store-old.key"));
  AgentProcess agent(dir.path(), "store-0001",
                     "[http]\nlisten = \"127.0.0.1:0\"\ntls_cert_file = \"" +
                         cert + "\"\ntls_key_file = \"" + key +
                         "\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n");
  const std::string agentd = AgentProcess::BinDir() + "/storeagentd";
  storeagent::testing::RunResult check = storeagent::testing::RunProgram(
      {agentd, "--check-config", "-c", agent.config_path()});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_THAT(check.err, HasSubstr("http.tls_cert_file: " + cert +
                                   ": certificate expired at"));

  ASSERT_TRUE(agent.Start()) << storeagent::testing::ReadText(agent.log_path());
  const std::string disabled =
      WaitForLogLine(agent.log_path(), "http.disabled");
  EXPECT_THAT(disabled, HasSubstr("certificate expired at"));
  EXPECT_THAT(disabled, HasSubstr(cert));
  const int metrics_port =
      PortOf(WaitForLogLine(agent.log_path(), "metrics.started"));
  ASSERT_GT(metrics_port, 0);
  {
    HttpClient client(metrics_port);
    HttpReply off = client.Send("GET", "/metrics");
    ASSERT_EQ(off.status, 200) << off.error;
    EXPECT_EQ(Sample(off.body, "storeagent_staff_page_off"), 1);
    EXPECT_EQ(Sample(off.body,
                     "storeagent_tls_cert_not_after_timestamp_seconds{use="
                     "\"staff\"}"),
              -1);
  }

  // Renewed: the page starts at the SIGHUP, over HTTPS.
  storeagent::testing::WriteText(
      cert, storeagent::testing::ReadText(tls_dir + "/central.pem"));
  storeagent::testing::WriteText(
      key, storeagent::testing::ReadText(tls_dir + "/central.key"));
  ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
  const std::string started = WaitForLogLine(agent.log_path(), "http.started");
  ASSERT_NE(started, "") << storeagent::testing::ReadText(agent.log_path());
  EXPECT_THAT(started, HasSubstr("scheme=https"));
  HttpsReply page = HttpsGet(PortOf(started), tls_dir + "/ca.pem", "/healthz");
  EXPECT_EQ(page.status, 200) << page.error;
  HttpClient client(metrics_port);
  HttpReply on = client.Send("GET", "/metrics");
  ASSERT_EQ(on.status, 200) << on.error;
  EXPECT_EQ(Sample(on.body, "storeagent_staff_page_off"), 0);
  Result<tls::CertificateInfo> leaf = tls::InspectCertificate(
      storeagent::testing::ReadText(tls_dir + "/central.pem"));
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(Sample(on.body,
                   "storeagent_tls_cert_not_after_timestamp_seconds{use="
                   "\"staff\"}"),
            static_cast<double>(leaf->not_after_us / 1000000));
  EXPECT_EQ(agent.Terminate(), 0);
}

// A 0.2 agent.toml with the page on a LAN address over plain HTTP: the
// agent starts (the POS is served), the page is off naming http.listen.
TEST(HttpsDaemonTest, PlainHttpOnTheLanTurnsThePageOffNotTheAgent) {
  storeagent::testing::TempDir dir;
  AgentProcess agent(dir.path(), "store-0001",
                     "[http]\nlisten = \"192.0.2.10:8080\"\n");
  ASSERT_TRUE(agent.Start()) << storeagent::testing::ReadText(agent.log_path());
  const std::string disabled =
      WaitForLogLine(agent.log_path(), "http.disabled");
  EXPECT_THAT(disabled,
              HasSubstr("http.listen: 192.0.2.10:8080 is not a loopback"));
  EXPECT_THAT(WaitForLogLine(agent.log_path(), "agent.started"),
              HasSubstr("unusable"));
  EXPECT_EQ(agent.Terminate(), 0);
}

}  // namespace
}  // namespace storeagent::agent::test
