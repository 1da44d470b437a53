// A small HTTP/1.1 client for central's HTTP listeners in tests: one
// request on a fresh loopback connection, plain or TLS (with a client
// certificate of the test's choosing), the answer read until the server
// closes. Every wait is bounded.
#ifndef STOREAGENT_TESTS_UNIT_CENTRAL_REPORT_HTTP_CLIENT_H_
#define STOREAGENT_TESTS_UNIT_CENTRAL_REPORT_HTTP_CLIENT_H_

#include <map>
#include <string>

namespace storeagent::central::test {

struct HttpReply {
  int status = 0;                              // 0: no HTTP answer (see error)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string raw;    // the whole answer as read
  std::string error;  // what failed: connect, handshake, ...
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// A loopback TCP connection to `port` with `timeout_s` read and write
// timeouts; -1 when it cannot connect. The caller closes it.
int ConnectLoopback(int port, int timeout_s = 5);

// Sends `request` as is and reads until the server closes (or
// `timeout_s`).
std::string Exchange(int port, const std::string& request, int timeout_s = 5);
HttpReply ParseReply(const std::string& raw);
HttpReply PlainRequest(int port, const std::string& method,
                       const std::string& target, int timeout_s = 5);

// HTTPS: trusts only `server_ca_pem` for the server's certificate (issued
// for 127.0.0.1); presents `client_cert_pem` / `client_key_pem` when not
// empty.
HttpReply TlsGet(int port, const std::string& server_ca_pem,
                 const std::string& client_cert_pem,
                 const std::string& client_key_pem, const std::string& target);

}  // namespace storeagent::central::test

#endif  // STOREAGENT_TESTS_UNIT_CENTRAL_REPORT_HTTP_CLIENT_H_
