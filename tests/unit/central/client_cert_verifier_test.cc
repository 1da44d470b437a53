// ClientCertVerifier: central's own verification of a client certificate
// chain (central/server/client_cert_verifier.h), the check OpenSSL's
// handshake made before: tls.ca_file as the trust anchors, the presented
// chain as untrusted, purpose sslclient. Certificates are made in-process
// (tests/support/test_certs.h).
#include "central/server/client_cert_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "platform/tls.h"
#include "tests/support/test_certs.h"

namespace storeagent::central {
namespace {

using storeagent::testing::CertSpec;
using storeagent::testing::NowSeconds;
using storeagent::testing::TestCa;

using storeagent::testing::kDay;

CertSpec Store(const std::string& id) {
  CertSpec s;
  s.cn = id;
  s.san = "URI:storeagent:store:" + id;
  s.not_before_s = NowSeconds() - kDay;
  s.not_after_s = NowSeconds() + 30 * kDay;
  s.eku = "clientAuth";
  return s;
}

class ClientCertVerifierTest : public ::testing::Test {
 protected:
  ClientCertVerdict Verify(const std::string& leaf_pem,
                           const std::string& chain_pem = "") {
    return VerifyClientChain(ca_.cert_pem(), leaf_pem, chain_pem);
  }

  TestCa ca_{"storeagent test stores CA"};
};

TEST_F(ClientCertVerifierTest, CertificateOfTheCaIsAccepted) {
  const std::string pem = ca_.Issue(Store("S-0001")).cert_pem;
  const ClientCertVerdict v = Verify(pem);
  EXPECT_TRUE(v.accepted) << v.reason;
  ASSERT_TRUE(v.leaf.has_value());
  EXPECT_EQ(v.leaf->subject, "CN=S-0001");
}

TEST_F(ClientCertVerifierTest, CertificateWithoutEkuIsAccepted) {
  // No extendedKeyUsage extension: any purpose, as OpenSSL's handshake
  // accepted it.
  CertSpec spec = Store("S-0002");
  spec.eku.clear();
  const ClientCertVerdict v = Verify(ca_.Issue(spec).cert_pem);
  EXPECT_TRUE(v.accepted) << v.reason;
}

TEST_F(ClientCertVerifierTest, ExpiredCertificateIsRefused) {
  CertSpec spec = Store("S-0003");
  spec.not_before_s = NowSeconds() - 30 * kDay;
  spec.not_after_s = NowSeconds() - kDay;
  const ClientCertVerdict v = Verify(ca_.Issue(spec).cert_pem);
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kExpired);
  EXPECT_EQ(ClientCertRefusalLabel(v.refusal), "expired");
  EXPECT_EQ(v.reason, "certificate has expired");
  ASSERT_TRUE(v.leaf.has_value());
  EXPECT_EQ(v.leaf->subject, "CN=S-0003");
  EXPECT_EQ(v.leaf->issuer, "CN=storeagent test stores CA");
  EXPECT_EQ(tls::FormatUtc(v.leaf->not_after_us),
            tls::FormatUtc(spec.not_after_s * 1'000'000));
}

TEST_F(ClientCertVerifierTest, NotYetValidCertificateIsRefused) {
  CertSpec spec = Store("S-0004");
  spec.not_before_s = NowSeconds() + kDay;
  const ClientCertVerdict v = Verify(ca_.Issue(spec).cert_pem);
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kNotYetValid);
  EXPECT_EQ(v.reason, "certificate is not yet valid");
}

TEST_F(ClientCertVerifierTest, CertificateOfAnotherCaIsRefused) {
  TestCa other("another CA");
  const ClientCertVerdict v = Verify(other.Issue(Store("S-0005")).cert_pem);
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kUntrusted);
  EXPECT_EQ(ClientCertRefusalLabel(v.refusal), "untrusted");
  EXPECT_EQ(v.reason, "unable to get local issuer certificate");
  ASSERT_TRUE(v.leaf.has_value());
  EXPECT_EQ(v.leaf->issuer, "CN=another CA");
}

