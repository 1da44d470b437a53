// FleetCa: the certificates of a simulated fleet, made in-process with
// OpenSSL: one CA (EC P-256), central's server certificate and one client
// certificate per store, with the profiles installer/dev-ca uses (store:
// CN=<id>, SAN URI:storeagent:store:<id>, EKU clientAuth; central: SAN
// DNS:localhost, IP:127.0.0.1, EKU serverAuth). A P-256 key and a signature
// take well under a millisecond, so 2,000 stores cost about a second
// (dev-ca, a few openssl processes per certificate, would take minutes).
#ifndef STOREAGENT_BENCH_FLEET_CERTS_H_
#define STOREAGENT_BENCH_FLEET_CERTS_H_

#include <memory>
#include <string>

namespace storeagent::bench {

struct PemPair {
  std::string cert;
  std::string key;
};

class FleetCa {
 public:
  FleetCa();
  ~FleetCa();
  FleetCa(const FleetCa&) = delete;
  FleetCa& operator=(const FleetCa&) = delete;

  // False when OpenSSL failed to make the CA.
  bool ok() const;
  const std::string& ca_pem() const { return ca_pem_; }
  // Writes ca.pem, central.pem and central.key into `dir` (the layout
  // CentralOptions::tls_dir expects). False on any failure.
  bool WriteCentralFiles(const std::string& dir) const;
  // A store's client certificate and key; empty on failure.
  PemPair IssueStore(const std::string& store_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string ca_pem_;
};

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_FLEET_CERTS_H_
