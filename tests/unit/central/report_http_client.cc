#include "tests/unit/central/report_http_client.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cctype>

namespace storeagent::central::test {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

void SetTimeouts(int fd, int timeout_s) {
  timeval tv{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

}  // namespace

int ConnectLoopback(int port, int timeout_s) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  SetTimeouts(fd, timeout_s);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string Exchange(int port, const std::string& request, int timeout_s) {
  const int fd = ConnectLoopback(port, timeout_s);
  if (fd < 0) return "";
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

HttpReply ParseReply(const std::string& raw) {
  HttpReply r;
  r.raw = raw;
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) {
    r.error = raw.empty() ? "no answer" : "not an HTTP answer";
    return r;
  }
  r.status = std::atoi(raw.substr(9, 3).c_str());
  size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    const size_t eol = raw.find("\r\n", line);
    const std::string h = raw.substr(line, eol - line);
    const size_t colon = h.find(':');
    if (colon != std::string::npos) {
      size_t v = colon + 1;
      while (v < h.size() && h[v] == ' ') ++v;
      r.headers[Lower(h.substr(0, colon))] = h.substr(v);
    }
    line = eol + 2;
  }
  r.body = raw.substr(end + 4);
  return r;
}

HttpReply PlainRequest(int port, const std::string& method,
                       const std::string& target, int timeout_s) {
  return ParseReply(Exchange(
      port, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      timeout_s));
}

HttpReply TlsGet(int port, const std::string& server_ca_pem,
                 const std::string& client_cert_pem,
                 const std::string& client_key_pem, const std::string& target) {
  HttpReply failed;
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx.add_certificate_authority(net::buffer(server_ca_pem), ec);
  ctx.set_verify_mode(ssl::verify_peer);
  if (!client_cert_pem.empty()) {
    if (!ec) ctx.use_certificate_chain(net::buffer(client_cert_pem), ec);
    if (!ec) {
      ctx.use_private_key(net::buffer(client_key_pem), ssl::context::pem, ec);
    }
  }
  if (ec) {
    failed.error = "client context: " + ec.message();
    return failed;
  }
  const int fd = ConnectLoopback(port, 5);
  if (fd < 0) {
    failed.error = "connect failed";
    return failed;
  }
  ssl::stream<net::ip::tcp::socket> stream(ioc, ctx);
  stream.next_layer().assign(net::ip::tcp::v4(), fd, ec);
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  if (!ec) stream.handshake(ssl::stream_base::client, ec);
  if (ec) {
    failed.error = "handshake: " + ec.message();
    return failed;
  }
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  net::write(stream, net::buffer(request), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    const size_t n = stream.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  HttpReply r = ParseReply(out);
  if (r.status == 0) r.error = "no answer after the handshake: " + ec.message();
  return r;
}

}  // namespace storeagent::central::test
