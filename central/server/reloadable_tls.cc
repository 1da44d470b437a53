#include "central/server/reloadable_tls.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>

#include <utility>

#include "platform/tls.h"

namespace storeagent::central {

// What gRPC core calls back with: the owner and the generation this port's
// handshaker factory was last built from.
struct ReloadableServerTls::Port {
  ReloadableServerTls* owner = nullptr;
  uint64_t served = UINT64_MAX;  // none yet: the first fetch loads the files

  static grpc_ssl_certificate_config_reload_status Fetch(
      void* user_data, grpc_ssl_server_certificate_config** config) {
    Port* port = static_cast<Port*>(user_data);
    ReloadableServerTls& o = *port->owner;
    std::lock_guard<std::mutex> lock(o.mu_);
    if (port->served == o.generation_) {
      return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
    }
    grpc_ssl_pem_key_cert_pair pair{o.files_.key_pem.c_str(),
                                    o.files_.cert_pem.c_str()};
    // gRPC copies the strings and destroys the config after use.
    *config = grpc_ssl_server_certificate_config_create(o.files_.ca_pem.c_str(),
                                                        &pair, 1);
    if (*config == nullptr) return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_FAIL;
    port->served = o.generation_;
    return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
  }
};

namespace {

// grpc::ServerCredentials over gRPC core credentials: what
// grpc::SslServerCredentials returns, but built with a config fetcher.
class FetcherCredentials final : public grpc::ServerCredentials {
 public:
  explicit FetcherCredentials(grpc_server_credentials* c) : c_(c) {}
  ~FetcherCredentials() override { grpc_server_credentials_release(c_); }
  void SetAuthMetadataProcessor(
      const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {}

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    return grpc_server_add_http2_port(server, addr.c_str(), c_);
  }
  grpc_server_credentials* const c_;
};

}  // namespace

Status CheckTlsFiles(const TlsFiles& files, int64_t now_us) {
  Result<tls::CertificateInfo> cert = tls::InspectCertificate(files.cert_pem);
  if (!cert.ok()) {
    return InvalidArgument("tls.cert_file: " + cert.status().message());
  }
  if (Status s = tls::CheckValidAt(*cert, now_us, "tls.cert_file"); !s.ok()) {
    return s;
  }
  if (Status s = tls::CheckKeyMatchesCert(files.cert_pem, files.key_pem);
      !s.ok()) {
    return Status(s.code(), "tls.key_file: " + s.message());
  }
  Result<tls::CertificateInfo> ca = tls::InspectCertificate(files.ca_pem);
  if (!ca.ok()) return InvalidArgument("tls.ca_file: " + ca.status().message());
  return Status::Ok();
}

ReloadableServerTls::ReloadableServerTls(TlsFiles files)
    : files_(std::move(files)) {}

// The servers using the credentials are gone by now; gRPC core released
// its references to the fetchers with them.
ReloadableServerTls::~ReloadableServerTls() = default;

std::shared_ptr<grpc::ServerCredentials> ReloadableServerTls::Credentials() {
  auto port = std::make_unique<Port>();
  port->owner = this;
  grpc_ssl_server_credentials_options* options =
      grpc_ssl_server_credentials_create_options_using_config_fetcher(
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
          &Port::Fetch, port.get());
  grpc_server_credentials* c =
      grpc_ssl_server_credentials_create_with_options(options);
  std::lock_guard<std::mutex> lock(mu_);
  ports_.push_back(std::move(port));
  return std::make_shared<FetcherCredentials>(c);
}

Status ReloadableServerTls::Replace(TlsFiles files, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(CheckTlsFiles(files, now_us));
  std::lock_guard<std::mutex> lock(mu_);
  files_ = std::move(files);
  ++generation_;
  return Status::Ok();
}

uint64_t ReloadableServerTls::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

}  // namespace storeagent::central
