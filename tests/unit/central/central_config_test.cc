// storecentrald's TOML config: defaults, limits at their edges, unknown keys
// and TLS rules, each error naming the key.
#include "central/server/central_config.h"

#include <gtest/gtest.h>

#include "platform/fs.h"
#include "tests/support/temp_dir.h"

namespace storeagent::central {
namespace {

void ExpectRefused(const std::string& toml, const std::string& key) {
  Result<CentralConfig> c = ParseCentralConfig(toml, "t.toml");
  ASSERT_FALSE(c.ok()) << toml;
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("t.toml: " + key), std::string::npos)
      << c.status().message();
}

TEST(CentralConfigTest, InsecureDefaults) {
  Result<CentralConfig> c =
      ParseCentralConfig("[tls]\ninsecure = true\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store_url, "sqlite:/var/lib/storecentral/central.db");
  EXPECT_EQ(c->admin_listen, "127.0.0.1:7444");
  EXPECT_EQ(c->digest_buckets, 64u);
  EXPECT_EQ(c->max_batch_events, 500u);
  EXPECT_TRUE(c->insecure);
  EXPECT_EQ(c->metrics_listen, "");  // off
}

TEST(CentralConfigTest, MetricsListen) {
  const std::string base = "[tls]\ninsecure = true\n[metrics]\n";
  Result<CentralConfig> c =
      ParseCentralConfig(base + "listen = \"127.0.0.1:9472\"\n", "t");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9472");
  EXPECT_TRUE(ParseCentralConfig(base + "listen = \"[::]:0\"\n", "t").ok());
  ExpectRefused(base + "listen = \"localhost:9472\"\n", "metrics.listen");
  ExpectRefused(base + "listen = \"127.0.0.1:70000\"\n", "metrics.listen");
  ExpectRefused(base + "listen = \"127.0.0.1\"\n", "metrics.listen");
  ExpectRefused(base + "port = 9472\n", "metrics.port");
}

// Removing old events waits for the export to the head-office feed: the
// key is off by default and refused when set.
TEST(CentralConfigTest, RetentionIsOffAndRefusedWhenTurnedOn) {
  const std::string base = "[tls]\ninsecure = true\n[retention]\n";
  Result<CentralConfig> c = ParseCentralConfig(base, "t");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->retention_delete_events);
  EXPECT_EQ(c->retention_max_age_days, 400u);
  c = ParseCentralConfig(base + "delete_events = false\nmax_age_days = 30\n",
                         "t");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->retention_max_age_days, 30u);
  ExpectRefused(base + "delete_events = true\n", "retention.delete_events");
  Result<CentralConfig> on =
      ParseCentralConfig(base + "delete_events = true\n", "t.toml");
  ASSERT_FALSE(on.ok());
  EXPECT_NE(on.status().message().find("consumers' cursors"), std::string::npos)
      << on.status().message();
  ExpectRefused(base + "max_age_days = 0\n", "retention.max_age_days");
}

TEST(CentralConfigTest, TlsIsRequiredUnlessInsecureIsExplicit) {
  ExpectRefused("", "tls.ca_file");
  ExpectRefused("[tls]\ninsecure = false\n", "tls.ca_file");
  ExpectRefused("[tls]\ninsecure = true\ncert_file = \"/x\"\n", "tls.insecure");
}

TEST(CentralConfigTest, ReadsTheTlsFiles) {
  testing::TempDir dir;
  const std::string pem = "-----BEGIN X-----\nAA==\n-----END X-----\n";
  for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) {
    ASSERT_TRUE(fs::WriteFileDurably(dir.File(f), pem, 0600).ok());
  }
  Result<CentralConfig> c =
      ParseCentralConfig("[tls]\nca_file = \"" + dir.File("ca.pem") +
                             "\"\ncert_file = \"" + dir.File("cert.pem") +
                             "\"\nkey_file = \"" + dir.File("key.pem") + "\"\n",
                         "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ca_pem, pem);
  ExpectRefused("[tls]\nca_file = \"" + dir.File("missing.pem") +
                    "\"\ncert_file = \"" + dir.File("cert.pem") +
                    "\"\nkey_file = \"" + dir.File("key.pem") + "\"\n",
                "tls.ca_file");
}

