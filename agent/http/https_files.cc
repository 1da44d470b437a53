#include "agent/http/https_files.h"

#include <utility>

namespace storeagent::agent {
namespace {

constexpr char kCertKey[] = "http.tls_cert_file";
constexpr char kKeyKey[] = "http.tls_key_file";

Status Named(const char* key, const Status& s) {
  return Status(s.code(), std::string(key) + ": " + s.message());
}

}  // namespace

Result<HttpsPair> LoadHttpsPair(const std::string& cert_file,
                                const std::string& key_file, int64_t now_us) {
  HttpsPair pair;
  Result<std::string> cert = tls::LoadPem(cert_file);
  if (!cert.ok()) return Named(kCertKey, cert.status());
  Result<tls::CertificateInfo> info = tls::InspectCertificate(*cert);
  if (!info.ok()) {
    return Status(info.status().code(), std::string(kCertKey) + ": " +
                                            cert_file + ": " +
                                            info.status().message());
  }
  Status valid = tls::CheckValidAt(*info, now_us, cert_file);
  if (!valid.ok()) return Named(kCertKey, valid);
  Result<std::string> key = tls::LoadPem(key_file);
  if (!key.ok()) return Named(kKeyKey, key.status());
  Status match = tls::CheckKeyMatchesCert(*cert, *key);
  if (match.code() == StatusCode::kFailedPrecondition) {
    return Status(match.code(), std::string(kKeyKey) + ": " + key_file +
                                    " is not the private key of " + cert_file);
  }
  if (!match.ok()) {
    return Status(match.code(), std::string(kKeyKey) + ": " + key_file + ": " +
                                    match.message());
  }
  pair.cert_pem = std::move(cert).value();
  pair.key_pem = std::move(key).value();
  pair.leaf = std::move(info).value();
  return pair;
}

}  // namespace storeagent::agent
