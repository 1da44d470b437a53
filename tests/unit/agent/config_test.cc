// Tests of agent/config: every documented key, its default, and each bad
// value refused with a message that names the key.
#include "agent/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "platform/crypto.h"
#include "platform/seal.h"
#include "tests/support/temp_dir.h"

namespace storeagent::agent {
namespace {

using ::testing::HasSubstr;

constexpr char kOrigin[] = "agent.toml";
constexpr char kEnvKey[] = "STOREAGENT_LOYALTY_KEY";

// 32 bytes, as 64 hex digits.
constexpr char kKeyHex[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// The smallest config that is valid: a store id (everything else defaults).
std::string Minimal(const std::string& extra = "") {
  return "[store]\nid = \"store-0001\"\n" + extra;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// PEM SubjectPublicKeyInfo of a raw public key, as `openssl pkey -pubout`
// writes it.
std::string PublicKeyPem(int evp_type, const std::string& raw) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      evp_type, nullptr, reinterpret_cast<const unsigned char*>(raw.data()),
      raw.size());
  if (key == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (bio != nullptr && PEM_write_bio_PUBKEY(bio, key) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

// Keeps STOREAGENT_LOYALTY_KEY out of every test unless the test sets it,
// and restores the caller's value afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv(kEnvKey); v != nullptr) saved_env_ = v;
    ::unsetenv(kEnvKey);
  }
  void TearDown() override {
    if (saved_env_) {
      ::setenv(kEnvKey, saved_env_->c_str(), 1);
    } else {
      ::unsetenv(kEnvKey);
    }
  }

  static Result<AgentConfig> Parse(const std::string& text,
                                   bool load_secrets = true) {
    return ParseAgentConfig(text, kOrigin, load_secrets);
  }

  // Expects `text` refused as INVALID_ARGUMENT with a message naming the
  // origin and `key`.
  static void ExpectRefused(const std::string& text, const std::string& key) {
    Result<AgentConfig> c = Parse(text);
    ASSERT_FALSE(c.ok()) << "accepted:\n" << text;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr(kOrigin));
    EXPECT_THAT(c.status().message(), HasSubstr(key + ":")) << "for:\n" << text;
  }

  static void ExpectAccepted(const std::string& text) {
    Result<AgentConfig> c = Parse(text);
    EXPECT_TRUE(c.ok()) << c.status().ToString() << "\nfor:\n" << text;
  }

  testing::TempDir dir_;
  std::optional<std::string> saved_env_;
};

TEST_F(ConfigTest, DefaultsWhenAbsent) {
  Result<AgentConfig> c = Parse(Minimal());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store_id, "store-0001");
  EXPECT_EQ(c->data_dir, "/var/lib/storeagent");
  EXPECT_EQ(c->DatabasePath(), "/var/lib/storeagent/agent.db");
  EXPECT_EQ(c->read_threads, 2);
  EXPECT_EQ(c->max_batch, 1024);
  EXPECT_EQ(c->pos_socket, "/run/storeagent/pos.sock");
  EXPECT_EQ(c->pos_socket_mode, 0660u);
  EXPECT_EQ(c->pos_tcp_listen, "");
  EXPECT_EQ(c->max_message_bytes, 1 << 20);
  EXPECT_EQ(c->loyalty_key_file, "");
  EXPECT_EQ(c->loyalty_key, "");
  EXPECT_EQ(c->contact_public_key_file, "");
  EXPECT_EQ(c->contact_public_key, "");
  EXPECT_EQ(c->http_listen, "");
  EXPECT_TRUE(c->http_users.empty());
  EXPECT_EQ(c->hold_expiry_interval_s, 10);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_format, "text");
}