TEST_F(ClientCertVerifierTest, ForgedCaOfTheSameNameSentAlongIsRefused) {
  // The client sends its own CA certificate, named like central's: only
  // tls.ca_file is trusted.
  TestCa forged("storeagent test stores CA");
  const ClientCertVerdict v =
      Verify(forged.Issue(Store("S-0006")).cert_pem, forged.cert_pem());
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kUntrusted) << v.reason;
}

TEST_F(ClientCertVerifierTest, ServerAuthOnlyCertificateIsRefused) {
  CertSpec spec = Store("S-0007");
  spec.eku = "serverAuth";
  const ClientCertVerdict v = Verify(ca_.Issue(spec).cert_pem);
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kWrongPurpose);
  EXPECT_EQ(ClientCertRefusalLabel(v.refusal), "wrong_purpose");
  EXPECT_EQ(v.reason, "unsuitable certificate purpose");
}

TEST_F(ClientCertVerifierTest, GarbageIsRefused) {
  const ClientCertVerdict v = Verify(
      "-----BEGIN CERTIFICATE-----\nnot base64"
      "\n-----END CERTIFICATE-----\n");
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kOther);
  EXPECT_EQ(ClientCertRefusalLabel(v.refusal), "other");
  EXPECT_FALSE(v.leaf.has_value());
  EXPECT_EQ(v.reason, "the client certificate does not parse");
}

TEST_F(ClientCertVerifierTest, NoCertificateIsRefused) {
  const ClientCertVerdict v = Verify("");
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kOther);
  EXPECT_FALSE(v.leaf.has_value());
}

TEST_F(ClientCertVerifierTest, IntermediateSentByTheClientCompletesTheChain) {
  TestCa intermediate("stores intermediate", ca_);
  const std::string leaf = intermediate.Issue(Store("S-0008")).cert_pem;
  const ClientCertVerdict with = Verify(leaf, intermediate.cert_pem());
  EXPECT_TRUE(with.accepted) << with.reason;
  // Sent with the leaf first, as a chain file is: the same.
  EXPECT_TRUE(Verify(leaf, leaf + intermediate.cert_pem()).accepted);
  // Without it the chain stops at the intermediate.
  const ClientCertVerdict without = Verify(leaf);
  EXPECT_FALSE(without.accepted);
  EXPECT_EQ(without.refusal, ClientCertRefusal::kUntrusted);
}

TEST_F(ClientCertVerifierTest, EveryCertificateOfTheCaFileIsTrusted) {
  TestCa second("second stores CA");
  const std::string both = ca_.cert_pem() + second.cert_pem();
  const std::string leaf = second.Issue(Store("S-0009")).cert_pem;
  EXPECT_TRUE(VerifyClientChain(both, leaf, "").accepted);
  EXPECT_FALSE(VerifyClientChain(ca_.cert_pem(), leaf, "").accepted);
}

TEST_F(ClientCertVerifierTest, CaFileWithoutCertificateTrustsNothing) {
  EXPECT_FALSE(ClientCertVerifier::Create("no PEM here").ok());
  const ClientCertVerdict v =
      VerifyClientChain("", ca_.Issue(Store("S-0010")).cert_pem, "");
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.refusal, ClientCertRefusal::kOther);
}

TEST_F(ClientCertVerifierTest, OneVerifierServesManyChecks) {
  Result<std::shared_ptr<const ClientCertVerifier>> verifier =
      ClientCertVerifier::Create(ca_.cert_pem());
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  TestCa other("another CA");
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(
        (*verifier)->Verify(ca_.Issue(Store("S-1")).cert_pem, "").accepted);
    EXPECT_FALSE(
        (*verifier)->Verify(other.Issue(Store("S-2")).cert_pem, "").accepted);
  }
}

}  // namespace
}  // namespace storeagent::central
