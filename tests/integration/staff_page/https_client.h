// A small HTTPS/1.1 client for the staff server's TLS tests: one GET on a
// fresh connection to 127.0.0.1, the server's certificate verified against
// a CA file and the address 127.0.0.1, and the serial of the certificate
// the server presented. Every wait is bounded (5 s in all).
#ifndef STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_HTTPS_CLIENT_H_
#define STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_HTTPS_CLIENT_H_

#include <string>

namespace storeagent::agent::test {

struct HttpsReply {
  int status = 0;  // 0: no HTTP answer (see error)
  std::string body;
  std::string served_serial;  // upper-case hex, as tls::CertificateInfo
  std::string error;          // what failed: connect, handshake, ...
};

// GET `target` with `token` as bearer ("" for none), trusting only
// `ca_file`.
HttpsReply HttpsGet(int port, const std::string& ca_file,
                    const std::string& target, const std::string& token = "");

// A dev-ca command: installer/dev-ca ARGS (e.g. "central DIR --force");
// true when it exited 0.
bool DevCa(const std::string& args);

// The serial (upper-case hex) of the certificate in the PEM file
// `pem_file`; "" when it cannot be read.
std::string SerialOf(const std::string& pem_file);

}  // namespace storeagent::agent::test

#endif  // STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_HTTPS_CLIENT_H_
