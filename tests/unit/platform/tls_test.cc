// platform/tls on certificates made by installer/dev-ca in a temp dir, and
// the dev-ca script's own contract (profiles, idempotence, refusals).
#include "platform/tls.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "platform/fs.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace storeagent::tls {
namespace {

using storeagent::testing::RunProgram;
using storeagent::testing::RunResult;
using storeagent::testing::TempDir;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kDayUs = 86'400'000'000;

RunResult DevCa(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/bin/bash", STOREAGENT_DEV_CA};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, 60000);
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string MustLoad(const std::string& path) {
  Result<std::string> pem = LoadPem(path);
  EXPECT_TRUE(pem.ok()) << pem.status().ToString();
  return pem.ok() ? *pem : std::string();
}

CertificateInfo MustInspect(const std::string& path) {
  Result<CertificateInfo> info = InspectCertificate(MustLoad(path));
  EXPECT_TRUE(info.ok()) << path << ": " << info.status().ToString();
  return info.ok() ? *info : CertificateInfo();
}

// One CA with central's and two stores' certificates (one expired), and a
// second, unrelated CA in other/, made by make_tls_certs.sh: by the ctest
// fixture (STOREAGENT_TLS_TEST_CERTS), or here when run alone.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* made = std::getenv("STOREAGENT_TLS_TEST_CERTS");
    if (made != nullptr && *made != '\0' &&
        ::access((std::string(made) + "/other/store-S-0042.pem").c_str(),
                 R_OK) == 0) {
      dir_ = made;
      return;
    }
    own_ = new TempDir();
    dir_ = own_->File("certs");
    const RunResult r = RunProgram(
        {"/bin/bash", STOREAGENT_MAKE_TLS_CERTS, STOREAGENT_DEV_CA, dir_},
        60000);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete own_;
    own_ = nullptr;
  }
  static std::string F(const std::string& name) { return dir_ + "/" + name; }
  static std::string Other(const std::string& name) {
    return dir_ + "/other/" + name;
  }

  static std::string dir_;
  static TempDir* own_;
};
std::string TlsTest::dir_;
TempDir* TlsTest::own_ = nullptr;

TEST_F(TlsTest, LoadPemReadsACertificateFile) {
  const std::string pem = MustLoad(F("store-S-0042.pem"));
  EXPECT_THAT(pem, HasSubstr("-----BEGIN CERTIFICATE-----"));
}

