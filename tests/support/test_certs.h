// TestCa: certificates made in-process with OpenSSL for tests that need
// what installer/dev-ca will not make (a certificate not yet valid, one
// with the wrong extended key usage, arbitrary validity dates, a chain
// through an intermediate CA). Keys are ECDSA P-256; every certificate is
// signed by the CA that issued it.
// Failures abort the test (ADD_FAILURE) and return empty PEM.
#ifndef STOREAGENT_TESTS_SUPPORT_TEST_CERTS_H_
#define STOREAGENT_TESTS_SUPPORT_TEST_CERTS_H_

#include <cstdint>
#include <memory>
#include <string>

namespace storeagent::testing {

// A day in seconds, for validity dates.
inline constexpr int64_t kDay = 86400;

struct CertSpec {
  std::string cn;
  // "URI:storeagent:store:S-1,DNS:localhost,IP:127.0.0.1"; "" = none.
  std::string san;
  // Seconds since the epoch.
  int64_t not_before_s = 0;
  int64_t not_after_s = 0;
  // "clientAuth", "serverAuth", "clientAuth,serverAuth"; "" = no EKU.
  std::string eku;
};

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

class TestCa {
 public:
  // A self-signed CA named `cn`, valid for ten years from now.
  explicit TestCa(const std::string& cn);
  // An intermediate CA named `cn`, issued by `parent`, valid like a root
  // (cert_pem() is its certificate alone; a client sends it after its leaf).
  TestCa(const std::string& cn, const TestCa& parent);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& cert_pem() const { return ca_.cert_pem; }
  // A leaf certificate with a fresh key, issued by this CA.
  CertAndKey Issue(const CertSpec& spec) const;

 private:
  TestCa(const std::string& cn, const TestCa* parent);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  CertAndKey ca_;
};

// Seconds since the epoch, now.
int64_t NowSeconds();

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_TEST_CERTS_H_
