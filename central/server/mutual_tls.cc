#include "central/server/mutual_tls.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "central/server/client_cert_verifier.h"
#include "platform/log.h"
#include "platform/tls.h"

namespace storeagent::central {
namespace {

using grpc::experimental::TlsCustomVerificationCheckRequest;

std::string_view View(const grpc::string_ref& r) {
  return std::string_view(r.data(), r.size());
}

// gRPC calls Verify once per handshake whose TLS part completed, on one of
// its threads; the answer is synchronous (no callback, nothing to cancel).
class RefusalLoggingVerifier final
    : public grpc::experimental::ExternalCertificateVerifier {
 public:
  RefusalLoggingVerifier(std::shared_ptr<const ClientCertVerifier> check,
                         TlsListener listener,
                         std::shared_ptr<HandshakeRefusals> refusals)
      : check_(std::move(check)),
        listener_(listener),
        refusals_(std::move(refusals)) {}

  bool Verify(TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/,
              grpc::Status* sync_status) override {
    const ClientCertVerdict v = check_->Verify(
        View(request->peer_cert()), View(request->peer_cert_full_chain()));
    if (v.accepted) {
      *sync_status = grpc::Status::OK;
      return true;
    }
    refusals_->Count(listener_, v.refusal);
    const tls::CertificateInfo unknown;
    const tls::CertificateInfo& leaf = v.leaf ? *v.leaf : unknown;
    Log(LogLevel::kWarn, "tls.handshake_refused",
        {{"listener", std::string(TlsListenerLabel(listener_))},
         {"subject", leaf.subject},
         {"issuer", leaf.issuer},
         {"serial", leaf.serial_hex},
         {"not_after",
          v.leaf ? tls::FormatUtc(leaf.not_after_us) : std::string()},
         {"reason", v.reason}});
    *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, v.reason);
    return true;
  }

  void Cancel(TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  const std::shared_ptr<const ClientCertVerifier> check_;
  const TlsListener listener_;
  const std::shared_ptr<HandshakeRefusals> refusals_;
};

}  // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const CentralConfig& config, TlsListener listener,
    std::shared_ptr<HandshakeRefusals> refusals) {
  Result<std::shared_ptr<const ClientCertVerifier>> check =
      ClientCertVerifier::Create(config.ca_pem);
  if (!check.ok()) return check.status();
  // The roots still go to the handshake: the certificate request names the
  // CAs central trusts (as before), which helps a client choose; with
  // BUT_DONT_VERIFY OpenSSL does not judge the chain with them.
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
          config.ca_pem, std::vector<grpc::experimental::IdentityKeyCertPair>{
                             {config.key_pem, config.cert_pem}});
  grpc::experimental::TlsServerCredentialsOptions opts(provider);
  opts.watch_root_certs();
  opts.watch_identity_key_cert_pairs();
  opts.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  opts.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<
          RefusalLoggingVerifier>(std::move(check).value(), listener,
                                  std::move(refusals)));
  return grpc::experimental::TlsServerCredentials(opts);
}

}  // namespace storeagent::central
