// TLS material: loading PEM files and reading the facts the sync link needs
// out of X.509 certificates, on OpenSSL 3 (no gRPC here).
//
// The sync stream runs over mTLS. Each store holds a client certificate whose
// subject alternative name is the URI "storeagent:store:<store_id>" (CN =
// store id as a fallback); central holds a server certificate for its host
// names. installer/dev-ca makes both; docs/security.md explains the profiles.
// Central learns the store from the peer certificate with
// StoreIdFromCertificate; both daemons check their own files at start (and
// in --check-config) with CheckOwnTlsFiles, so a missing, expired,
// mismatched, wrong-purpose or other store's file is reported by config key
// and path before any dial or listen.
//
// Every function is thread-safe (no shared state) and none throws. Errors
// never quote key material.
#ifndef STOREAGENT_PLATFORM_TLS_H_
#define STOREAGENT_PLATFORM_TLS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"

namespace storeagent::tls {

// A PEM file larger than this is refused: a certificate chain or a key is a
// few kilobytes.
inline constexpr size_t kMaxPemBytes = 256 * 1024;

// URI SAN prefix that names a store in a client certificate.
inline constexpr std::string_view kStoreUriPrefix = "storeagent:store:";
// URI SAN prefix of an admin's certificate ("storeagent:admin:ROLE:NAME"),
// which never names a store.
inline constexpr std::string_view kAdminUriPrefix = "storeagent:admin:";

// A store id: 1..kMaxStoreIdLength characters of [A-Za-z0-9._-] (the same
// rule as the agent's store.id).
inline constexpr size_t kMaxStoreIdLength = 64;

// The whole PEM file at `path`, checked to hold at least one
// "-----BEGIN ...-----" / "-----END ...-----" block. Errors name the path:
// NOT_FOUND (missing), PERMISSION_DENIED, OUT_OF_RANGE (over kMaxPemBytes),
// INVALID_ARGUMENT (empty, or not PEM, e.g. a DER file).
Result<std::string> LoadPem(const std::string& path);

// What InspectCertificate reads from a certificate.
struct CertificateInfo {
  std::string subject;     // RFC 2253 one line, "CN=S-0042,O=storeagent dev"
  std::string subject_cn;  // empty when the subject has no CN
  std::string issuer;      // RFC 2253 one line
  std::vector<std::string> uri_sans;  // in certificate order
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;  // text form, "127.0.0.1", "::1"
  int64_t not_before_us = 0;         // microseconds since the Unix epoch
  int64_t not_after_us = 0;
  bool is_ca = false;  // basicConstraints CA:TRUE
  // extendedKeyUsage: false when the certificate carries no EKU extension
  // (then it may serve any purpose); else which of the two TLS uses it names.
  bool has_eku = false;
  bool eku_client_auth = false;
  bool eku_server_auth = false;
  std::string serial_hex;  // upper-case hex, as openssl prints it
};

// Facts of the FIRST certificate in `pem` (a chain file starts with the
// leaf). INVALID_ARGUMENT when `pem` holds no parsable certificate.
Result<CertificateInfo> InspectCertificate(std::string_view pem);

// The store a client certificate belongs to: the id of its one URI SAN
// "storeagent:store:<id>", else its subject CN. INVALID_ARGUMENT when two
// such URI SANs name different stores, when there is neither, or when the id
// breaks the store id rule.
Result<std::string> StoreIdFromCertificate(const CertificateInfo& info);
// The same from a PEM certificate (e.g. gRPC's "x509_pem_cert" peer
// property): InspectCertificate, then the rule above.
Result<std::string> StoreIdFromCertificate(std::string_view pem);

// OK when `info` is valid at `now_us` (not_before <= now <= not_after).
// FAILED_PRECONDITION otherwise, saying "expired at <UTC time>" or "not valid
// before <UTC time>" after `what` (e.g. the file path).
Status CheckValidAt(const CertificateInfo& info, int64_t now_us,
                    std::string_view what);

// OK when the private key in `key_pem` (PKCS#8 or traditional, unencrypted)
// is the key of the first certificate in `cert_pem`. INVALID_ARGUMENT when
// either does not parse; FAILED_PRECONDITION when they do not match.
Status CheckKeyMatchesCert(std::string_view cert_pem, std::string_view key_pem);

// Which TLS use a daemon's own certificate is for.
enum class TlsRole {
  kClient,  // the agent's sync certificate: EKU clientAuth
  kServer,  // central's sync/admin certificate: EKU serverAuth
};

// A daemon's own TLS files, with the config keys that name them (errors
// say "sync.cert_file /etc/storeagent/tls/store.pem: ...").
struct OwnTlsFiles {
  std::string ca_key;  // e.g. "sync.ca_file"
  std::string ca_file;
  std::string cert_key;  // e.g. "sync.cert_file"
  std::string cert_file;
  std::string key_key;  // e.g. "sync.key_file"
  std::string key_file;
  TlsRole role = TlsRole::kClient;
  // When not empty: the certificate must name this store
  // (StoreIdFromCertificate), and `store_key` names the setting it comes
  // from ("store.id").
  std::string store_id;
  std::string store_key = "store.id";
};

// Everything a handshake will need from the daemon's own files, checked
// before any dial or listen: each file exists, is readable and is PEM
// (LoadPem); the certificate parses and is valid at `now_us`; the key is
// the certificate's; the EKU allows `role`; the CA file holds a
// certificate; and, with `store_id`, the certificate names that store and
// is no admin's (a URI SAN "storeagent:admin:..."), as central reads it. The
// first problem found is returned, naming the key, the file and what is
// wrong: NOT_FOUND / PERMISSION_DENIED for an unreadable file,
// INVALID_ARGUMENT for one that does not parse, FAILED_PRECONDITION for a
// certificate that is expired, not yet valid, the wrong key, the wrong EKU
// or another store's.
Status CheckOwnTlsFiles(const OwnTlsFiles& files, int64_t now_us);

// "2024-05-17T12:00:00Z" for microseconds since the epoch (whole seconds).
std::string FormatUtc(int64_t micros);

}  // namespace storeagent::tls

#endif  // STOREAGENT_PLATFORM_TLS_H_
