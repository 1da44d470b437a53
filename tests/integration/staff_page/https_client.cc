#include "tests/integration/staff_page/https_client.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>

#include "platform/tls.h"
#include "tests/integration/staff_page/node_runner.h"

namespace storeagent::agent::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(5);

std::string PeerSerial(SSL* ssl_handle) {
  X509* cert = SSL_get1_peer_certificate(ssl_handle);
  if (cert == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (bio != nullptr && PEM_write_bio_X509(bio, cert) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  X509_free(cert);
  Result<tls::CertificateInfo> info = tls::InspectCertificate(pem);
  return info.ok() ? info->serial_hex : "";
}

}  // namespace

HttpsReply HttpsGet(int port, const std::string& ca_file,
                    const std::string& target, const std::string& token) {
  HttpsReply out;
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  beast::error_code ec;
  ctx.load_verify_file(ca_file, ec);
  if (ec) {
    out.error = "CA file: " + ec.message();
    return out;
  }
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()),
                                "127.0.0.1");
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"),
                         static_cast<unsigned short>(port));
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  auto res = std::make_shared<http::response<http::string_body>>();
  beast::flat_buffer buffer;
  std::string step = "connect";
  beast::get_lowest_layer(stream).expires_after(kTimeout);
  beast::get_lowest_layer(stream).async_connect(ep, [&](beast::error_code e1) {
    if (e1) {
      out.error = step + ": " + e1.message();
      return;
    }
    step = "handshake";
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e2) {
      if (e2) {
        out.error = step + ": " + e2.message();
        return;
      }
      out.served_serial = PeerSerial(stream.native_handle());
      step = "write";
      http::async_write(stream, req, [&](beast::error_code e3, std::size_t) {
        if (e3) {
          out.error = step + ": " + e3.message();
          return;
        }
        step = "read";
        http::async_read(stream, buffer, *res,
                         [&](beast::error_code e4, std::size_t) {
                           if (e4) {
                             out.error = step + ": " + e4.message();
                             return;
                           }
                           out.status = static_cast<int>(res->result_int());
                           out.body = res->body();
                         });
      });
    });
  });
  ioc.run_for(kTimeout + std::chrono::seconds(1));
  if (out.status == 0 && out.error.empty()) out.error = step + ": timed out";
  return out;
}

bool DevCa(const std::string& args) {
  std::string out;
  return RunShell(
             std::string(STOREAGENT_SOURCE_DIR) + "/installer/dev-ca " + args,
             &out) == 0;
}

std::string SerialOf(const std::string& pem_file) {
  Result<std::string> pem = tls::LoadPem(pem_file);
  if (!pem.ok()) return "";
  Result<tls::CertificateInfo> info = tls::InspectCertificate(*pem);
  return info.ok() ? info->serial_hex : "";
}

}  // namespace storeagent::agent::test