TEST_F(TlsTest, LoadPemMissingFileIsNotFoundNamingThePath) {
  Result<std::string> r = LoadPem(F("nope.pem"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr(F("nope.pem")));
}

TEST_F(TlsTest, LoadPemRefusesEmptyAndNonPemFiles) {
  const TempDir t;
  WriteFile(t.File("empty.pem"), "");
  WriteFile(t.File("der.pem"), std::string("\x30\x82\x01\x0a\x02\x01\x00", 7));
  for (const std::string name : {"empty.pem", "der.pem"}) {
    Result<std::string> r = LoadPem(t.File(name));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(r.status().message(), HasSubstr(t.File(name)));
  }
  Result<std::string> r = LoadPem(t.File("der.pem"));
  EXPECT_THAT(r.status().message(), HasSubstr("not a PEM file"));
}

TEST_F(TlsTest, LoadPemRefusesADirectoryAndAnOversizedFile) {
  const TempDir t;
  Result<std::string> dir = LoadPem(t.path());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
  WriteFile(t.File("big.pem"),
            "-----BEGIN X-----\n" + std::string(kMaxPemBytes, 'A'));
  Result<std::string> big = LoadPem(t.File("big.pem"));
  EXPECT_EQ(big.status().code(), StatusCode::kOutOfRange);
}

TEST_F(TlsTest, InspectsAStoreCertificate) {
  const CertificateInfo info = MustInspect(F("store-S-0042.pem"));
  EXPECT_EQ(info.subject_cn, "S-0042");
  EXPECT_THAT(info.subject, HasSubstr("CN=S-0042"));
  EXPECT_THAT(info.issuer, HasSubstr("CN=storeagent dev CA"));
  EXPECT_EQ(info.uri_sans, std::vector<std::string>{"storeagent:store:S-0042"});
  EXPECT_THAT(info.dns_sans, IsEmpty());
  EXPECT_FALSE(info.is_ca);
  EXPECT_FALSE(info.serial_hex.empty());
  // dev-ca backdates notBefore a day; --days 30 puts notAfter 30 days ahead.
  // The two dates come from two `date` calls: allow a minute between them.
  const int64_t span = info.not_after_us - info.not_before_us;
  EXPECT_GE(span, 31 * kDayUs - 60'000'000);
  EXPECT_LE(span, 31 * kDayUs + 60'000'000);
  EXPECT_EQ(info.not_before_us % 1'000'000, 0);
}

TEST_F(TlsTest, InspectsCentralsServerCertificate) {
  const CertificateInfo info = MustInspect(F("central.pem"));
  EXPECT_EQ(info.subject_cn, "storecentrald");
  EXPECT_THAT(info.dns_sans, Contains("localhost"));
  EXPECT_THAT(info.dns_sans, Contains("central.example"));
  EXPECT_THAT(info.ip_sans, Contains("127.0.0.1"));
  EXPECT_THAT(info.ip_sans, Contains("::1"));
  EXPECT_THAT(info.ip_sans, Contains("10.9.8.7"));
  EXPECT_THAT(info.uri_sans, IsEmpty());
  EXPECT_FALSE(info.is_ca);
}

TEST_F(TlsTest, TheCaIsACa) {
  const CertificateInfo ca = MustInspect(F("ca.pem"));
  EXPECT_TRUE(ca.is_ca);
  EXPECT_EQ(ca.subject, ca.issuer);
  EXPECT_NE(MustInspect(Other("ca.pem")).serial_hex, ca.serial_hex);
}

TEST_F(TlsTest, InspectRefusesWhatIsNotACertificate) {
  for (const std::string& pem :
       {std::string(), std::string("hello"), MustLoad(F("ca.key"))}) {
    Result<CertificateInfo> r = InspectCertificate(pem);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("certificate"));
  }
}

TEST_F(TlsTest, StoreIdComesFromTheUriSan) {
  Result<std::string> id =
      StoreIdFromCertificate(MustInspect(F("store-S-0042.pem")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "S-0042");
}

TEST_F(TlsTest, StoreIdFromPem) {
  Result<std::string> id =
      StoreIdFromCertificate(MustLoad(F("store-S-0042.pem")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "S-0042");
  Result<std::string> bad = StoreIdFromCertificate("junk");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, StoreIdFallsBackToTheCommonName) {
  CertificateInfo info;
  info.subject_cn = "store-7";
  info.uri_sans = {"https://example.invalid/x"};  // not a store URI: ignored
  Result<std::string> id = StoreIdFromCertificate(info);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "store-7");
  // The URI SAN wins over the CN.
  info.uri_sans.push_back("storeagent:store:store-8");
  EXPECT_EQ(StoreIdFromCertificate(info).value(), "store-8");
}

TEST_F(TlsTest, StoreIdRefusesAmbiguousMissingAndMalformedIds) {
  CertificateInfo two;
  two.uri_sans = {"storeagent:store:A", "storeagent:store:B"};
  CertificateInfo same_twice;
  same_twice.uri_sans = {"storeagent:store:A", "storeagent:store:A"};
  CertificateInfo none;
  CertificateInfo empty_uri;
  empty_uri.uri_sans = {"storeagent:store:"};
  empty_uri.subject_cn = "ok";
  CertificateInfo bad_cn;
  bad_cn.subject_cn = "has space";
  CertificateInfo long_uri;
  long_uri.uri_sans = {"storeagent:store:" + std::string(65, 'x')};

  EXPECT_EQ(StoreIdFromCertificate(same_twice).value(), "A");
  for (const CertificateInfo* c :
       {&two, &none, &empty_uri, &bad_cn, &long_uri}) {
    Result<std::string> r = StoreIdFromCertificate(*c);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("certificate"));
  }
  EXPECT_THAT(StoreIdFromCertificate(two).status().message(),
              HasSubstr("different stores"));
  // Exactly 64 characters is a store id.
  long_uri.uri_sans = {"storeagent:store:" + std::string(64, 'x')};
  EXPECT_TRUE(StoreIdFromCertificate(long_uri).ok());
}

