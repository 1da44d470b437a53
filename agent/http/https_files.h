// The staff page's HTTPS certificate and key (http.tls_cert_file,
// http.tls_key_file): the checks `storeagentd --check-config`, the start and
// every SIGHUP make before a pair is served. No Asio here, so the config
// loader can use it.
#ifndef STOREAGENT_AGENT_HTTP_HTTPS_FILES_H_
#define STOREAGENT_AGENT_HTTP_HTTPS_FILES_H_

#include <cstdint>
#include <string>

#include "platform/status.h"
#include "platform/tls.h"

namespace storeagent::agent {

// The PEM text of a pair and what its certificate says.
struct HttpsPair {
  std::string cert_pem;  // the chain, leaf first
  std::string key_pem;
  tls::CertificateInfo leaf;
};

// Reads and checks the pair: both PEM, the certificate parses and is valid
// at `now_us`, the key (unencrypted) is the certificate's. Every error
// starts with the config key and names the file:
//   "http.tls_cert_file: /etc/storeagent/staff.pem expired at ...",
//   "http.tls_key_file: /etc/storeagent/staff.key is not the private key of
//    /etc/storeagent/staff.pem".
Result<HttpsPair> LoadHttpsPair(const std::string& cert_file,
                                const std::string& key_file, int64_t now_us);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_HTTPS_FILES_H_
