// The TLS side of central's HTTP listener (internal to http_server.cc):
// the server context of an HTTPS listener, and the certificates a client
// presented. Boost and OpenSSL types stay out of http_server.h.
#ifndef STOREAGENT_CENTRAL_SERVER_HTTP_TLS_H_
#define STOREAGENT_CENTRAL_SERVER_HTTP_TLS_H_

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "central/server/http_server.h"
#include "platform/status.h"

namespace storeagent::central {

// TLS 1.2 or later with `tls`'s pair. It asks every client for a
// certificate and takes any, or none (the handler decides), naming the CAs
// of `tls.client_ca_pem` in the request so that a browser offers only the
// certificates they issued. INVALID_ARGUMENT naming `key` when the pair
// does not load or the client CA holds no certificate.
Result<std::unique_ptr<boost::asio::ssl::context>> HttpTlsContext(
    const HttpTls& tls, const std::string& key);

// The client's certificate (PEM, "" when it sent none) and the ones it
// sent after it (PEM, possibly empty), once the handshake is done.
void PeerCertificates(SSL* ssl, std::string* leaf_pem, std::string* chain_pem);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_HTTP_TLS_H_
