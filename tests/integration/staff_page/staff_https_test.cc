// The staff server over HTTPS, in this process: certificates from
// installer/dev-ca (a test CA, a server certificate for 127.0.0.1), a TLS
// client that trusts only that CA. HTTPS answers with the configured
// certificate; plain HTTP on the HTTPS port gets no HTTP answer; a client
// that does not trust the CA fails the handshake; ReloadTls serves a new
// certificate to new connections and refuses a bad pair, naming the file,
// keeping the old one; plain HTTP off loopback is refused at start; the
// config checks (both files, key match, validity, loopback) name the key
// and the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "agent/config.h"
#include "agent/http/https_files.h"
#include "platform/clock.h"
#include "platform/tls.h"
#include "tests/integration/staff_page/https_client.h"
#include "tests/integration/staff_page/staff_test_env.h"
#include "tests/support/text_file.h"

namespace storeagent::agent::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class StaffHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_dir_ = dir_.File("ca");
    other_dir_ = dir_.File("other");
    ASSERT_TRUE(DevCa("init " + ca_dir_ + " >/dev/null"));
    ASSERT_TRUE(DevCa("central " + ca_dir_ + " >/dev/null"));
    ASSERT_TRUE(DevCa("init " + other_dir_ + " >/dev/null"));
    ASSERT_TRUE(DevCa("central " + other_dir_ + " >/dev/null"));
    cert_ = ca_dir_ + "/central.pem";
    key_ = ca_dir_ + "/central.key";
  }

  // Starts `env` serving HTTPS with cert_/key_ (at the real time: the
  // certificates were made now).
  void StartHttps(StaffEnv& env) {
    env.clock().Set(SystemClock().NowMicros());
    env.mutable_config().http_tls_cert_file = cert_;
    env.mutable_config().http_tls_key_file = key_;
    Status s = env.Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(env.http().https());
  }

  std::string ConfigToml(const std::string& http) {
    return "[store]\nid = \"store-1\"\n[storage]\ndata_dir = \"" +
           dir_.File("data") + "\"\n[pos]\nsocket = \"" +
           dir_.File("pos.sock") + "\"\n[http]\n" + http;
  }

  testing::TempDir dir_;
  std::string ca_dir_, other_dir_, cert_, key_;
};

TEST_F(StaffHttpsTest, ServesTheConfiguredCertificateOverHttps) {
  StaffEnv env;
  StartHttps(env);
  HttpsReply r =
      HttpsGet(env.port(), ca_dir_ + "/ca.pem", "/api/v1/whoami", kStaffToken);
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_THAT(r.body, HasSubstr("\"name\":\"ana\""));
  EXPECT_EQ(r.served_serial, SerialOf(cert_));
  EXPECT_FALSE(r.served_serial.empty());
  HttpsReply health = HttpsGet(env.port(), ca_dir_ + "/ca.pem", "/healthz");
  EXPECT_EQ(health.status, 200) << health.error;
}

TEST_F(StaffHttpsTest, PlainHttpAndUntrustedClientsGetNoAnswer) {
  StaffEnv env;
  StartHttps(env);
  bool closed = false;
  const std::string raw = HttpClient::Raw(
      env.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
  EXPECT_EQ(raw.find("HTTP/1.1 200"), std::string::npos) << raw;
  EXPECT_TRUE(closed);
  // A client that trusts another CA refuses the server's certificate.
  HttpsReply r = HttpsGet(env.port(), other_dir_ + "/ca.pem", "/healthz");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, StartsWith("handshake"));
}

TEST_F(StaffHttpsTest, ReloadServesTheNewPairAndRefusesABadOne) {
  StaffEnv env;
  StartHttps(env);
  const std::string ca = ca_dir_ + "/ca.pem";
  const std::string first = HttpsGet(env.port(), ca, "/healthz").served_serial;
  ASSERT_EQ(first, SerialOf(cert_));

  // Renewed in place (same paths, new serial).
  ASSERT_TRUE(DevCa("central " + ca_dir_ + " --force >/dev/null"));
  const std::string renewed = SerialOf(cert_);
  ASSERT_NE(renewed, first);
  ASSERT_TRUE(env.http().ReloadTls(cert_, key_).ok());
  EXPECT_EQ(HttpsGet(env.port(), ca, "/healthz").served_serial, renewed);

  // The key of another certificate: refused, naming the key file.
  Status bad = env.http().ReloadTls(cert_, other_dir_ + "/central.key");
  EXPECT_EQ(bad.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(bad.message(), StartsWith("http.tls_key_file: " + other_dir_ +
                                        "/central.key is not the private key"));
  // Not PEM at all: refused, naming the certificate file.
  const std::string junk = dir_.File("junk.pem");
  testing::WriteText(junk, "not a certificate\n");
  Status junk_status = env.http().ReloadTls(junk, key_);
  EXPECT_THAT(junk_status.message(), StartsWith("http.tls_cert_file: " + junk));
  // Still the renewed pair.
  HttpsReply after = HttpsGet(env.port(), ca, "/healthz");
  EXPECT_EQ(after.status, 200) << after.error;
  EXPECT_EQ(after.served_serial, renewed);
}

TEST_F(StaffHttpsTest, PlainHttpOffLoopbackIsRefusedAtStart) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());  // the agent; its own HTTP on loopback
  AgentConfig config = env.config();
  config.http_listen = "0.0.0.0:0";
  Result<std::unique_ptr<StaffHttpServer>> s =
      StaffHttpServer::Start(config, env.ops(), env.clock());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), StartsWith("http.listen: 0.0.0.0:0 is not "
                                               "a loopback address"));
}

