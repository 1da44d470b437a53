// A TLS handshake of our own, to say WHY a sync connection failed.
//
// gRPC 1.51 reports a refused certificate on the client as "Socket closed"
// or "failed to connect to all addresses" (gRPC code 14), the same words
// as a central that is down. When a sync connection fails before central
// answered, the agent runs this probe: one TCP connection to the same
// address and one TLS handshake with the same files (our certificate and
// key, central's CA as the only root, ALPN "h2", the same expected name),
// and reads who refused whom from OpenSSL: our verification of central's
// certificate, the name check, or the alert central sent about ours.
// docs/security.md ("Refused handshakes") explains the choice. It lives
// with the sync client, not in platform/ (which holds no transport code):
// it opens a socket and speaks TLS on it.
//
// Blocking, bounded by `timeout` in all (connect, handshake and the wait
// for central's verdict on our certificate, which TLS 1.3 sends after the
// client's Finished). Thread-safe; never throws; never quotes key material.
#ifndef STOREAGENT_AGENT_SYNC_TLS_PROBE_H_
#define STOREAGENT_AGENT_SYNC_TLS_PROBE_H_

#include <chrono>
#include <string>
#include <string_view>

namespace storeagent::agent {

struct ProbeResult {
  enum class Kind {
    kAccepted,          // both sides accepted the handshake
    kCentralRefusedUs,  // central sent a certificate alert about ours
    kWeRefusedCentral,  // central's certificate does not verify against CA
    kNameMismatch,      // central's certificate does not name the host
    kNoConnection,      // no TCP connection (refused, unreachable, timeout)
    kOther,             // any other failure (detail says what)
  };
  Kind kind = Kind::kOther;
  // One line for an operator: the alert, the verify error, the names the
  // certificate carries, or the socket error.
  std::string detail;
};

// `address` is "host:port" ("[v6]:port" too). `server_name` is the name
// central's certificate must carry ("" = the host of `address`). PEM data
// as the sync client holds it; `cert_pem` may carry a chain after the leaf.
ProbeResult ProbeHandshake(const std::string& address,
                           const std::string& server_name,
                           std::string_view ca_pem, std::string_view cert_pem,
                           std::string_view key_pem,
                           std::chrono::milliseconds timeout);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_TLS_PROBE_H_
