// The TLS server context of the staff HTTP server (internal to agent/http):
// built from http.tls_cert_file / http.tls_key_file after LoadHttpsPair's
// checks, TLS 1.2 or later. Reload() builds a new context from the files
// and swaps it in for connections accepted from then on; when the new pair
// is bad, the context being served stays and the error names the file.
// Thread-safe.
#ifndef STOREAGENT_AGENT_HTTP_HTTPS_CONTEXT_H_
#define STOREAGENT_AGENT_HTTP_HTTPS_CONTEXT_H_

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "platform/clock.h"
#include "platform/status.h"
#include "platform/tls.h"

namespace storeagent::agent {

class HttpsContext {
 public:
  // REQUIRES: clock outlives this object.
  static Result<std::unique_ptr<HttpsContext>> Load(std::string cert_file,
                                                    std::string key_file,
                                                    const Clock& clock);

  // Re-reads `cert_file` and `key_file` (the paths may be new). OK: new
  // connections get the new pair. Otherwise nothing changes.
  Status Reload(const std::string& cert_file, const std::string& key_file);

  // The context for a connection accepted now.
  std::shared_ptr<boost::asio::ssl::context> Current() const;
  // The certificate served now.
  tls::CertificateInfo Leaf() const;
  std::string cert_file() const;

 private:
  explicit HttpsContext(const Clock& clock) : clock_(clock) {}

  const Clock& clock_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // guarded by mu_
  tls::CertificateInfo leaf_;                           // guarded by mu_
  std::string cert_file_;                               // guarded by mu_
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_HTTPS_CONTEXT_H_