TEST_F(ConfigTest, EveryDocumentedKeyIsRead) {
  const std::string key_file = dir_.File("loyalty.key");
  WriteFile(key_file, std::string(kKeyHex) + "\n");
  Result<crypto::X25519KeyPair> pair = crypto::GenerateX25519KeyPair();
  ASSERT_TRUE(pair.ok());
  const std::string pem_file = dir_.File("contact.pem");
  const std::string pem = PublicKeyPem(EVP_PKEY_X25519, pair->public_key);
  ASSERT_FALSE(pem.empty());
  WriteFile(pem_file, pem);

  const std::string text =
      "[store]\n"
      "id = \"Store_12.a-b\"\n"
      "[storage]\n"
      "data_dir = \"/srv/agent\"\n"
      "read_threads = 7\n"
      "max_batch = 99\n"
      "[pos]\n"
      "socket = \"/tmp/x/pos.sock\"\n"
      "socket_mode = \"0640\"\n"
      "tcp_listen = \"127.0.0.1:7070\"\n"
      "max_message_bytes = 65536\n"
      "[loyalty]\n"
      "key_file = \"" +
      key_file +
      "\"\n"
      "contact_public_key_file = \"" +
      pem_file +
      "\"\n"
      "[http]\n"
      "listen = \"127.0.0.1:8080\"\n"
      "[[http.users]]\n"
      "name = \"ann\"\n"
      "role = \"manager\"\n"
      "token_sha256 = \"" +
      std::string(kKeyHex) +
      "\"\n"
      "[holds]\n"
      "expiry_interval_s = 30\n"
      "[retention]\n"
      "replay_window_days = 7\n"
      "prune_batch = 250\n"
      "prune_interval_s = 60\n"
      "prune_duty_percent = 25\n"
      "[log]\n"
      "level = \"debug\"\n"
      "format = \"json\"\n";
  Result<AgentConfig> c = Parse(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store_id, "Store_12.a-b");
  EXPECT_EQ(c->data_dir, "/srv/agent");
  EXPECT_EQ(c->DatabasePath(), "/srv/agent/agent.db");
  EXPECT_EQ(c->read_threads, 7);
  EXPECT_EQ(c->max_batch, 99);
  EXPECT_EQ(c->pos_socket, "/tmp/x/pos.sock");
  EXPECT_EQ(c->pos_socket_mode, 0640u);
  EXPECT_EQ(c->pos_tcp_listen, "127.0.0.1:7070");
  EXPECT_EQ(c->max_message_bytes, 65536);
  EXPECT_EQ(c->loyalty_key_file, key_file);
  EXPECT_EQ(crypto::ToHex(c->loyalty_key), kKeyHex);
  EXPECT_EQ(c->contact_public_key_file, pem_file);
  EXPECT_EQ(c->contact_public_key, pair->public_key);
  EXPECT_EQ(c->http_listen, "127.0.0.1:8080");
  ASSERT_EQ(c->http_users.size(), 1u);
  EXPECT_EQ(c->http_users[0].name, "ann");
  EXPECT_EQ(c->http_users[0].role, "manager");
  EXPECT_EQ(crypto::ToHex(c->http_users[0].token_sha256), kKeyHex);
  EXPECT_EQ(c->hold_expiry_interval_s, 30);
  EXPECT_EQ(c->replay_window_days, 7);
  EXPECT_EQ(c->prune_batch, 250);
  EXPECT_EQ(c->prune_interval_s, 60);
  EXPECT_EQ(c->prune_duty_percent, 25);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_format, "json");
}

TEST_F(ConfigTest, EveryLogLevelAndFormatIsAccepted) {
  for (const char* level : {"debug", "info", "warn", "error"}) {
    Result<AgentConfig> c =
        Parse(Minimal("[log]\nlevel = \"" + std::string(level) + "\"\n"));
    ASSERT_TRUE(c.ok()) << level << ": " << c.status().ToString();
    EXPECT_EQ(c->log_level, level);
  }
  for (const char* format : {"text", "json"}) {
    Result<AgentConfig> c =
        Parse(Minimal("[log]\nformat = \"" + std::string(format) + "\"\n"));
    ASSERT_TRUE(c.ok()) << format << ": " << c.status().ToString();
    EXPECT_EQ(c->log_format, format);
  }
}

TEST_F(ConfigTest, StoreIdIsRequiredAndChecked) {
  ExpectRefused("", "store.id");
  ExpectRefused("[store]\n", "store.id");
  ExpectRefused("[store]\nid = \"\"\n", "store.id");
  ExpectRefused("[store]\nid = 42\n", "store.id");
  ExpectRefused("[store]\nid = \"store 1\"\n", "store.id");
  ExpectRefused("[store]\nid = \"store/1\"\n", "store.id");
  // 1..64 characters: 64 accepted, 65 refused.
  ExpectAccepted("[store]\nid = \"" + std::string(64, 's') + "\"\n");
  ExpectRefused("[store]\nid = \"" + std::string(65, 's') + "\"\n", "store.id");
}

