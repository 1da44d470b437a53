// tls::CheckOwnTlsFiles: a daemon's own TLS files checked before any dial
// or listen, on certificates made in-process (tests/support/test_certs.h)
// so each problem can be made on its own: expired, not yet valid, the
// wrong key, the wrong extended key usage, another store's certificate, a
// missing or unreadable file, a CA file that holds no certificate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "platform/tls.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace storeagent::tls {
namespace {

using storeagent::testing::CertAndKey;
using storeagent::testing::CertSpec;
using storeagent::testing::NowSeconds;
using storeagent::testing::TempDir;
using storeagent::testing::TestCa;
using ::testing::HasSubstr;

using storeagent::testing::kDay;

void Write(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

class TlsCheckTest : public ::testing::Test {
 protected:
  // A store certificate for S-1 as the agent's sync files, valid now.
  CertSpec StoreSpec() const {
    CertSpec s;
    s.cn = "S-1";
    s.san = "URI:storeagent:store:S-1";
    s.not_before_s = NowSeconds() - kDay;
    s.not_after_s = NowSeconds() + 30 * kDay;
    s.eku = "clientAuth";
    return s;
  }
  // Writes `ck` as store.pem/store.key, the CA as ca.pem; files for the
  // agent's role, naming store S-1.
  OwnTlsFiles Files(const CertAndKey& ck) {
    Write(dir_.File("store.pem"), ck.cert_pem);
    Write(dir_.File("store.key"), ck.key_pem);
    Write(dir_.File("ca.pem"), ca_.cert_pem());
    OwnTlsFiles f;
    f.ca_key = "sync.ca_file";
    f.ca_file = dir_.File("ca.pem");
    f.cert_key = "sync.cert_file";
    f.cert_file = dir_.File("store.pem");
    f.key_key = "sync.key_file";
    f.key_file = dir_.File("store.key");
    f.role = TlsRole::kClient;
    f.store_id = "S-1";
    return f;
  }
  int64_t Now() const { return NowSeconds() * 1'000'000; }

  TempDir dir_;
  TestCa ca_{"test CA"};
};

TEST_F(TlsCheckTest, GoodFilesPass) {
  EXPECT_TRUE(CheckOwnTlsFiles(Files(ca_.Issue(StoreSpec())), Now()).ok());
}

TEST_F(TlsCheckTest, ExpiredNamesKeyFileAndDate) {
  CertSpec s = StoreSpec();
  s.not_before_s = 1735689600 - 30 * kDay;
  s.not_after_s = 1735689600;  // 2025-01-01T00:00:00Z
  const OwnTlsFiles f = Files(ca_.Issue(s));
  const Status st = CheckOwnTlsFiles(f, Now());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("sync.cert_file " + f.cert_file +
                                      ": expired on 2025-01-01T00:00:00Z"));
}

TEST_F(TlsCheckTest, NotYetValidNamesTheDate) {
  CertSpec s = StoreSpec();
  s.not_before_s = 4102444800;  // 2100-01-01T00:00:00Z
  s.not_after_s = 4102444800 + kDay;
  const OwnTlsFiles f = Files(ca_.Issue(s));
  const Status st = CheckOwnTlsFiles(f, Now());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(),
              HasSubstr("sync.cert_file " + f.cert_file +
                        ": not valid before 2100-01-01T00:00:00Z"));
}

TEST_F(TlsCheckTest, KeyOfAnotherCertificateIsRefused) {
  const CertAndKey a = ca_.Issue(StoreSpec());
  const CertAndKey b = ca_.Issue(StoreSpec());
  const OwnTlsFiles f = Files({a.cert_pem, b.key_pem});
  const Status st = CheckOwnTlsFiles(f, Now());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(),
              HasSubstr("sync.key_file " + f.key_file +
                        ": does not match the certificate of sync.cert_file " +
                        f.cert_file));
}

