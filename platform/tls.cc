#include "platform/tls.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>
#include <ctime>
#include <memory>
#include <utility>

#include "platform/fs.h"
#include "platform/openssl_ptr.h"

namespace storeagent::tls {
namespace {

// The oldest OpenSSL error's reason text, and an empty queue afterwards so
// the next caller on this thread starts clean.
std::string TakeOpensslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no detail";
  const char* reason = ERR_reason_error_string(e);
  return reason != nullptr ? reason : "error " + std::to_string(e);
}

// Never prompt on a terminal for a passphrase: an encrypted key just fails.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return 0;
}

Result<BioPtr> MemBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("PEM data too large");
  }
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return Internal("BIO_new_mem_buf: " + TakeOpensslError());
  return bio;
}

Result<X509Ptr> ParseCertificate(std::string_view pem) {
  Result<BioPtr> bio = MemBio(pem);
  if (!bio.ok()) return bio.status();
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, NoPassphrase, nullptr));
  if (!cert) {
    return InvalidArgument("certificate: no PEM certificate could be read (" +
                           TakeOpensslError() + ")");
  }
  return cert;
}

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : "";
}

std::string CommonName(const X509_NAME* name) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return "";
  const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, value);
  if (n < 0) {
    ERR_clear_error();
    return "";
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string AsciiOf(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

std::string IpText(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int len = ASN1_STRING_length(ip);
  const unsigned char* bytes = ASN1_STRING_get0_data(ip);
  if (len == 4 && ::inet_ntop(AF_INET, bytes, buf, sizeof(buf)) != nullptr) {
    return buf;
  }
  if (len == 16 && ::inet_ntop(AF_INET6, bytes, buf, sizeof(buf)) != nullptr) {
    return buf;
  }
  return "<" + std::to_string(len) + "-byte address>";
}

void ReadSans(X509* cert, CertificateInfo& info) {
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    ERR_clear_error();
    return;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    switch (gn->type) {
      case GEN_URI:
        info.uri_sans.push_back(AsciiOf(gn->d.uniformResourceIdentifier));
        break;
      case GEN_DNS:
        info.dns_sans.push_back(AsciiOf(gn->d.dNSName));
        break;
      case GEN_IPADD:
        info.ip_sans.push_back(IpText(gn->d.iPAddress));
        break;
      default:
        break;
    }
  }
}

Result<int64_t> TimeMicros(const ASN1_TIME* t, std::string_view field) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return InvalidArgument("certificate: " + std::string(field) +
                           " does not parse");
  }
  const time_t secs = ::timegm(&tm);
  return static_cast<int64_t>(secs) * 1'000'000;
}

std::string SerialHex(const X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) {
    ERR_clear_error();
    return "";
  }
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) {
    ERR_clear_error();
    return "";
  }
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

bool IsValidStoreId(std::string_view id) {
  if (id.empty() || id.size() > kMaxStoreIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::string> LoadPem(const std::string& path) {
  Result<std::string> data = fs::ReadFile(path, kMaxPemBytes);
  if (!data.ok()) return data.status();
  if (data->empty()) return InvalidArgument(path + ": file is empty");
  const size_t begin = data->find("-----BEGIN ");
  if (begin == std::string::npos ||
      data->find("-----END ", begin) == std::string::npos) {
    return InvalidArgument(path +
                           ": not a PEM file (no \"-----BEGIN ...-----\" / "
                           "\"-----END ...-----\" block; DER must be "
                           "converted with openssl)");
  }
  return data;
}

Result<CertificateInfo> InspectCertificate(std::string_view pem) {
  Result<X509Ptr> cert = ParseCertificate(pem);
  if (!cert.ok()) return cert.status();
  X509* x = cert->get();
  CertificateInfo info;
  info.subject = NameToString(X509_get_subject_name(x));
  info.subject_cn = CommonName(X509_get_subject_name(x));
  info.issuer = NameToString(X509_get_issuer_name(x));
  ReadSans(x, info);
  Result<int64_t> nb = TimeMicros(X509_get0_notBefore(x), "notBefore");
  if (!nb.ok()) return nb.status();
  Result<int64_t> na = TimeMicros(X509_get0_notAfter(x), "notAfter");
  if (!na.ok()) return na.status();
  info.not_before_us = *nb;
  info.not_after_us = *na;
  info.is_ca = X509_check_ca(x) != 0;
  // X509_get_extension_flags caches the parsed extensions (EXFLAG_XKUSAGE
  // set when an EKU extension is present).
  if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) != 0) {
    const uint32_t xku = X509_get_extended_key_usage(x);
    info.has_eku = true;
    info.eku_client_auth = (xku & XKU_SSL_CLIENT) != 0;
    info.eku_server_auth = (xku & XKU_SSL_SERVER) != 0;
  }
  info.serial_hex = SerialHex(x);
  ERR_clear_error();
  return info;
}