// Parsing takes a LAN address without TLS (a 0.2 configuration must not
// stop a till from starting); CheckStaffHttps, run by --check-config and by
// the start before the page listens, refuses it naming http.listen.
TEST_F(StaffHttpsTest, CheckRefusesPlainOffLoopbackNamingHttpListen) {
  const int64_t now = SystemClock().NowMicros();
  Result<AgentConfig> lan = ParseAgentConfig(
      ConfigToml("listen = \"10.20.0.5:8080\"\n"), "agent.toml", false);
  ASSERT_TRUE(lan.ok()) << lan.status().ToString();
  Status refused = CheckStaffHttps(*lan, now);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.message(),
              HasSubstr("http.listen: 10.20.0.5:8080 is not a loopback"));
  EXPECT_FALSE(CheckStartFiles(*lan, now).ok());
  // Loopback stays plain HTTP (the demo and the tests).
  for (const char* listen : {"127.0.0.1:8080", "localhost:8080"}) {
    Result<AgentConfig> local = ParseAgentConfig(
        ConfigToml("listen = \"" + std::string(listen) + "\"\n"), "agent.toml",
        false);
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    EXPECT_TRUE(CheckStaffHttps(*local, now).ok()) << listen;
  }
  // One file without the other is a mistake in the file itself.
  Result<AgentConfig> half = ParseAgentConfig(
      ConfigToml("listen = \"10.20.0.5:8080\"\ntls_cert_file = \"" + cert_ +
                 "\"\n"),
      "agent.toml", false);
  ASSERT_FALSE(half.ok());
  EXPECT_THAT(half.status().message(),
              HasSubstr("http.tls_key_file: required"));
  // Both: HTTPS on the LAN address, and the pair passes.
  Result<AgentConfig> https = ParseAgentConfig(
      ConfigToml("listen = \"10.20.0.5:8080\"\ntls_cert_file = \"" + cert_ +
                 "\"\ntls_key_file = \"" + key_ + "\"\n"),
      "agent.toml", true);
  ASSERT_TRUE(https.ok()) << https.status().ToString();
  EXPECT_EQ(https->http_tls_cert_file, cert_);
  EXPECT_EQ(https->http_tls_key_file, key_);
  EXPECT_TRUE(CheckStaffHttps(*https, now).ok());
}

TEST_F(StaffHttpsTest, CheckRefusesABadPairNamingTheFile) {
  const int64_t now = SystemClock().NowMicros();
  auto check = [&](const std::string& cert, const std::string& key) {
    Result<AgentConfig> c = ParseAgentConfig(
        ConfigToml("listen = \"127.0.0.1:8443\"\ntls_cert_file = \"" + cert +
                   "\"\ntls_key_file = \"" + key + "\"\n"),
        "agent.toml", true);
    // Parsing never reads the pair: a bad one cannot stop a start.
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? CheckStaffHttps(*c, now) : c.status();
  };
  Status mismatch = check(cert_, other_dir_ + "/central.key");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(mismatch.message(),
              HasSubstr("http.tls_key_file: " + other_dir_ +
                        "/central.key is not the private key of " + cert_));
  Status missing = check(dir_.File("nope.pem"), key_);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.message(), HasSubstr("http.tls_cert_file: "));
  EXPECT_THAT(missing.message(), HasSubstr(dir_.File("nope.pem")));
  // Expired: dev-ca makes one a day in the past.
  ASSERT_TRUE(DevCa("store " + ca_dir_ + " old --expired >/dev/null"));
  Status expired =
      check(ca_dir_ + "/store-old.pem", ca_dir_ + "/store-old.key");
  ASSERT_FALSE(expired.ok());
  EXPECT_THAT(expired.message(),
              HasSubstr("http.tls_cert_file: " + ca_dir_ +
                        "/store-old.pem: certificate expired at"));
  EXPECT_TRUE(check(cert_, key_).ok());
}

}  // namespace
}  // namespace storeagent::agent::test