TEST(CentralConfigTest, UnknownKeysAndTablesAreRefused) {
  ExpectRefused("[tls]\ninsecure = true\n[sync]\nwindoww = 3\n",
                "sync.windoww");
  ExpectRefused("[tls]\ninsecure = true\n[agent]\nx = 1\n", "agent");
}

TEST(CentralConfigTest, LimitsAtTheirEdges) {
  const std::string base = "[tls]\ninsecure = true\n[sync]\n";
  EXPECT_TRUE(ParseCentralConfig(base + "digest_buckets = 4096\n", "t").ok());
  ExpectRefused(base + "digest_buckets = 4097\n", "sync.digest_buckets");
  ExpectRefused(base + "digest_buckets = 0\n", "sync.digest_buckets");
  EXPECT_TRUE(
      ParseCentralConfig(base + "max_batch_events = 10000\n", "t").ok());
  ExpectRefused(base + "max_batch_events = 10001\n", "sync.max_batch_events");
  ExpectRefused(base + "window = 65\n", "sync.window");
  ExpectRefused(base + "min_keepalive_s = \"20\"\n", "sync.min_keepalive_s");
}

TEST(CentralConfigTest, AdminOffLoopbackNeedsTls) {
  ExpectRefused("[tls]\ninsecure = true\n[admin]\nlisten = \"0.0.0.0:7444\"\n",
                "admin.listen");
  EXPECT_TRUE(ParseCentralConfig("[tls]\ninsecure = true\n[admin]\nlisten = "
                                 "\"[::1]:7444\"\n",
                                 "t")
                  .ok());
}

// The report page: off by default; plain HTTP on loopback only, as the
// admin API; report.tls needs the [tls] files.
TEST(CentralConfigTest, ReportPageListenAndTls) {
  const std::string base = "[tls]\ninsecure = true\n[report]\n";
  Result<CentralConfig> off = ParseCentralConfig(base, "t");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->report_listen, "");
  EXPECT_FALSE(off->report_tls);
  Result<CentralConfig> on =
      ParseCentralConfig(base + "listen = \"127.0.0.1:9443\"\n", "t");
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->report_listen, "127.0.0.1:9443");
  EXPECT_TRUE(ParseCentralConfig(base + "listen = \"[::1]:0\"\n", "t").ok());
  ExpectRefused(base + "listen = \"0.0.0.0:9443\"\n", "report.listen");
  ExpectRefused(base + "listen = \"192.0.2.7:9443\"\n", "report.listen");
  ExpectRefused(base + "listen = \"127.0.0.1\"\n", "report.listen");
  ExpectRefused(base + "listen = \"reports.example:9443\"\n", "report.listen");
  ExpectRefused(base + "listen = \"127.0.0.1:9443\"\ntls = true\n",
                "report.tls");
  ExpectRefused(base + "tls = 1\n", "report.tls");
  Result<CentralConfig> lan =
      ParseCentralConfig(base + "listen = \"0.0.0.0:9443\"\n", "t.toml");
  ASSERT_FALSE(lan.ok());
  EXPECT_NE(lan.status().message().find("set report.tls = true"),
            std::string::npos)
      << lan.status().message();

  testing::TempDir dir;
  const std::string pem = "-----BEGIN X-----\nAA==\n-----END X-----\n";
  for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) {
    ASSERT_TRUE(fs::WriteFileDurably(dir.File(f), pem, 0600).ok());
  }
  const std::string tls = "[tls]\nca_file = \"" + dir.File("ca.pem") +
                          "\"\ncert_file = \"" + dir.File("cert.pem") +
                          "\"\nkey_file = \"" + dir.File("key.pem") + "\"\n";
  Result<CentralConfig> https = ParseCentralConfig(
      tls + "[report]\nlisten = \"0.0.0.0:9443\"\ntls = true\n", "t");
  ASSERT_TRUE(https.ok()) << https.status().ToString();
  EXPECT_TRUE(https->report_tls);
  EXPECT_EQ(https->report_listen, "0.0.0.0:9443");
}

TEST(CentralConfigTest, StoreUrl) {
  const std::string base = "[tls]\ninsecure = true\n[store]\n";
  EXPECT_TRUE(
      ParseCentralConfig(
          base + "url = \"postgresql://central@db:5432/central\"\n", "t")
          .ok());
  ExpectRefused(base + "url = \"sqlite:relative.db\"\n", "store.url");
  ExpectRefused(base + "url = \"mysql://x\"\n", "store.url");
}

}  // namespace
}  // namespace storeagent::central