Result<std::string> StoreIdFromCertificate(const CertificateInfo& info) {
  std::string from_uri;
  for (const std::string& uri : info.uri_sans) {
    if (uri.compare(0, kStoreUriPrefix.size(), kStoreUriPrefix) != 0) continue;
    const std::string id = uri.substr(kStoreUriPrefix.size());
    if (!from_uri.empty() && id != from_uri) {
      return InvalidArgument(
          "certificate: two URI SANs name different stores (\"" + from_uri +
          "\", \"" + id + "\")");
    }
    from_uri = id;
    if (from_uri.empty()) {
      return InvalidArgument("certificate: URI SAN \"" + uri +
                             "\" names no store");
    }
  }
  const bool have_uri = !from_uri.empty();
  const std::string& id = have_uri ? from_uri : info.subject_cn;
  const char* where = have_uri ? "URI SAN storeagent:store:<id>" : "subject CN";
  if (id.empty()) {
    return InvalidArgument(
        "certificate: no store id (neither a URI SAN \"storeagent:store:<id>\" "
        "nor a subject CN)");
  }
  if (!IsValidStoreId(id)) {
    return InvalidArgument(std::string("certificate: ") + where + " \"" + id +
                           "\" is not a store id (1..64 of [A-Za-z0-9._-])");
  }
  return id;
}

Result<std::string> StoreIdFromCertificate(std::string_view pem) {
  Result<CertificateInfo> info = InspectCertificate(pem);
  if (!info.ok()) return info.status();
  return StoreIdFromCertificate(*info);
}

Status CheckValidAt(const CertificateInfo& info, int64_t now_us,
                    std::string_view what) {
  if (now_us > info.not_after_us) {
    return FailedPrecondition(std::string(what) + ": certificate expired at " +
                              FormatUtc(info.not_after_us));
  }
  if (now_us < info.not_before_us) {
    return FailedPrecondition(std::string(what) +
                              ": certificate not valid before " +
                              FormatUtc(info.not_before_us));
  }
  return Status::Ok();
}

Status CheckKeyMatchesCert(std::string_view cert_pem,
                           std::string_view key_pem) {
  Result<X509Ptr> cert = ParseCertificate(cert_pem);
  if (!cert.ok()) return cert.status();
  Result<BioPtr> bio = MemBio(key_pem);
  if (!bio.ok()) return bio.status();
  PkeyPtr key(
      PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return InvalidArgument(
        "key: no unencrypted PEM private key could be read (" +
        TakeOpensslError() + ")");
  }
  const EVP_PKEY* pub = X509_get0_pubkey(cert->get());
  if (pub == nullptr) {
    return InvalidArgument("certificate: public key does not parse (" +
                           TakeOpensslError() + ")");
  }
  const int eq = EVP_PKEY_eq(pub, key.get());
  ERR_clear_error();
  if (eq != 1) {
    return FailedPrecondition(
        "key does not match the certificate's public key (subject \"" +
        NameToString(X509_get_subject_name(cert->get())) + "\")");
  }
  return Status::Ok();
}

