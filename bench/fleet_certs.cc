#include "bench/fleet_certs.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>

namespace storeagent::bench {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string CertPem(X509* x) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return "";
  return BioText(bio.get());
}

std::string KeyPem(EVP_PKEY* k) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
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

struct Profile {
  std::string cn;
  std::string san;  // "" = none
  std::string eku;  // "" = none (the CA)
  bool ca = false;
};

// A certificate for `key`, valid from a day ago for a year, signed by
// `issuer_key` (issuer `issuer`, or itself when null).
X509Ptr Make(EVP_PKEY* key, const Profile& p, X509* issuer,
             EVP_PKEY* issuer_key, long serial) {
  X509Ptr x(X509_new());
  if (!x) return nullptr;
  const time_t now = std::time(nullptr);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), now - 86400);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), now + 365L * 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(p.cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(
      x.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer != nullptr ? issuer : x.get();
  bool ok = AddExt(x.get(), iss, NID_basic_constraints,
                   p.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  ok = ok && AddExt(x.get(), iss, NID_key_usage,
                    p.ca ? "critical,keyCertSign,cRLSign"
                         : "critical,digitalSignature");
  if (!p.san.empty()) {
    ok = ok && AddExt(x.get(), iss, NID_subject_alt_name, p.san);
  }
  if (!p.eku.empty()) {
    ok = ok && AddExt(x.get(), iss, NID_ext_key_usage, p.eku);
  }
  if (!ok || X509_sign(x.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return x;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

}  // namespace

struct FleetCa::Impl {
  PkeyPtr key;
  X509Ptr cert;
  mutable long serial = 2;

  PemPair Issue(const Profile& p) const {
    PkeyPtr k(EVP_EC_gen("P-256"));
    X509Ptr x =
        k && cert ? Make(k.get(), p, cert.get(), key.get(), serial++) : nullptr;
    if (!x) return {};
    return {CertPem(x.get()), KeyPem(k.get())};
  }
};

FleetCa::FleetCa() : impl_(std::make_unique<Impl>()) {
  impl_->key.reset(EVP_EC_gen("P-256"));
  if (!impl_->key) return;
  Profile p;
  p.cn = "storeagent bench fleet CA";
  p.ca = true;
  impl_->cert = Make(impl_->key.get(), p, nullptr, impl_->key.get(), 1);
  if (impl_->cert) ca_pem_ = CertPem(impl_->cert.get());
}

FleetCa::~FleetCa() = default;

bool FleetCa::ok() const { return !ca_pem_.empty(); }

bool FleetCa::WriteCentralFiles(const std::string& dir) const {
  if (!ok()) return false;
  Profile p;
  p.cn = "storecentrald";
  p.san = "DNS:localhost,IP:127.0.0.1";
  p.eku = "serverAuth";
  const PemPair central = impl_->Issue(p);
  return !central.cert.empty() && WriteFile(dir + "/ca.pem", ca_pem_) &&
         WriteFile(dir + "/central.pem", central.cert) &&
         WriteFile(dir + "/central.key", central.key);
}

PemPair FleetCa::IssueStore(const std::string& store_id) const {
  Profile p;
  p.cn = store_id;
  p.san = "URI:storeagent:store:" + store_id;
  p.eku = "clientAuth";
  return impl_->Issue(p);
}

}  // namespace storeagent::bench
