// ClientCertVerifier: central's check of a client certificate chain (a
// store's on the sync port, an admin's on the admin port with admin.tls).
//
// Until 0.3 OpenSSL made this check inside the TLS handshake
// (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY), and a
// refused certificate left only gRPC's "certificate verify failed" line,
// without its subject. Central's mutual-TLS listeners now let the handshake
// take any certificate and hand it to their verifier
// (central/server/mutual_tls.h), which refuses it before the connection
// carries anything, with this same check: X509_verify_cert with the
// certificates of tls.ca_file as the only trust anchors, the rest of the
// presented chain as untrusted intermediates, purpose sslclient, and the
// flags and authentication level gRPC's handshake gave OpenSSL
// (docs/security.md, "Refused handshakes, seen from central").
//
// No gRPC here, so the check is tested on its own. Thread-safe: Verify
// only reads the store, which OpenSSL locks for lookups.
#ifndef STOREAGENT_CENTRAL_SERVER_CLIENT_CERT_VERIFIER_H_
#define STOREAGENT_CENTRAL_SERVER_CLIENT_CERT_VERIFIER_H_

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "platform/status.h"
#include "platform/tls.h"

namespace storeagent::central {

// Why a client certificate was refused, as a bounded metric label.
enum class ClientCertRefusal {
  kExpired,       // the leaf or a CA certificate of its chain expired
  kNotYetValid,   // not valid yet (or the host's clock is behind)
  kUntrusted,     // no chain to a certificate of tls.ca_file, a bad signature
  kWrongPurpose,  // extended key usage does not allow a TLS client
  kOther,         // anything else, a missing or unparsable certificate too
};

// Labels of ClientCertRefusal, in enum order: "expired", "not_yet_valid",
// "untrusted", "wrong_purpose", "other".
inline constexpr std::array<std::string_view, 5> kClientCertRefusalLabels = {
    "expired", "not_yet_valid", "untrusted", "wrong_purpose", "other"};

inline std::string_view ClientCertRefusalLabel(ClientCertRefusal r) {
  return kClientCertRefusalLabels[static_cast<size_t>(r)];
}

struct ClientCertVerdict {
  bool accepted = false;
  ClientCertRefusal refusal = ClientCertRefusal::kOther;  // when refused
  // When refused: OpenSSL's X509_verify_cert_error_string ("certificate has
  // expired"), followed by the certificate it concerns when that is not the
  // leaf; or why there is no certificate to verify.
  std::string reason;
  // The leaf's facts; nullopt when it is missing or does not parse.
  std::optional<tls::CertificateInfo> leaf;
};

class ClientCertVerifier {
 public:
  // Trusts every certificate in `ca_pem` (tls.ca_file). INVALID_ARGUMENT
  // when it holds none.
  static Result<std::shared_ptr<const ClientCertVerifier>> Create(
      std::string_view ca_pem);
  ~ClientCertVerifier();
  ClientCertVerifier(const ClientCertVerifier&) = delete;
  ClientCertVerifier& operator=(const ClientCertVerifier&) = delete;

  // Verifies the PEM leaf `leaf_pem` at the current time, with the PEM
  // certificates of `chain_pem` (what the client sent after its leaf; the
  // leaf again is harmless) as untrusted intermediates. An empty or
  // unparsable leaf is refused (kOther).
  ClientCertVerdict Verify(std::string_view leaf_pem,
                           std::string_view chain_pem) const;

 private:
  ClientCertVerifier(X509_STORE* store, int auth_level);

  X509_STORE* const store_;
  const int auth_level_;
};

// ClientCertVerifier::Create(ca_pem), then Verify; a `ca_pem` without a
// certificate refuses everything (kOther).
ClientCertVerdict VerifyClientChain(std::string_view ca_pem,
                                    std::string_view leaf_pem,
                                    std::string_view chain_pem);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CLIENT_CERT_VERIFIER_H_