TEST_F(TlsTest, DetectsAnExpiredCertificate) {
  const CertificateInfo old = MustInspect(F("store-old.pem"));
  const int64_t now = SystemClock().NowMicros();
  EXPECT_LT(old.not_after_us, now);
  const Status st = CheckValidAt(old, now, F("store-old.pem"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("expired at"));
  EXPECT_THAT(st.message(), HasSubstr(F("store-old.pem")));
  EXPECT_THAT(st.message(), HasSubstr(FormatUtc(old.not_after_us)));
  // The same certificate was valid inside its window.
  EXPECT_TRUE(CheckValidAt(old, old.not_after_us - kDayUs, "old").ok());
}

TEST_F(TlsTest, CheckValidAtEdges) {
  const CertificateInfo info = MustInspect(F("store-S-0042.pem"));
  EXPECT_TRUE(CheckValidAt(info, SystemClock().NowMicros(), "s").ok());
  EXPECT_TRUE(CheckValidAt(info, info.not_before_us, "s").ok());
  EXPECT_TRUE(CheckValidAt(info, info.not_after_us, "s").ok());
  const Status early = CheckValidAt(info, info.not_before_us - 1, "s");
  EXPECT_EQ(early.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.message(), HasSubstr("not valid before"));
  const Status late = CheckValidAt(info, info.not_after_us + 1, "s");
  EXPECT_THAT(late.message(), HasSubstr("expired at"));
}

TEST_F(TlsTest, KeyMatchesItsCertificateOnly) {
  const std::string cert = MustLoad(F("store-S-0042.pem"));
  EXPECT_TRUE(CheckKeyMatchesCert(cert, MustLoad(F("store-S-0042.key"))).ok());
  EXPECT_TRUE(CheckKeyMatchesCert(MustLoad(F("central.pem")),
                                  MustLoad(F("central.key")))
                  .ok());
  // Same store id from another CA: another key.
  const Status other =
      CheckKeyMatchesCert(cert, MustLoad(Other("store-S-0042.key")));
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.message(), HasSubstr("does not match"));
  EXPECT_EQ(CheckKeyMatchesCert(cert, MustLoad(F("central.key"))).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(TlsTest, KeyCheckRefusesGarbage) {
  const std::string cert = MustLoad(F("store-S-0042.pem"));
  const Status bad_key = CheckKeyMatchesCert(cert, "not a key");
  EXPECT_EQ(bad_key.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_key.message(), HasSubstr("key"));
  // A certificate where the key should be.
  EXPECT_EQ(CheckKeyMatchesCert(cert, cert).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckKeyMatchesCert("junk", MustLoad(F("central.key"))).code(),
            StatusCode::kInvalidArgument);
}

TEST(FormatUtcTest, FormatsWholeSecondsInUtc) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(1'700'000'000'123'456), "2023-11-14T22:13:20Z");
}

// --- the dev-ca script itself ---------------------------------------------

mode_t ModeOf(const std::string& path) {
  struct stat st = {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST(DevCaTest, KeysArePrivateAndCertificatesPublic) {
  const TempDir t;
  ASSERT_EQ(DevCa({"init", t.path()}).exit_code, 0);
  ASSERT_EQ(DevCa({"store", t.path(), "S1"}).exit_code, 0);
  EXPECT_EQ(ModeOf(t.File("ca.key")), 0600u);
  EXPECT_EQ(ModeOf(t.File("store-S1.key")), 0600u);
  EXPECT_EQ(ModeOf(t.File("ca.pem")), 0644u);
  EXPECT_EQ(ModeOf(t.File("store-S1.pem")), 0644u);
}

TEST(DevCaTest, RunningAgainChangesNothingAndForceReplaces) {
  const TempDir t;
  ASSERT_EQ(DevCa({"init", t.path()}).exit_code, 0);
  const std::string ca = MustLoad(t.File("ca.pem"));
  ASSERT_EQ(DevCa({"store", t.path(), "S1"}).exit_code, 0);
  const std::string cert = MustLoad(t.File("store-S1.pem"));

  const RunResult again = DevCa({"store", t.path(), "S1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("kept"));
  EXPECT_EQ(DevCa({"init", t.path()}).exit_code, 0);
  EXPECT_EQ(MustLoad(t.File("ca.pem")), ca);
  EXPECT_EQ(MustLoad(t.File("store-S1.pem")), cert);

  ASSERT_EQ(DevCa({"store", t.path(), "S1", "--force"}).exit_code, 0);
  EXPECT_NE(MustLoad(t.File("store-S1.pem")), cert);
  EXPECT_TRUE(CheckKeyMatchesCert(MustLoad(t.File("store-S1.pem")),
                                  MustLoad(t.File("store-S1.key")))
                  .ok());
}

TEST(DevCaTest, RefusesBadInputClearlyAndWritesNothing) {
  const TempDir t;
  const RunResult no_ca = DevCa({"store", t.path(), "S1"});
  EXPECT_EQ(no_ca.exit_code, 1);
  EXPECT_THAT(no_ca.err, HasSubstr("no CA here"));
  ASSERT_EQ(DevCa({"init", t.path()}).exit_code, 0);
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"store", t.path(), "bad id"}, "STORE_ID"},
      {{"store", t.path(), std::string(65, 'x')}, "STORE_ID"},
      {{"store", t.path(), "S1", "--days", "0"}, "--days"},
      {{"store", t.path(), "S1", "--days", "x"}, "--days"},
      {{"store", t.path(), "S1", "--bogus"}, "--bogus"},
      {{"central", t.path(), "--host", "bad host"}, "--host"},
      {{"central", t.path(), "--host"}, "--host"},
  };
  for (const Case& c : cases) {
    const RunResult r = DevCa(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args.back();
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.args.back();
  }
  const RunResult unknown = DevCa({"frob", t.path()});
  EXPECT_EQ(unknown.exit_code, 2);
  // Only the CA is there, and no scratch directory was left behind.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(t.path())) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"ca.key", "ca.pem"}));
}

TEST(DevCaTest, AdminCertificatesNameTheirRole) {
  const TempDir t;
  ASSERT_EQ(DevCa({"init", t.path()}).exit_code, 0);
  ASSERT_EQ(DevCa({"admin", t.path(), "alice", "--role", "operator"}).exit_code,
            0);
  ASSERT_EQ(DevCa({"admin", t.path(), "bob", "--role", "reader", "--days", "7"})
                .exit_code,
            0);
  const CertificateInfo alice = MustInspect(t.File("admin-alice.pem"));
  EXPECT_EQ(alice.subject_cn, "alice");
  EXPECT_EQ(alice.uri_sans,
            std::vector<std::string>{"storeagent:admin:operator:alice"});
  EXPECT_FALSE(alice.is_ca);
  EXPECT_EQ(ModeOf(t.File("admin-alice.key")), 0600u);
  const CertificateInfo bob = MustInspect(t.File("admin-bob.pem"));
  EXPECT_EQ(bob.uri_sans,
            std::vector<std::string>{"storeagent:admin:reader:bob"});
  // Backdated a day, valid 7 more: 8 days (a minute between the dates).
  EXPECT_NEAR(static_cast<double>(bob.not_after_us - bob.not_before_us),
              8.0 * kDayUs, 60e6);

  const RunResult no_role = DevCa({"admin", t.path(), "carol"});
  EXPECT_EQ(no_role.exit_code, 1);
  EXPECT_THAT(no_role.err, HasSubstr("--role reader|operator is required"));
  const RunResult bad_role =
      DevCa({"admin", t.path(), "carol", "--role", "root"});
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_THAT(bad_role.err, HasSubstr("must be reader or operator"));
  const RunResult store_role = DevCa({"store", t.path(), "S1", "--role", "x"});
  EXPECT_NE(store_role.exit_code, 0);
  EXPECT_THAT(store_role.err, HasSubstr("--role"));
  EXPECT_FALSE(std::filesystem::exists(t.File("admin-carol.pem")));
  EXPECT_FALSE(std::filesystem::exists(t.File("store-S1.pem")));
}

TEST(DevCaTest, HelpDescribesTheProfiles) {
  const RunResult r = DevCa({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("URI:storeagent:store:STORE_ID"));
  EXPECT_THAT(r.out, HasSubstr("URI:storeagent:admin:ROLE:NAME"));
  EXPECT_THAT(r.out, HasSubstr("--expired"));
}

}  // namespace
}  // namespace storeagent::tls
