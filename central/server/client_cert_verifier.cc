#include "central/server/client_cert_verifier.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <string>
#include <utility>
#include <vector>

#include "platform/openssl_ptr.h"

namespace storeagent::central {
namespace {

using tls::BioPtr;
using tls::X509Ptr;

BioPtr MemBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Every certificate of `pem`, in order, until the first block that is not
// one. `aux`: PEM_read_bio_X509_AUX, as gRPC reads a CA file (it also takes
// "TRUSTED CERTIFICATE" blocks, with trust settings); never for what a
// client sent.
std::vector<X509Ptr> ReadCertificates(std::string_view pem, bool aux) {
  std::vector<X509Ptr> out;
  BioPtr bio = MemBio(pem);
  if (!bio) return out;
  while (X509* x =
             aux ? PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr)
                 : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(x);
  }
  ERR_clear_error();  // the end of the data reads as "no start line"
  return out;
}

ClientCertRefusal RefusalOf(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return ClientCertRefusal::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return ClientCertRefusal::kNotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_INVALID_CA:
      return ClientCertRefusal::kUntrusted;
    case X509_V_ERR_INVALID_PURPOSE:
      return ClientCertRefusal::kWrongPurpose;
    default:
      return ClientCertRefusal::kOther;
  }
}

std::string SubjectOf(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return "";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0) return "";
  Result<tls::CertificateInfo> info =
      tls::InspectCertificate(std::string_view(data, static_cast<size_t>(n)));
  return info.ok() ? info->subject : "";
}

ClientCertVerdict Refused(ClientCertRefusal refusal, std::string reason) {
  ClientCertVerdict v;
  v.refusal = refusal;
  v.reason = std::move(reason);
  return v;
}

}  // namespace

ClientCertVerifier::ClientCertVerifier(X509_STORE* store, int auth_level)
    : store_(store), auth_level_(auth_level) {}

ClientCertVerifier::~ClientCertVerifier() { X509_STORE_free(store_); }

Result<std::shared_ptr<const ClientCertVerifier>> ClientCertVerifier::Create(
    std::string_view ca_pem) {
  tls::X509StorePtr store(X509_STORE_new());
  if (!store) return Internal("X509_STORE_new failed");
  size_t added = 0;
  for (const X509Ptr& ca : ReadCertificates(ca_pem, /*aux=*/true)) {
    // A certificate listed twice is added once (OpenSSL 3 returns 1).
    if (X509_STORE_add_cert(store.get(), ca.get()) == 1) ++added;
  }
  ERR_clear_error();
  if (added == 0) {
    return InvalidArgument(
        "tls.ca_file holds no certificate to verify "
        "client certificates against");
  }
  // What gRPC's handshake set on the store it verified clients with
  // (tsi ssl_ctx_load_verification_certs): every certificate of the CA
  // file is a trust anchor, self-signed or not, and is preferred to a
  // copy the client sends.
  X509_STORE_set_flags(store.get(),
                       X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_TRUSTED_FIRST);
  // And the authentication level libssl gave the verification: the
  // security level a server SSL_CTX gets from the system's OpenSSL
  // configuration (Debian 12: 2, so e.g. RSA keys under 2048 bits fail).
  tls::SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    ERR_clear_error();
    return Internal("SSL_CTX_new failed");
  }
  const int auth_level = SSL_CTX_get_security_level(ctx.get());
  return std::shared_ptr<const ClientCertVerifier>(
      new ClientCertVerifier(store.release(), auth_level));
}

ClientCertVerdict ClientCertVerifier::Verify(std::string_view leaf_pem,
                                             std::string_view chain_pem) const {
  if (leaf_pem.empty()) {
    return Refused(ClientCertRefusal::kOther, "no client certificate");
  }
  std::vector<X509Ptr> leaf = ReadCertificates(leaf_pem, /*aux=*/false);
  if (leaf.empty()) {
    return Refused(ClientCertRefusal::kOther,
                   "the client certificate does not parse");
  }
  std::optional<tls::CertificateInfo> info;
  if (Result<tls::CertificateInfo> i = tls::InspectCertificate(leaf_pem);
      i.ok()) {
    info = std::move(i).value();
  }
  tls::X509StackPtr untrusted(sk_X509_new_null());
  if (!untrusted) {
    ClientCertVerdict v = Refused(ClientCertRefusal::kOther, "out of memory");
    v.leaf = std::move(info);
    return v;
  }
  for (X509Ptr& x : ReadCertificates(chain_pem, /*aux=*/false)) {
    if (sk_X509_push(untrusted.get(), x.get()) > 0) x.release();
  }
  tls::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  int rc = 0;
  if (ctx &&
      X509_STORE_CTX_init(ctx.get(), store_, leaf.front().get(),
                          untrusted.get()) == 1 &&
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT) == 1) {
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx.get()),
                                     auth_level_);
    rc = X509_verify_cert(ctx.get());
  }
  ClientCertVerdict v;
  v.leaf = std::move(info);
  if (rc == 1) {
    v.accepted = true;
    ERR_clear_error();
    return v;
  }
  const int error = ctx ? X509_STORE_CTX_get_error(ctx.get()) : X509_V_OK;
  if (error == X509_V_OK) {
    // No verdict on the certificate: OpenSSL itself failed.
    const unsigned long e = ERR_peek_last_error();
    const char* why = e != 0 ? ERR_reason_error_string(e) : nullptr;
    v.reason = std::string("verification failed: ") +
               (why != nullptr ? why : "no detail");
  } else {
    v.refusal = RefusalOf(error);
    v.reason = X509_verify_cert_error_string(error);
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
    if (depth > 0 && at != nullptr) {
      v.reason += " (certificate " + std::to_string(depth) +
                  " up the chain: \"" + SubjectOf(at) + "\")";
    }
  }
  ERR_clear_error();
  return v;
}

ClientCertVerdict VerifyClientChain(std::string_view ca_pem,
                                    std::string_view leaf_pem,
                                    std::string_view chain_pem) {
  Result<std::shared_ptr<const ClientCertVerifier>> v =
      ClientCertVerifier::Create(ca_pem);
  if (!v.ok()) {
    ClientCertVerdict refused =
        Refused(ClientCertRefusal::kOther, v.status().message());
    if (Result<tls::CertificateInfo> i = tls::InspectCertificate(leaf_pem);
        i.ok()) {
      refused.leaf = std::move(i).value();
    }
    return refused;
  }
  return (*v)->Verify(leaf_pem, chain_pem);
}

}  // namespace storeagent::central
