#include "agent/http/http_listener.h"

#include <array>
#include <chrono>
#include <string>
#include <utility>

#include "platform/log.h"

namespace storeagent::agent {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kBusyBody =
    "{\"error\":{\"code\":\"UNAVAILABLE\",\"field\":\"connections\","
    "\"message\":\"connections: too many open; retry shortly\"}}";
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

std::chrono::milliseconds Timeout(const HttpSessionHost& host) {
  return std::chrono::milliseconds(host.limits().io_timeout_ms);
}

}  // namespace

HttpListener::HttpListener(net::io_context& ioc, HttpSessionHost& host)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      backoff_(acceptor_.get_executor()),
      host_(host),
      sessions_(std::make_shared<SessionRegistry>()) {}

Result<std::shared_ptr<HttpListener>> HttpListener::Bind(
    net::io_context& ioc, const tcp::endpoint& endpoint,
    HttpSessionHost& host) {
  std::shared_ptr<HttpListener> l(new HttpListener(ioc, host));
  beast::error_code ec;
  const std::string where = endpoint.address().to_string() + " port " +
                            std::to_string(endpoint.port());
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + where + ": " + ec.message());
  l->port_ = l->acceptor_.local_endpoint(ec).port();
  return l;
}

void HttpListener::Run() {
  net::dispatch(acceptor_.get_executor(),
                [self = shared_from_this()] { self->Accept(); });
}

void HttpListener::Close() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    self->closed_ = true;
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
    self->sessions_->CloseAll();
  });
}

void HttpListener::Accept() {
  if (closed_) return;
  acceptor_.async_accept(
      net::make_strand(ioc_),
      [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void HttpListener::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (closed_ || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors and the like: wait a little instead of spinning.
    Log(LogLevel::kWarn, "http.accept_failed", {{"error", ec.message()}});
    backoff_.expires_after(kAcceptBackoff);
    backoff_.async_wait([self = shared_from_this()](beast::error_code wec) {
      if (!wec) self->Accept();
    });
    return;
  }
  if (host_.stopping()) {
    beast::error_code cec;
    socket.close(cec);
  } else if (sessions_->size() >=
             static_cast<size_t>(host_.limits().max_connections)) {
    Refuse(std::move(socket));
  } else if (std::shared_ptr<net::ssl::context> tls = host_.tls_context()) {
    std::make_shared<HttpSession<TlsStream>>(std::move(socket), std::move(tls),
                                             host_, sessions_)
        ->Start();
  } else {
    std::make_shared<HttpSession<PlainStream>>(std::move(socket), nullptr,
                                               host_, sessions_)
        ->Start();
  }
  Accept();
}

// A connection over the limit: 503, then drain what the peer sends until it
// closes or the timeout, so that closing does not reset the connection
// before the peer has read the answer.
class HttpRefusal : public std::enable_shared_from_this<HttpRefusal> {
 public:
  HttpRefusal(tcp::socket socket, std::chrono::milliseconds timeout)
      : stream_(std::move(socket)),
        answer_(
            "HTTP/1.1 503 Service Unavailable\r\n"
            "Content-Type: application/json\r\n"
            "Connection: close\r\n"
            "Retry-After: 1\r\n"
            "Content-Length: " +
            std::to_string(kBusyBody.size()) + "\r\n\r\n" +
            std::string(kBusyBody)) {
    stream_.expires_after(timeout);  // for the whole exchange
  }

  void Start() {
    net::async_write(
        stream_, net::buffer(answer_),
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return;
          beast::error_code sec;
          self->stream_.socket().shutdown(tcp::socket::shutdown_send, sec);
          self->Drain();
        });
  }

 private:
  void Drain() {
    stream_.async_read_some(
        net::buffer(scratch_),
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (!ec) self->Drain();
        });
  }

  beast::tcp_stream stream_;
  std::string answer_;
  std::array<char, 512> scratch_{};
};

void HttpListener::Refuse(tcp::socket socket) {
  Log(LogLevel::kWarn, "http.too_many_connections",
      {{"limit", std::to_string(host_.limits().max_connections)}});
  if (host_.tls_context()) {
    // No plain 503 on an HTTPS port (the client expects a handshake), and
    // no handshake for a connection over the limit: closed.
    beast::error_code ec;
    socket.close(ec);
    return;
  }
  std::make_shared<HttpRefusal>(std::move(socket), Timeout(host_))->Start();
}

}  // namespace storeagent::agent
