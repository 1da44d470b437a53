// Why a sync connection fails, as the agent tells it (#15): a real
// storeagentd against a real storecentrald with a mismatched CA on each
// side, and a server name central's certificate does not carry. Instead
// of gRPC's "Socket closed (gRPC code 14)", `storeagentctl sync status`
// says who refused whose certificate (the probe of agent/sync/tls_probe.h).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "tests/integration/sync/sync_env.h"
#include "tests/support/run_program.h"

namespace storeagent::testing {
namespace {

class SyncTlsWhyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tls_ = dir_.path() + "/tls";
    other_ = dir_.path() + "/other-ca";
    ASSERT_TRUE(DevCa("init " + tls_));
    ASSERT_TRUE(DevCa("central " + tls_));
    ASSERT_TRUE(DevCa("store " + tls_ + " store-0001"));
    ASSERT_TRUE(DevCa("init " + other_));
  }

  // Central with its own certificate from tls_, trusting clients of
  // `client_ca_dir`'s CA.
  void StartCentral(const std::string& client_ca_dir) {
    const std::string dir = dir_.path() + "/central-tls";
    std::filesystem::create_directories(dir);
    namespace fs = std::filesystem;
    const auto opt = fs::copy_options::overwrite_existing;
    fs::copy_file(tls_ + "/central.pem", dir + "/central.pem", opt);
    fs::copy_file(tls_ + "/central.key", dir + "/central.key", opt);
    fs::copy_file(client_ca_dir + "/ca.pem", dir + "/ca.pem", opt);
    CentralOptions o;
    o.tls_dir = dir;
    ::mkdir((dir_.path() + "/central").c_str(), 0755);
    central_ = std::make_unique<CentralProcess>(dir_.path() + "/central", o);
    ASSERT_TRUE(central_->Start()) << central_->log_path();
  }

  // The agent for store-0001 with its certificate from tls_, trusting
  // `ca_dir`'s CA for central, expecting `server_name`.
  void StartAgent(const std::string& ca_dir, const std::string& server_name) {
    const std::string cert = tls_ + "/store-store-0001";
    const std::string toml =
        "[sync]\ncentral = \"" + central_->sync_address() + "\"\nca_file = \"" +
        ca_dir + "/ca.pem\"\ncert_file = \"" + cert + ".pem\"\nkey_file = \"" +
        cert + ".key\"\nserver_name = \"" + server_name + "\"\n";
    ::mkdir((dir_.path() + "/agent").c_str(), 0755);
    agent_ = std::make_unique<AgentProcess>(dir_.path() + "/agent",
                                            "store-0001", toml);
    ASSERT_TRUE(agent_->Start()) << agent_->log_path();
  }

  // The sync status lines once their last error says `want` (at most 30
  // s), else the last output seen.
  std::string StatusSaying(const std::string& want) {
    std::string out;
    WaitFor(
        [&] {
          RunResult r =
              RunProgram({AgentProcess::BinDir() + "/storeagentctl", "--config",
                          agent_->config_path(), "sync", "status"});
          out = r.out + r.err;
          return out.find(want) != std::string::npos;
        },
        std::chrono::seconds(30));
    return out;
  }

  TempDir dir_;
  std::string tls_;
  std::string other_;
  std::unique_ptr<CentralProcess> central_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(SyncTlsWhyTest, CentralRefusedOurCertificate) {
  StartCentral(other_);  // trusts another CA than the store's
  StartAgent(tls_, "localhost");
  const std::string out = StatusSaying("central refused our certificate");
  EXPECT_NE(out.find("last error      central refused our certificate"),
            std::string::npos)
      << out;
  // Not gRPC's "Socket closed (gRPC code 14)" alone.
  EXPECT_EQ(out.find("last error      stream ended"), std::string::npos) << out;
}

TEST_F(SyncTlsWhyTest, WeRefusedCentralsCertificate) {
  StartCentral(tls_);
  StartAgent(other_, "localhost");  // trusts another CA than central's
  const std::string out = StatusSaying("we refused central's certificate");
  EXPECT_NE(out.find("does not verify against sync.ca_file"), std::string::npos)
      << out;
}

TEST_F(SyncTlsWhyTest, CentralsCertificateDoesNotNameTheHost) {
  StartCentral(tls_);
  StartAgent(tls_, "wrong.example");
  const std::string out =
      StatusSaying("central's certificate does not name wrong.example");
  EXPECT_NE(out.find("DNS:localhost"), std::string::npos) << out;
}

}  // namespace
}  // namespace storeagent::testing
