// ReloadableServerTls: central's mutual-TLS server credentials, whose key,
// certificate and CA can be replaced while the ports listen (SIGHUP).
//
// gRPC C++ has no public way to replace an SSL server's files, but gRPC
// core has one: SSL server credentials built with a certificate config
// fetcher ask it for the current files before every new handshake. Each
// port gets credentials of its own wrapping such a fetcher; Replace()
// checks the new files (the certificate parses, is valid now, the key is
// its key, the CA parses) and only then publishes them, so the next
// handshake on every port uses them. Connections already open, and the
// stores' streams on them, are not touched. A refused Replace() changes
// nothing. The client certificate rule is the one the ports always had:
// required, and verified against the CA.
//
// Thread-safe; outlives the servers that use its credentials.
#ifndef STOREAGENT_CENTRAL_SERVER_RELOADABLE_TLS_H_
#define STOREAGENT_CENTRAL_SERVER_RELOADABLE_TLS_H_

#include <grpcpp/security/server_credentials.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "platform/status.h"

namespace storeagent::central {

struct TlsFiles {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

class ReloadableServerTls {
 public:
  explicit ReloadableServerTls(TlsFiles files);
  ~ReloadableServerTls();
  ReloadableServerTls(const ReloadableServerTls&) = delete;
  ReloadableServerTls& operator=(const ReloadableServerTls&) = delete;

  // Credentials for one listening port.
  std::shared_ptr<grpc::ServerCredentials> Credentials();

  // Checks `files` at `now_us` and makes them the ones new handshakes use.
  // INVALID_ARGUMENT / FAILED_PRECONDITION naming the key (tls.cert_file,
  // tls.key_file, tls.ca_file) and what is wrong; then nothing changed.
  Status Replace(TlsFiles files, int64_t now_us);

  // How many times the files were replaced (0 at start).
  uint64_t generation() const;

  struct Port;  // one port's fetcher state

 private:
  friend struct Port;
  mutable std::mutex mu_;
  TlsFiles files_;                            // guarded by mu_
  uint64_t generation_ = 0;                   // guarded by mu_
  std::vector<std::unique_ptr<Port>> ports_;  // guarded by mu_
};

// The checks Replace() runs, for --check-config and tests.
Status CheckTlsFiles(const TlsFiles& files, int64_t now_us);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_RELOADABLE_TLS_H_
