#include "agent/http/https_context.h"

#include <openssl/ssl.h>

#include "agent/http/https_files.h"

namespace storeagent::agent {
namespace {

namespace ssl = boost::asio::ssl;

// A server context serving `pair`; errors name the file at fault.
Result<std::shared_ptr<ssl::context>> Build(const HttpsPair& pair,
                                            const std::string& cert_file,
                                            const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  if (ec) return Internal("http.tls: TLS options: " + ec.message());
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) !=
      1) {
    return Internal("http.tls: cannot require TLS 1.2");
  }
  ctx->use_certificate_chain(
      boost::asio::buffer(pair.cert_pem.data(), pair.cert_pem.size()), ec);
  if (ec) {
    return InvalidArgument("http.tls_cert_file: " + cert_file + ": " +
                           ec.message());
  }
  ctx->use_private_key(
      boost::asio::buffer(pair.key_pem.data(), pair.key_pem.size()),
      ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("http.tls_key_file: " + key_file + ": " +
                           ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return FailedPrecondition("http.tls_key_file: " + key_file +
                              " is not the private key of " + cert_file);
  }
  return ctx;
}

}  // namespace

Result<std::unique_ptr<HttpsContext>> HttpsContext::Load(std::string cert_file,
                                                         std::string key_file,
                                                         const Clock& clock) {
  std::unique_ptr<HttpsContext> c(new HttpsContext(clock));
  STOREAGENT_RETURN_IF_ERROR(c->Reload(cert_file, key_file));
  return c;
}

Status HttpsContext::Reload(const std::string& cert_file,
                            const std::string& key_file) {
  Result<HttpsPair> pair =
      LoadHttpsPair(cert_file, key_file, clock_.NowMicros());
  if (!pair.ok()) return pair.status();
  Result<std::shared_ptr<ssl::context>> ctx = Build(*pair, cert_file, key_file);
  if (!ctx.ok()) return ctx.status();
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(ctx).value();
  leaf_ = std::move(pair->leaf);
  cert_file_ = cert_file;
  return Status::Ok();
}

std::shared_ptr<ssl::context> HttpsContext::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

tls::CertificateInfo HttpsContext::Leaf() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leaf_;
}

std::string HttpsContext::cert_file() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cert_file_;
}

}  // namespace storeagent::agent
