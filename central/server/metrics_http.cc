// After Boost.Beast's async HTTP server example, cut down to one request
// per connection on one thread (no strands needed).
#include "central/server/metrics_http.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "platform/listen_address.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace storeagent::central {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kMaxHeaderBytes = 8 * 1024;
constexpr auto kConnectionTimeout = std::chrono::seconds(10);
constexpr int kMaxConnections = 64;

}  // namespace

struct MetricsHttpServer::Impl {
  // Declared before the io_context: sessions whose handlers the context
  // destroys on its way out still count themselves off.
  int connections = 0;  // I/O thread only
  bool stopped = false;
  Render render;
  int port = 0;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  // After a failed accept (out of descriptors, say): a pause, not a spin.
  net::steady_timer backoff{ioc};
  std::thread thread;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, MetricsHttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    ++server_.connections;
    parser_.header_limit(kMaxHeaderBytes);
    parser_.body_limit(0);
  }
  ~Session() { --server_.connections; }

  void Run() {
    stream_.expires_after(kConnectionTimeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return;  // the client left, was too slow, or the server is stopping
    }
    if (ec == http::error::header_limit) {
      Answer(http::status::request_header_fields_too_large,
             "request header: more than 8 KiB\n", false);
    } else if (ec) {
      Answer(http::status::bad_request, "bad request: " + ec.message() + "\n",
             false);
    } else {
      Route(parser_.get());
    }
  }

  void Route(const http::request<http::empty_body>& req) {
    head_only_ = req.method() == http::verb::head;
    const beast::string_view target = req.target();
    const beast::string_view path = target.substr(0, target.find('?'));
    if (path != "/metrics") {
      Answer(http::status::not_found, "only /metrics is served here\n", false);
      return;
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      Answer(http::status::method_not_allowed, "/metrics: GET or HEAD only\n",
             false);
      return;
    }
    Result<std::string> text = server_.render();
    if (!text.ok()) {
      Answer(http::status::service_unavailable, text.status().ToString() + "\n",
             false);
      return;
    }
    Answer(http::status::ok, std::move(text).value(), true);
  }

  void Answer(http::status status, std::string body, bool metrics) {
    const bool head_only = head_only_;
    res_.result(status);
    res_.version(11);
    res_.set(http::field::server, "storeagent");
    res_.set(http::field::content_type, metrics ? platform::kMetricsContentType
                                                : "text/plain; charset=utf-8");
    res_.keep_alive(false);
    if (status == http::status::method_not_allowed) {
      res_.set(http::field::allow, "GET, HEAD");
    }
    res_.content_length(body.size());
    if (!head_only) res_.body() = std::move(body);
    serializer_.emplace(res_);
    if (head_only) serializer_->split(true);
    auto done = [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    };
    if (head_only) {
      http::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      http::async_write(stream_, *serializer_, std::move(done));
    }
  }

  beast::tcp_stream stream_;
  MetricsHttpServer::Impl& server_;
  beast::flat_buffer buffer_{kMaxHeaderBytes};
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  bool head_only_ = false;  // a HEAD request: headers only, whatever status
};

}  // namespace

void MetricsHttpServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopped || ec == net::error::operation_aborted) return;
    if (ec) {
      Log(LogLevel::kWarn, "metrics.accept_failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      backoff.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopped) Accept();
      });
      return;
    }
    if (connections >= kMaxConnections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Run();
    }
    Accept();
  });
}

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, std::string_view listen_key, Render render) {
  Result<platform::ListenAddress> address =
      platform::ParseListenAddress(listen, listen_key);
  if (!address.ok()) return address.status();
  const tcp::endpoint endpoint(net::ip::make_address(address->ip),
                               address->port);
  auto impl = std::make_unique<Impl>();
  impl->render = std::move(render);
  beast::error_code ec;
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable(std::string(listen_key) + ": cannot listen on " +
                       listen + ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint(ec).port();
  impl->Accept();
  impl->thread = std::thread([i = impl.get()] { i->ioc.run(); });
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(std::move(impl)));
}

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), port_(impl_->port) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

void MetricsHttpServer::Stop() {
  if (!impl_) return;
  net::post(impl_->ioc, [i = impl_.get()] {
    i->stopped = true;
    beast::error_code ignored;
    i->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  impl_->thread.join();
  // Destroying the io_context destroys the handlers it never ran, and with
  // them the connections still open: their sockets close here.
  impl_.reset();
}

}  // namespace storeagent::central