Status CheckOwnTlsFiles(const OwnTlsFiles& f, int64_t now_us) {
  // "sync.cert_file /etc/storeagent/tls/store.pem: <problem>"; LoadPem's
  // messages start with the path already.
  const auto named = [](const std::string& key, const std::string& path,
                        const Status& s) {
    std::string m = s.message();
    if (m.compare(0, path.size() + 2, path + ": ") == 0) {
      m = m.substr(path.size() + 2);
    }
    return Status(s.code(), key + " " + path + ": " + m);
  };
  const auto problem = [](const std::string& key, const std::string& path,
                          const std::string& what) {
    return FailedPrecondition(key + " " + path + ": " + what);
  };
  for (const auto& [key, path] :
       {std::pair<const std::string&, const std::string&>{f.cert_key,
                                                          f.cert_file},
        {f.key_key, f.key_file},
        {f.ca_key, f.ca_file}}) {
    if (path.empty()) return InvalidArgument(key + ": required");
  }
  Result<std::string> cert_pem = LoadPem(f.cert_file);
  if (!cert_pem.ok()) return named(f.cert_key, f.cert_file, cert_pem.status());
  Result<std::string> key_pem = LoadPem(f.key_file);
  if (!key_pem.ok()) return named(f.key_key, f.key_file, key_pem.status());
  Result<std::string> ca_pem = LoadPem(f.ca_file);
  if (!ca_pem.ok()) return named(f.ca_key, f.ca_file, ca_pem.status());

  Result<CertificateInfo> cert = InspectCertificate(*cert_pem);
  if (!cert.ok()) return named(f.cert_key, f.cert_file, cert.status());
  if (now_us > cert->not_after_us) {
    return problem(f.cert_key, f.cert_file,
                   "expired on " + FormatUtc(cert->not_after_us) +
                       " (subject \"" + cert->subject + "\")");
  }
  if (now_us < cert->not_before_us) {
    return problem(f.cert_key, f.cert_file,
                   "not valid before " + FormatUtc(cert->not_before_us) +
                       " (check this host's clock, or wait)");
  }
  if (Status s = CheckKeyMatchesCert(*cert_pem, *key_pem); !s.ok()) {
    if (s.code() != StatusCode::kFailedPrecondition) {
      return named(f.key_key, f.key_file, s);
    }
    return problem(f.key_key, f.key_file,
                   "does not match the certificate of " + f.cert_key + " " +
                       f.cert_file + " (subject \"" + cert->subject +
                       "\"): a key from another request or renewal?");
  }
  if (cert->has_eku) {
    const bool client = f.role == TlsRole::kClient;
    if (client ? !cert->eku_client_auth : !cert->eku_server_auth) {
      return problem(
          f.cert_key, f.cert_file,
          std::string("extended key usage lacks ") +
              (client ? "clientAuth: it cannot identify a TLS client"
                      : "serverAuth: it cannot identify a TLS server") +
              " (subject \"" + cert->subject + "\")");
    }
  }
  Result<CertificateInfo> ca = InspectCertificate(*ca_pem);
  if (!ca.ok()) return named(f.ca_key, f.ca_file, ca.status());
  if (!f.store_id.empty()) {
    // Central never takes an admin's certificate for a store's, whatever
    // its CN (central/server/peer_identity.cc).
    for (const std::string& uri : cert->uri_sans) {
      if (uri.compare(0, kAdminUriPrefix.size(), kAdminUriPrefix) == 0) {
        return problem(f.cert_key, f.cert_file,
                       "is an admin certificate (URI SAN \"" + uri +
                           "\"), not a store's: central refuses it for "
                           "sync");
      }
    }
    Result<std::string> id = StoreIdFromCertificate(*cert);
    if (!id.ok()) return named(f.cert_key, f.cert_file, id.status());
    if (*id != f.store_id) {
      return problem(f.cert_key, f.cert_file,
                     "names store \"" + *id + "\" but " + f.store_key +
                         " is \"" + f.store_id +
                         "\" (central refuses a Hello for another store)");
    }
  }
  return Status::Ok();
}

std::string FormatUtc(int64_t micros) {
  const time_t secs = static_cast<time_t>(micros / 1'000'000);
  struct tm tm = {};
  if (::gmtime_r(&secs, &tm) == nullptr) return std::to_string(micros) + "us";
  char buf[32];
  if (std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return std::to_string(micros) + "us";
  }
  return buf;
}

}  // namespace storeagent::tls