TEST_F(ConfigTest, IntegersAreCheckedAtTheirEdges) {
  struct Case {
    const char* table;
    const char* key;
    long long lo;
    long long hi;
  };
  const Case cases[] = {
      {"storage", "read_threads", 1, 16},
      {"storage", "max_batch", 1, 65536},
      {"pos", "max_message_bytes", 4096, 1 << 20},
      {"holds", "expiry_interval_s", 1, 3600},
      {"storage", "min_free_mib", 0, 1 << 20},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.table) + "." + c.key);
    const std::string dotted = std::string(c.table) + "." + c.key;
    auto with = [&](const std::string& value) {
      return Minimal("[" + std::string(c.table) + "]\n" + c.key + " = " +
                     value + "\n");
    };
    ExpectAccepted(with(std::to_string(c.lo)));
    ExpectAccepted(with(std::to_string(c.hi)));
    ExpectRefused(with(std::to_string(c.lo - 1)), dotted);
    ExpectRefused(with(std::to_string(c.hi + 1)), dotted);
    ExpectRefused(with("\"4\""), dotted);
    ExpectRefused(with("4.5"), dotted);
    ExpectRefused(with("true"), dotted);
  }
  Result<AgentConfig> c = Parse(Minimal("[storage]\nmax_batch = 65536\n"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_batch, 65536);
  c = Parse(Minimal("[pos]\nmax_message_bytes = 1048576\n"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_message_bytes, 1048576);
}

TEST_F(ConfigTest, OutOfRangeMessageSaysTheRange) {
  Result<AgentConfig> c = Parse(Minimal("[storage]\nread_threads = 17\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("storage.read_threads"));
  EXPECT_THAT(c.status().message(), HasSubstr("1..16"));
  EXPECT_THAT(c.status().message(), HasSubstr("17"));
}

TEST_F(ConfigTest, DataDirMustBeAbsolute) {
  ExpectRefused(Minimal("[storage]\ndata_dir = \"var/lib/storeagent\"\n"),
                "storage.data_dir");
  ExpectRefused(Minimal("[storage]\ndata_dir = \"./data\"\n"),
                "storage.data_dir");
  ExpectRefused(Minimal("[storage]\ndata_dir = \"\"\n"), "storage.data_dir");
  ExpectRefused(Minimal("[storage]\ndata_dir = 1\n"), "storage.data_dir");
}

TEST_F(ConfigTest, SocketMustBeAbsoluteAndShort) {
  ExpectRefused(Minimal("[pos]\nsocket = \"pos.sock\"\n"), "pos.socket");
  ExpectAccepted(
      Minimal("[pos]\nsocket = \"/" + std::string(99, 's') + "\"\n"));
  ExpectRefused(Minimal("[pos]\nsocket = \"/" + std::string(100, 's') + "\"\n"),
                "pos.socket");
}

TEST_F(ConfigTest, SocketOrTcpIsRequired) {
  ExpectRefused(Minimal("[pos]\nsocket = \"\"\n"), "pos.socket");
  Result<AgentConfig> c =
      Parse(Minimal("[pos]\nsocket = \"\"\ntcp_listen = \"127.0.0.1:0\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pos_socket, "");
  EXPECT_EQ(c->pos_tcp_listen, "127.0.0.1:0");
}

TEST_F(ConfigTest, SocketModeIsAnOctalString) {
  Result<AgentConfig> c = Parse(Minimal("[pos]\nsocket_mode = \"0600\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pos_socket_mode, 0600u);
  c = Parse(Minimal("[pos]\nsocket_mode = \"0777\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pos_socket_mode, 0777u);

  ExpectRefused(Minimal("[pos]\nsocket_mode = \"0689\"\n"), "pos.socket_mode");
  ExpectRefused(Minimal("[pos]\nsocket_mode = \"rw-rw----\"\n"),
                "pos.socket_mode");
  ExpectRefused(Minimal("[pos]\nsocket_mode = \"01000\"\n"), "pos.socket_mode");
  ExpectRefused(Minimal("[pos]\nsocket_mode = \"0660x\"\n"), "pos.socket_mode");
  ExpectRefused(Minimal("[pos]\nsocket_mode = 660\n"), "pos.socket_mode");
}

TEST_F(ConfigTest, TcpListenMustBeLoopback) {
  for (const char* ok :
       {"127.0.0.1:7070", "127.0.0.1:0", "[::1]:7070", "localhost:7070"}) {
    ExpectAccepted(
        Minimal("[pos]\ntcp_listen = \"" + std::string(ok) + "\"\n"));
  }
  for (const char* bad : {"0.0.0.0:7070", "10.1.2.3:7070", "[::]:7070",
                          "example.com:7070", ":7070"}) {
    SCOPED_TRACE(bad);
    ExpectRefused(Minimal("[pos]\ntcp_listen = \"" + std::string(bad) + "\"\n"),
                  "pos.tcp_listen");
  }
}

// A host name that merely starts with "127." would resolve through DNS to
// any address: only IP literals count as loopback.
TEST_F(ConfigTest, TcpListenHostNameStartingWith127IsRefused) {
  for (const char* bad : {"127.example.net:7070", "127.0.0.1.nip.io:7070"}) {
    SCOPED_TRACE(bad);
    ExpectRefused(Minimal("[pos]\ntcp_listen = \"" + std::string(bad) + "\"\n"),
                  "pos.tcp_listen");
  }
}

TEST_F(ConfigTest, HttpListenNeedsAPort) {
  Result<AgentConfig> c =
      Parse(Minimal("[http]\nlisten = \"127.0.0.1:8080\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http_listen, "127.0.0.1:8080");
  ExpectRefused(Minimal("[http]\nlisten = \"127.0.0.1\"\n"), "http.listen");
  ExpectRefused(Minimal("[http]\nlisten = 8080\n"), "http.listen");
}

TEST_F(ConfigTest, LogLevelAndFormatAreChecked) {
  ExpectRefused(Minimal("[log]\nlevel = \"verbose\"\n"), "log.level");
  ExpectRefused(Minimal("[log]\nlevel = \"INFO\"\n"), "log.level");
  ExpectRefused(Minimal("[log]\nlevel = \"\"\n"), "log.level");
  ExpectRefused(Minimal("[log]\nlevel = 1\n"), "log.level");
  ExpectRefused(Minimal("[log]\nformat = \"xml\"\n"), "log.format");
}

TEST_F(ConfigTest, UnknownTableIsRefusedByName) {
  ExpectRefused(Minimal("[bogus]\nurl = \"x\"\n"), "bogus");
  Result<AgentConfig> c = Parse(Minimal("[bogus]\nurl = \"x\"\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("unknown table"));
}

TEST_F(ConfigTest, SyncIsOffByDefaultAndReadWhenPresent) {
  Result<AgentConfig> off = Parse(Minimal());
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->sync_enabled());
  EXPECT_EQ(off->sync_window, 4);
  EXPECT_EQ(off->sync_max_batch_events, 500);
  EXPECT_EQ(off->sync_max_batch_bytes, 1 << 20);
  EXPECT_EQ(off->sync_digest_interval_s, 300);
  EXPECT_EQ(off->sync_digest_min_gap_ms, 10000);
  EXPECT_EQ(off->sync_stall_timeout_s, 60);
  EXPECT_EQ(off->sync_escrow_units, 2);
  EXPECT_EQ(off->sync_escrow_low_water, 0);
  EXPECT_EQ(off->sync_backoff_initial_ms, 1000);
  EXPECT_EQ(off->sync_backoff_max_ms, 120000);
  Result<AgentConfig> c = Parse(
      Minimal("[sync]\ncentral = \"central.example:7443\"\nca_file = \"/a\"\n"
              "cert_file = \"/b\"\nkey_file = \"/c\"\nserver_name = \"c1\"\n"
              "max_batch_events = 10000\nmax_batch_bytes = 4096\nwindow = 64\n"
              "digest_interval_s = 10\nstall_timeout_s = 5\nescrow_units = 0\n"
              "escrow_low_water = 3\nbackoff_initial_ms = 50\n"
              "backoff_max_ms = 500\ndigest_min_gap_ms = 250\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->sync_enabled());
  EXPECT_EQ(c->sync_central, "central.example:7443");
  EXPECT_EQ(c->sync_ca_file, "/a");
  EXPECT_EQ(c->sync_server_name, "c1");
  EXPECT_EQ(c->sync_max_batch_events, 10000);
  EXPECT_EQ(c->sync_max_batch_bytes, 4096);
  EXPECT_EQ(c->sync_window, 64);
  EXPECT_EQ(c->sync_escrow_units, 0);
  EXPECT_EQ(c->sync_escrow_low_water, 3);
  EXPECT_EQ(c->sync_backoff_initial_ms, 50);
  EXPECT_EQ(c->sync_backoff_max_ms, 500);
  EXPECT_EQ(c->sync_digest_interval_s, 10);
  EXPECT_EQ(c->sync_digest_min_gap_ms, 250);
  ExpectRefused(Minimal("[sync]\ncentral = \"127.0.0.1:7443\"\n"
                        "insecure = true\ndigest_min_gap_ms = 99\n"),
                "sync.digest_min_gap_ms");
}

TEST_F(ConfigTest, SyncProblemsNameTheKey) {
  const std::string tls =
      "ca_file = \"/a\"\ncert_file = \"/b\"\nkey_file = \"/c\"\n";
  ExpectRefused(Minimal("[sync]\nwindow = 4\n"), "sync.central");
  ExpectRefused(Minimal("[sync]\ncentral = \"nohost\"\n" + tls),
                "sync.central");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\n"), "sync.ca_file");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\nca_file = \"/a\"\n"),
                "sync.cert_file");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\ninsecure = true\n"),
                "sync.insecure");
  ExpectAccepted(
      Minimal("[sync]\ncentral = \"127.0.0.1:7443\"\ninsecure = true\n"));
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\ninsecure = 1\n"),
                "sync.insecure");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\n" + tls + "window = 0\n"),
                "sync.window");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\n" + tls + "window = 65\n"),
                "sync.window");
  ExpectRefused(
      Minimal("[sync]\ncentral = \"c:1\"\n" + tls + "escrow_units = -1\n"),
      "sync.escrow_units");
  ExpectRefused(
      Minimal("[sync]\ncentral = \"c:1\"\n" + tls + "max_batch_bytes = 4095\n"),
      "sync.max_batch_bytes");
  ExpectRefused(
      Minimal("[sync]\ncentral = \"c:1\"\n" + tls + "stall_timeout_s = 4\n"),
      "sync.stall_timeout_s");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\n" + tls +
                        "backoff_initial_ms = 49\n"),
                "sync.backoff_initial_ms");
  ExpectRefused(Minimal("[sync]\ncentral = \"c:1\"\n" + tls +
                        "backoff_initial_ms = 2000\nbackoff_max_ms = 1999\n"),
                "sync.backoff_max_ms");
  ExpectRefused(
      Minimal("[sync]\ncentral = \"c:1\"\n" + tls + "escrow_unit = 2\n"),
      "sync.escrow_unit");
}

TEST_F(ConfigTest, UnknownKeyIsRefusedByName) {
  Result<AgentConfig> c = Parse(Minimal("[storage]\nread_thread = 2\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("storage.read_thread"));
  EXPECT_THAT(c.status().message(), HasSubstr("unknown key"));
  ExpectRefused("[store]\nid = \"s\"\nname = \"x\"\n", "store.name");
  ExpectRefused(Minimal("[loyalty]\nkey = \"" + std::string(kKeyHex) + "\"\n"),
                "loyalty.key");
}

TEST_F(ConfigTest, TopLevelKeyIsNotATable) {
  ExpectRefused("id = \"s\"\n" + Minimal(), "id");
}

TEST_F(ConfigTest, SyntaxErrorNamesTheLine) {
  Result<AgentConfig> c =
      Parse("[store]\nid = \"s\"\n[storage]\nread_threads = = 3\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr(std::string(kOrigin) + ":4"));

  c = Parse("[store]\nid = \"unterminated\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr(std::string(kOrigin) + ":2"));
}

TEST_F(ConfigTest, LoyaltyKeyFromFile) {
  const std::string path = dir_.File("loyalty.key");
  // Upper case, trailing newline: both fine.
  WriteFile(path,
            "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEE"
            "FF\r\n");
  Result<AgentConfig> c =
      Parse(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->loyalty_key.size(), 32u);
  EXPECT_EQ(crypto::ToHex(c->loyalty_key), kKeyHex);

  // Longer keys are fine (>= 32 bytes).
  WriteFile(path, std::string(kKeyHex) + "0102");
  c = Parse(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->loyalty_key.size(), 34u);
}

TEST_F(ConfigTest, LoyaltyKeyOf31BytesIsRefused) {
  const std::string path = dir_.File("loyalty.key");
  WriteFile(path, std::string(kKeyHex).substr(0, 62) + "\n");
  ExpectRefused(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"),
                "loyalty.key_file");
}

TEST_F(ConfigTest, LoyaltyKeyFileProblemsNameTheKey) {
  const std::string path = dir_.File("loyalty.key");
  WriteFile(path, std::string(kKeyHex).substr(0, 63) + "g\n");
  ExpectRefused(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"),
                "loyalty.key_file");
  WriteFile(path, std::string(kKeyHex).substr(0, 63) + "\n");  // odd length
  ExpectRefused(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"),
                "loyalty.key_file");
  ExpectRefused(
      Minimal("[loyalty]\nkey_file = \"" + dir_.File("missing.key") + "\"\n"),
      "loyalty.key_file");
}

TEST_F(ConfigTest, KeyFilesAreNotReadWithoutLoadSecrets) {
  Result<AgentConfig> c =
      Parse(Minimal("[loyalty]\nkey_file = \"" + dir_.File("missing.key") +
                    "\"\ncontact_public_key_file = \"" +
                    dir_.File("missing.pem") + "\"\n"),
            /*load_secrets=*/false);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->loyalty_key_file, dir_.File("missing.key"));
  EXPECT_EQ(c->loyalty_key, "");
  EXPECT_EQ(c->contact_public_key, "");
}

TEST_F(ConfigTest, EnvironmentOverridesTheLoyaltyKeyFile) {
  const std::string path = dir_.File("loyalty.key");
  WriteFile(path, std::string(kKeyHex) + "\n");
  const std::string env_hex(64, 'a');
  ASSERT_EQ(::setenv(kEnvKey, env_hex.c_str(), 1), 0);
  Result<AgentConfig> c =
      Parse(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(crypto::ToHex(c->loyalty_key), env_hex);

  // Without any key_file as well.
  c = Parse(Minimal());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(crypto::ToHex(c->loyalty_key), env_hex);

  // A short key from the environment is refused like one from the file.
  ASSERT_EQ(::setenv(kEnvKey, std::string(62, 'a').c_str(), 1), 0);
  Result<AgentConfig> short_key = Parse(Minimal());
  ASSERT_FALSE(short_key.ok());
  EXPECT_THAT(short_key.status().message(), HasSubstr("at least 32 bytes"));

  // Unset: the file again.
  ASSERT_EQ(::unsetenv(kEnvKey), 0);
  c = Parse(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(crypto::ToHex(c->loyalty_key), kKeyHex);

  // Set but empty counts as unset.
  ASSERT_EQ(::setenv(kEnvKey, "", 1), 0);
  c = Parse(Minimal("[loyalty]\nkey_file = \"" + path + "\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(crypto::ToHex(c->loyalty_key), kKeyHex);
}

TEST_F(ConfigTest, ContactPublicKeyFromPem) {
  Result<crypto::X25519KeyPair> pair = crypto::GenerateX25519KeyPair();
  ASSERT_TRUE(pair.ok());
  const std::string pem = PublicKeyPem(EVP_PKEY_X25519, pair->public_key);
  ASSERT_THAT(pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
  const std::string path = dir_.File("contact.pem");
  WriteFile(path, pem);
  Result<AgentConfig> c =
      Parse(Minimal("[loyalty]\ncontact_public_key_file = \"" + path + "\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->contact_public_key.size(), crypto::kX25519KeyBytes);
  EXPECT_EQ(c->contact_public_key, pair->public_key);
  // A contact key alone does not make a loyalty key.
  EXPECT_EQ(c->loyalty_key, "");
}

TEST_F(ConfigTest, ContactPublicKeyProblemsNameTheKey) {
  const std::string key = "loyalty.contact_public_key_file";
  const std::string path = dir_.File("contact.pem");
  const std::string text =
      Minimal("[loyalty]\ncontact_public_key_file = \"" + path + "\"\n");
  // Missing file.
  ExpectRefused(text, key);
  // Not PEM.
  WriteFile(path, "not a key\n");
  ExpectRefused(text, key);
  // A key of another algorithm (Ed25519).
  const std::string ed =
      PublicKeyPem(EVP_PKEY_ED25519, std::string(32, '\x11'));
  ASSERT_FALSE(ed.empty());
  WriteFile(path, ed);
  ExpectRefused(text, key);
}

TEST_F(ConfigTest, LoadAgentConfigNamesTheFile) {
  const std::string path = dir_.File("agent.toml");
  WriteFile(path, Minimal("[storage]\nread_threads = 0\n"));
  Result<AgentConfig> c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr(path));
  EXPECT_THAT(c.status().message(), HasSubstr("storage.read_threads"));

  WriteFile(path, Minimal("[storage]\nread_threads = 3\n"));
  c = LoadAgentConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->read_threads, 3);

  c = LoadAgentConfig(dir_.File("absent.toml"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("absent.toml"));
}

}  // namespace
}  // namespace storeagent::agent
