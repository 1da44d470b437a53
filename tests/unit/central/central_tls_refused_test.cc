// A client certificate central refuses at the handshake is one
// tls.handshake_refused warn line naming it, and one count in
// storecentral_tls_handshakes_refused_total{listener,reason}
// (central/server/mutual_tls.h): a real CentralServer on loopback and gRPC
// clients with an expired store certificate (sync port) and another CA's
// admin certificate (admin port with admin.tls); a valid certificate still
// syncs and counts nothing. Each channel makes one connection: no retry,
// no reconnect during the test, no subchannel shared with another.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "core/journal_chain.h"
#include "platform/tls.h"
#include "tests/support/stderr_capture.h"
#include "tests/support/test_certs.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

using storeagent::testing::CaptureStderr;
using storeagent::testing::CertAndKey;
using storeagent::testing::CertSpec;
using storeagent::testing::NowSeconds;
using storeagent::testing::TestCa;

using storeagent::testing::kDay;
constexpr char kFamily[] = "storecentral_tls_handshakes_refused_total";

CertSpec Spec(const std::string& cn, const std::string& san,
              const std::string& eku) {
  CertSpec s;
  s.cn = cn;
  s.san = san;
  s.eku = eku;
  s.not_before_s = NowSeconds() - kDay;
  s.not_after_s = NowSeconds() + 30 * kDay;
  return s;
}

// The lines of `log` that are tls.handshake_refused events.
std::vector<std::string> RefusalLines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("event=tls.handshake_refused") != std::string::npos) {
      out.push_back(line);
    }
  }
  return out;
}

// The sample line of the family for `listener` and `reason`.
std::string Sample(const std::string& listener, const std::string& reason,
                   int value) {
  return std::string(kFamily) + "{listener=\"" + listener + "\",reason=\"" +
         reason + "\"} " + std::to_string(value) + "\n";
}

class CentralTlsRefusedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CertAndKey server = ca_.Issue(
        Spec("localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"));
    CentralConfig c = CentralFixture::DefaultConfig();
    c.insecure = false;
    c.admin_tls = true;
    c.ca_pem = ca_.cert_pem();
    c.cert_pem = server.cert_pem;
    c.key_pem = server.key_pem;
    central_.Start(c);
  }

  std::shared_ptr<grpc::Channel> Channel(int port, const CertAndKey& client) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca_.cert_pem();
    o.pem_private_key = client.key_pem;
    o.pem_cert_chain = client.cert_pem;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    for (const char* backoff : {GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
                                GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                                GRPC_ARG_MAX_RECONNECT_BACKOFF_MS}) {
      args.SetInt(backoff, 3600 * 1000);
    }
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::SslCredentials(o), args);
  }

  TestCa ca_{"central test CA"};
  CentralFixture central_;
};

TEST_F(CentralTlsRefusedTest, ExpiredStoreCertificateIsLoggedAndCounted) {
  CertSpec spec = Spec("store-1", "URI:storeagent:store:store-1", "clientAuth");
  spec.not_before_s = NowSeconds() - 30 * kDay;
  spec.not_after_s = NowSeconds() - kDay;
  const CertAndKey expired = ca_.Issue(spec);
  Result<tls::CertificateInfo> info = tls::InspectCertificate(expired.cert_pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();

  grpc::Status status;
  const std::string log = CaptureStderr([&] {
    AgentStream s(Channel(central_.server().sync_port(), expired));
    EXPECT_FALSE(s.Hello("store-1", 0, core::GenesisHash()).has_value());
    status = s.Finish();
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();

  const std::vector<std::string> lines = RefusalLines(log);
  ASSERT_EQ(lines.size(), 1u) << log;
  const std::string& line = lines[0];
  EXPECT_NE(line.find("level=warn"), std::string::npos) << line;
  EXPECT_NE(line.find(" listener=sync"), std::string::npos) << line;
  EXPECT_NE(line.find(" subject=\"CN=store-1\""), std::string::npos) << line;
  EXPECT_NE(line.find(" issuer=\"CN=central test CA\""), std::string::npos)
      << line;
  EXPECT_NE(line.find(" serial=" + info->serial_hex), std::string::npos)
      << line;
  EXPECT_NE(line.find(" not_after=" + tls::FormatUtc(info->not_after_us)),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(" reason=\"certificate has expired\""), std::string::npos)
      << line;

  const std::string metrics = central_.server().RenderMetrics();
  EXPECT_NE(metrics.find(Sample("sync", "expired", 1)), std::string::npos)
      << metrics;
  for (const char* other :
       {"not_yet_valid", "untrusted", "wrong_purpose", "other"}) {
    EXPECT_NE(metrics.find(Sample("sync", other, 0)), std::string::npos)
        << metrics;
  }
  EXPECT_NE(metrics.find(Sample("admin", "expired", 0)), std::string::npos)
      << metrics;
}

TEST_F(CentralTlsRefusedTest, AnotherCasAdminCertificateIsLoggedAndCounted) {
  TestCa other("another CA");
  const CertAndKey foreign = other.Issue(
      Spec("ops", "URI:storeagent:admin:operator:ops", "clientAuth"));

  grpc::Status status;
  const std::string log = CaptureStderr([&] {
    auto stub = v1::CentralAdminService::NewStub(
        Channel(central_.server().admin_port(), foreign));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::ListDriftRequest req;
    v1::ListDriftResponse reply;
    status = stub->ListDrift(&ctx, req, &reply);
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();

  const std::vector<std::string> lines = RefusalLines(log);
  ASSERT_EQ(lines.size(), 1u) << log;
  EXPECT_NE(lines[0].find(" listener=admin"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(" subject=\"CN=ops\""), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(" issuer=\"CN=another CA\""), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(" reason=\"unable to get local issuer certificate\""),
            std::string::npos)
      << lines[0];

  const std::string metrics = central_.server().RenderMetrics();
  EXPECT_NE(metrics.find(Sample("admin", "untrusted", 1)), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(Sample("sync", "untrusted", 0)), std::string::npos)
      << metrics;
}

TEST_F(CentralTlsRefusedTest, ValidStoreCertificateSyncsAndCountsNothing) {
  const CertAndKey good =
      ca_.Issue(Spec("store-2", "URI:storeagent:store:store-2", "clientAuth"));
  const std::string log = CaptureStderr([&] {
    AgentStream s(Channel(central_.server().sync_port(), good));
    std::optional<v1::Welcome> w = s.Hello("store-2", 0, core::GenesisHash());
    EXPECT_TRUE(w.has_value()) << s.Finish().error_message();
  });
  EXPECT_TRUE(RefusalLines(log).empty()) << log;
  const std::string metrics = central_.server().RenderMetrics();
  for (const char* listener : {"sync", "admin"}) {
    for (const char* reason :
         {"expired", "not_yet_valid", "untrusted", "wrong_purpose", "other"}) {
      EXPECT_NE(metrics.find(Sample(listener, reason, 0)), std::string::npos)
          << metrics;
    }
  }
}

}  // namespace
}  // namespace storeagent::central::testing