TEST_F(TlsCheckTest, WrongExtendedKeyUsageForTheRole) {
  CertSpec server = StoreSpec();
  server.eku = "serverAuth";
  const OwnTlsFiles f = Files(ca_.Issue(server));
  const Status st = CheckOwnTlsFiles(f, Now());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("sync.cert_file " + f.cert_file +
                                      ": extended key usage lacks clientAuth"));

  // A client certificate as central's server certificate.
  OwnTlsFiles central = Files(ca_.Issue(StoreSpec()));
  central.role = TlsRole::kServer;
  central.store_id.clear();
  central.cert_key = "tls.cert_file";
  const Status s2 = CheckOwnTlsFiles(central, Now());
  EXPECT_THAT(s2.message(), HasSubstr("tls.cert_file " + central.cert_file +
                                      ": extended key usage lacks serverAuth"));

  // Both usages, or no EKU extension at all, serve either role.
  CertSpec both = StoreSpec();
  both.eku = "clientAuth,serverAuth";
  EXPECT_TRUE(CheckOwnTlsFiles(Files(ca_.Issue(both)), Now()).ok());
  CertSpec none = StoreSpec();
  none.eku.clear();
  EXPECT_TRUE(CheckOwnTlsFiles(Files(ca_.Issue(none)), Now()).ok());
}

TEST_F(TlsCheckTest, AnotherStoresCertificateIsRefused) {
  CertSpec b = StoreSpec();
  b.cn = "S-2";
  b.san = "URI:storeagent:store:S-2";
  const OwnTlsFiles f = Files(ca_.Issue(b));
  const Status st = CheckOwnTlsFiles(f, Now());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(),
              HasSubstr("sync.cert_file " + f.cert_file +
                        ": names store \"S-2\" but store.id is \"S-1\""));

  // Without a URI SAN the CN names the store (as central reads it).
  CertSpec cn_only = StoreSpec();
  cn_only.san.clear();
  EXPECT_TRUE(CheckOwnTlsFiles(Files(ca_.Issue(cn_only)), Now()).ok());
  cn_only.cn = "S-3";
  EXPECT_THAT(CheckOwnTlsFiles(Files(ca_.Issue(cn_only)), Now()).message(),
              HasSubstr("names store \"S-3\""));

  // An admin's certificate with the store's id as CN: central takes no
  // admin certificate for a store, so neither does the check.
  CertSpec admin = StoreSpec();
  admin.san = "URI:storeagent:admin:reader:S-1";
  const OwnTlsFiles af = Files(ca_.Issue(admin));
  EXPECT_THAT(CheckOwnTlsFiles(af, Now()).message(),
              HasSubstr("sync.cert_file " + af.cert_file +
                        ": is an admin certificate"));
}

TEST_F(TlsCheckTest, MissingUnreadableOrWrongFiles) {
  OwnTlsFiles f = Files(ca_.Issue(StoreSpec()));
  OwnTlsFiles missing = f;
  missing.cert_file = dir_.File("nope.pem");
  const Status st = CheckOwnTlsFiles(missing, Now());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("sync.cert_file " + missing.cert_file));

  OwnTlsFiles no_ca = f;
  no_ca.ca_file = dir_.File("absent-ca.pem");
  EXPECT_THAT(CheckOwnTlsFiles(no_ca, Now()).message(),
              HasSubstr("sync.ca_file " + no_ca.ca_file));

  // The CA file holds a key, not a certificate.
  OwnTlsFiles key_as_ca = f;
  key_as_ca.ca_file = f.key_file;
  const Status bad_ca = CheckOwnTlsFiles(key_as_ca, Now());
  EXPECT_EQ(bad_ca.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_ca.message(), HasSubstr("sync.ca_file " + f.key_file));

  // An unreadable key (root reads everything: only checked as non-root).
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(f.key_file.c_str(), 0), 0);
    const Status unreadable = CheckOwnTlsFiles(f, Now());
    EXPECT_EQ(unreadable.code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(unreadable.message(), HasSubstr("sync.key_file " + f.key_file));
  }

  OwnTlsFiles unset = f;
  unset.key_file.clear();
  EXPECT_THAT(CheckOwnTlsFiles(unset, Now()).message(),
              HasSubstr("sync.key_file: required"));
}

}  // namespace
}  // namespace storeagent::tls
