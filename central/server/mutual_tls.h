// The credentials of central's mutual-TLS listeners: the sync port (unless
// tls.insecure) and the admin port with admin.tls.
//
// gRPC's TlsServerCredentials with tls.cert_file / tls.key_file as the
// identity and tls.ca_file as the roots, asking for a client certificate
// and requiring one (a client without any fails in the TLS handshake, as
// before), but leaving its verification to our verifier
// (grpc::experimental::ExternalCertificateVerifier, synchronous), which
// runs ClientCertVerifier (client_cert_verifier.h) on the certificate the
// client presented, once the TLS handshake ends and before gRPC's security
// handshake hands over the connection: nothing reaches a service from a
// refused certificate. A refusal is one `tls.handshake_refused` warn line
// (listener, subject, issuer, serial, not_after, reason) and one count in
// storecentral_tls_handshakes_refused_total; the client sees the handshake
// fail (gRPC UNAVAILABLE). docs/security.md says why ("Refused handshakes,
// seen from central"). gRPC 1.51 gives the verifier no peer address.
#ifndef STOREAGENT_CENTRAL_SERVER_MUTUAL_TLS_H_
#define STOREAGENT_CENTRAL_SERVER_MUTUAL_TLS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>

#include "central/server/central_config.h"
#include "central/server/central_metrics.h"
#include "platform/status.h"

namespace storeagent::central {

// `refusals` is kept by the verifier (gRPC may keep it past the server).
// INVALID_ARGUMENT when config.ca_pem holds no certificate.
Result<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const CentralConfig& config, TlsListener listener,
    std::shared_ptr<HandshakeRefusals> refusals);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_MUTUAL_TLS_H_
