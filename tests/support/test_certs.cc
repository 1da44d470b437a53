#include "tests/support/test_certs.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "platform/openssl_ptr.h"

namespace storeagent::testing {
namespace {

using tls::BioPtr;
using tls::PkeyPtr;
using tls::X509Ptr;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string CertPem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return "";
  return BioText(bio.get());
}

std::string KeyPem(EVP_PKEY* k) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0,
                                       nullptr, nullptr) != 1) {
    return "";
  }
  return BioText(bio.get());
}

bool AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

// A certificate for `key` named `cn`, signed by `issuer_key` (issuer
// `issuer`, or itself when null).
X509Ptr Make(EVP_PKEY* key, const CertSpec& spec, X509* issuer,
             EVP_PKEY* issuer_key, bool ca, long serial) {
  X509Ptr x(X509_new());
  if (!x) return nullptr;
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  ASN1_TIME_set(X509_getm_notBefore(x.get()),
                static_cast<time_t>(spec.not_before_s));
  ASN1_TIME_set(X509_getm_notAfter(x.get()),
                static_cast<time_t>(spec.not_after_s));
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(
      x.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer != nullptr ? issuer : x.get();
  bool ok = AddExt(x.get(), iss, NID_basic_constraints,
                   ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  ok = ok && AddExt(x.get(), iss, NID_key_usage,
                    ca ? "critical,keyCertSign,cRLSign"
                       : "critical,digitalSignature");
  if (!spec.san.empty()) {
    ok = ok && AddExt(x.get(), iss, NID_subject_alt_name, spec.san);
  }
  if (!spec.eku.empty()) {
    ok = ok && AddExt(x.get(), iss, NID_ext_key_usage, spec.eku);
  }
  if (!ok || X509_sign(x.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return x;
}

}  // namespace

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

struct TestCa::Impl {
  PkeyPtr key;
  X509Ptr cert;
  mutable long serial = 2;
};

TestCa::TestCa(const std::string& cn) : TestCa(cn, nullptr) {}

TestCa::TestCa(const std::string& cn, const TestCa& parent)
    : TestCa(cn, &parent) {}

TestCa::TestCa(const std::string& cn, const TestCa* parent)
    : impl_(std::make_unique<Impl>()) {
  impl_->key.reset(EVP_EC_gen("P-256"));
  CertSpec spec;
  spec.cn = cn;
  spec.not_before_s = NowSeconds() - 3600;
  spec.not_after_s = NowSeconds() + 3650LL * 86400;
  if (impl_->key && parent == nullptr) {
    impl_->cert = Make(impl_->key.get(), spec, nullptr, impl_->key.get(),
                       /*ca=*/true, 1);
  } else if (impl_->key && parent->impl_->cert) {
    impl_->cert =
        Make(impl_->key.get(), spec, parent->impl_->cert.get(),
             parent->impl_->key.get(), /*ca=*/true, parent->impl_->serial++);
  }
  if (!impl_->cert) {
    ADD_FAILURE() << "TestCa: could not make the CA " << cn;
    return;
  }
  ca_.cert_pem = CertPem(impl_->cert.get());
  ca_.key_pem = KeyPem(impl_->key.get());
}

TestCa::~TestCa() = default;

CertAndKey TestCa::Issue(const CertSpec& spec) const {
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr x = key && impl_->cert
                  ? Make(key.get(), spec, impl_->cert.get(), impl_->key.get(),
                         /*ca=*/false, impl_->serial++)
                  : nullptr;
  if (!x) {
    ADD_FAILURE() << "TestCa: could not issue " << spec.cn;
    return {};
  }
  return {CertPem(x.get()), KeyPem(key.get())};
}

}  // namespace storeagent::testing
