// storeagentd serving the staff page over HTTPS as an operator runs it:
// `--check-config` checks the pair (exit 2 naming the file), the daemon
// serves the configured certificate, a SIGHUP after the certificate was
// renewed in place serves the new one (compared by serial), and a SIGHUP
// with a key that is not the certificate's is refused with a log line
// naming the file while the old pair is still served.
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
#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace storeagent::agent::test {
namespace {

using storeagent::testing::AgentProcess;
using ::testing::HasSubstr;

std::string SerialOf(const std::string& pem_file) {
  Result<std::string> pem = tls::LoadPem(pem_file);
  if (!pem.ok()) return "";
  Result<tls::CertificateInfo> info = tls::InspectCertificate(*pem);
  return info.ok() ? info->serial_hex : "";
}

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
      WaitForLogLine(agent.log_path(), "agent.reload_failed");
  ASSERT_NE(failed, "") << storeagent::testing::ReadText(agent.log_path());
  EXPECT_THAT(failed, HasSubstr("http.tls_key_file: " + key +
                                " is not the private key of " + cert));
  HttpsReply kept = HttpsGet(port, ca, "/healthz");
  ASSERT_EQ(kept.status, 200) << kept.error;
  EXPECT_EQ(kept.served_serial, renewed);
  EXPECT_EQ(agent.Terminate(), 0);
}

}  // namespace
}  // namespace storeagent::agent::test
