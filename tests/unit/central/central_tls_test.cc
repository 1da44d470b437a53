// The sync port's mutual TLS: the store id comes from the client
// certificate (URI SAN storeagent:store:<id>, else the CN), a Hello naming
// another store is refused, and certificates central's CA did not sign are
// refused by the TLS layer. Certificates are made here with the openssl CLI.
#include <gtest/gtest.h>

#include "core/journal_chain.h"
#include "platform/fs.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

using storeagent::testing::RunProgram;
using storeagent::testing::RunResult;
using storeagent::testing::TempDir;

// RunProgram execs a path, not a name looked up in PATH.
constexpr const char* kOpenssl = "/usr/bin/openssl";

class Pki {
 public:
  // A CA named `ca` in `dir`.
  Pki(const TempDir& dir, const std::string& ca) : dir_(dir), ca_(ca) {
    Run({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Path(ca, "key"),
         "-out", Path(ca, "pem"), "-days", "2", "-subj", "/CN=" + ca});
  }

  // A leaf certificate signed by the CA, with extension lines `ext`.
  void Issue(const std::string& name, const std::string& cn,
             const std::string& ext) {
    Write(Path(name, "ext"), "basicConstraints=CA:FALSE\n" + ext);
    Run({kOpenssl, "req", "-new", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Path(name, "key"),
         "-out", Path(name, "csr"), "-subj", "/CN=" + cn});
    Run({kOpenssl, "x509", "-req", "-in", Path(name, "csr"), "-CA",
         Path(ca_, "pem"), "-CAkey", Path(ca_, "key"), "-set_serial",
         std::to_string(++serial_), "-days", "2", "-out", Path(name, "pem"),
         "-extfile", Path(name, "ext")});
  }

  std::string Pem(const std::string& name, const std::string& kind) const {
    Result<std::string> r = fs::ReadFile(Path(name, kind));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "";
  }
  std::string Path(const std::string& name, const std::string& kind) const {
    return dir_.File(name + "." + kind);
  }

 private:
  static void Run(const std::vector<std::string>& argv) {
    RunResult r = RunProgram(argv, 60000);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void Write(const std::string& path, const std::string& text) {
    ASSERT_TRUE(fs::WriteFileDurably(path, text, 0600).ok());
  }

  const TempDir& dir_;
  std::string ca_;
  int serial_ = 1;
};

class CentralTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_.Issue("server", "localhost",
               "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    pki_.Issue("store-1", "ignored-cn",
               "subjectAltName=URI:storeagent:store:store-1\n");
    pki_.Issue("cn-only", "store-7", "");
    CentralConfig c = CentralFixture::DefaultConfig();
    c.insecure = false;
    c.ca_pem = pki_.Pem("ca", "pem");
    c.cert_pem = pki_.Pem("server", "pem");
    c.key_pem = pki_.Pem("server", "key");
    central_.Start(c);
  }

  std::shared_ptr<grpc::Channel> Channel(const Pki& pki,
                                         const std::string& client) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = pki_.Pem("ca", "pem");
    if (!client.empty()) {
      o.pem_private_key = pki.Pem(client, "key");
      o.pem_cert_chain = pki.Pem(client, "pem");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(central_.server().sync_port()),
        grpc::SslCredentials(o), args);
  }

  TempDir dir_;
  Pki pki_{dir_, "ca"};
  CentralFixture central_;
};

TEST_F(CentralTlsTest, StoreFromUriSanIsWelcomed) {
  AgentStream s(Channel(pki_, "store-1"));
  std::optional<v1::Welcome> w = s.Hello("store-1", 0, core::GenesisHash());
  EXPECT_TRUE(w.has_value()) << s.Finish().error_message();
}

TEST_F(CentralTlsTest, HelloNamingAnotherStoreIsRefused) {
  AgentStream s(Channel(pki_, "store-1"));
  EXPECT_FALSE(s.Hello("store-2", 0, core::GenesisHash()).has_value());
  grpc::Status st = s.Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(st.error_message().find("store-1"), std::string::npos)
      << st.error_message();
  EXPECT_NE(st.error_message().find("store-2"), std::string::npos)
      << st.error_message();
}

TEST_F(CentralTlsTest, CommonNameNamesTheStoreWithoutUriSan) {
  AgentStream s(Channel(pki_, "cn-only"));
  EXPECT_TRUE(s.Hello("store-7", 0, core::GenesisHash()).has_value())
      << s.Finish().error_message();
}

TEST_F(CentralTlsTest, NoClientCertificateIsRefusedByTls) {
  AgentStream s(Channel(pki_, ""));
  EXPECT_FALSE(s.Hello("store-1", 0, core::GenesisHash()).has_value());
  EXPECT_EQ(s.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(CentralTlsTest, CertificateOfAnotherCaIsRefusedByTls) {
  TempDir other_dir;
  Pki other(other_dir, "other-ca");
  other.Issue("store-1", "store-1",
              "subjectAltName=URI:storeagent:store:store-1\n");
  AgentStream s(Channel(other, "store-1"));
  EXPECT_FALSE(s.Hello("store-1", 0, core::GenesisHash()).has_value());
  EXPECT_EQ(s.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace storeagent::central::testing
