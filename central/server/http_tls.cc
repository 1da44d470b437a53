#include "central/server/http_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/asio/ssl/verify_mode.hpp>

#include "platform/openssl_ptr.h"

namespace storeagent::central {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// PEM of `cert`; "" when null.
std::string ToPem(X509* cert) {
  if (cert == nullptr) return "";
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// The certificate request names the CAs of `ca_pem`, so that a browser
// offers only the certificates they issued.
bool AddClientCas(SSL_CTX* ctx, const std::string& ca_pem) {
  tls::BioPtr bio(
      BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  int added = 0;
  while (bio) {
    tls::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    if (SSL_CTX_add_client_CA(ctx, cert.get()) == 1) ++added;
  }
  ERR_clear_error();  // the read past the last certificate
  return added > 0;
}

}  // namespace

Result<std::unique_ptr<ssl::context>> HttpTlsContext(const HttpTls& t,
                                                     const std::string& key) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1,
                   ec);
  SSL_CTX* native = ctx->native_handle();
  if (!ec) SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (!ec) ctx->use_certificate_chain(net::buffer(t.cert_pem), ec);
  if (ec) return InvalidArgument(key + ": server certificate: " + ec.message());
  ctx->use_private_key(net::buffer(t.key_pem), ssl::context::pem, ec);
  if (ec) return InvalidArgument(key + ": server key: " + ec.message());
  if (!AddClientCas(native, t.client_ca_pem)) {
    return InvalidArgument(key + ": the client CA holds no certificate");
  }
  // Ask for a certificate, take any (or none): the handler verifies it.
  ctx->set_verify_mode(ssl::verify_peer);
  ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; });
  static constexpr unsigned char kSessionContext[] = "storecentral-http";
  SSL_CTX_set_session_id_context(native, kSessionContext,
                                 sizeof kSessionContext - 1);
  return ctx;
}

void PeerCertificates(SSL* ssl, std::string* leaf_pem, std::string* chain_pem) {
  *leaf_pem = ToPem(SSL_get0_peer_certificate(ssl));
  chain_pem->clear();
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      *chain_pem += ToPem(sk_X509_value(chain, i));
    }
  }
}

}  // namespace storeagent::central
