// After Boost.Beast's async HTTP server example, cut down to one request
// per connection on one thread (no strands needed), plain or TLS.
#include "central/server/http_server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "central/server/http_tls.h"
#include "platform/listen_address.h"
#include "platform/log.h"

namespace storeagent::central {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What a Reply may touch from any thread: whether the server still runs,
// and, while it does, its io_context.
struct ReplyGate {
  explicit ReplyGate(net::io_context::executor_type e) : executor(e) {}
  std::mutex mu;
  bool stopped = false;                     // guarded by mu
  net::io_context::executor_type executor;  // valid while !stopped
};

}  // namespace

struct HttpServer::Impl {
  // Declared before the io_context: sessions whose handlers the context
  // destroys on its way out still count themselves off.
  int connections = 0;  // I/O thread only
  bool stopped = false;
  HttpServerOptions options;
  Handler handler;
  int port = 0;
  std::unique_ptr<ssl::context> tls;
  net::io_context ioc{1};
  std::shared_ptr<ReplyGate> gate =
      std::make_shared<ReplyGate>(ioc.get_executor());
  tcp::acceptor acceptor{ioc};
  // After a failed accept (out of descriptors, say): a pause, not a spin.
  net::steady_timer backoff{ioc};
  // Sessions waiting for their handler's Reply, by id. After the
  // io_context: destroyed first, while their sockets' context still lives.
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, std::shared_ptr<void>> waiting;
  std::thread thread;

  void Accept();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(MakeStream(std::move(socket), server)), server_(server) {
    ++server_.connections;
    parser_.header_limit(kMaxHttpHeaderBytes);
    parser_.body_limit(0);
  }
  ~Session() { --server_.connections; }

  void Run() {
    Lowest().expires_after(server_.options.timeout);
    if constexpr (kTls) {
      stream_.async_handshake(
          ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return self->Close();  // logged nowhere
            self->Read();
          });
    } else {
      Read();
    }
  }

  // On the I/O thread.
  void Answer(HttpResponse r) {
    res_.result(static_cast<http::status>(r.status));
    res_.version(11);
    res_.set(http::field::server, "storeagent");
    res_.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : server_.options.headers) {
      res_.set(name, value);
    }
    for (const auto& [name, value] : r.headers) res_.set(name, value);
    res_.keep_alive(false);
    res_.content_length(r.body.size());
    if (!head_only_) res_.body() = std::move(r.body);
    serializer_.emplace(res_);
    if (head_only_) serializer_->split(true);
    Lowest().expires_after(server_.options.timeout);
    auto done = [self = this->shared_from_this()](beast::error_code ec,
                                                  size_t) {
      if (ec) return self->Close();
      if constexpr (kTls) {
        self->Lowest().expires_after(self->server_.options.timeout);
        self->stream_.async_shutdown(
            [self](beast::error_code) { self->Close(); });
      } else {
        beast::error_code ignored;
        self->Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      }
    };
    if (head_only_) {
      http::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      http::async_write(stream_, *serializer_, std::move(done));
    }
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, HttpServer::Impl& server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server.tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  void Read() {
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](
                         beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return;  // the client left, was too slow, or the server is stopping
    }
    HttpResponse r;
    if (ec == http::error::header_limit) {
      r.status = 431;
      r.body = "request header: more than 8 KiB\n";
    } else if (ec == http::error::body_limit) {
      r.status = 413;
      r.body = "request body: none is accepted here\n";
    } else if (ec) {
      r.status = 400;
      r.body = "bad request: " + ec.message() + "\n";
    } else {
      return Dispatch();
    }
    Answer(std::move(r));
  }

  void Dispatch() {
    const auto& req = parser_.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    const size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    request.host = std::string(req[http::field::host]);
    head_only_ = req.method() == http::verb::head;
    beast::error_code ec;
    const tcp::endpoint remote = Lowest().socket().remote_endpoint(ec);
    if (!ec) {
      request.peer =
          remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    if constexpr (kTls) {
      PeerCertificates(stream_.native_handle(), &request.client_cert_pem,
                       &request.client_chain_pem);
    }
    // Kept by the server until the answer comes (or the server stops).
    const uint64_t id = server_.next_id++;
    server_.waiting.emplace(id, this->shared_from_this());
    HttpServer::Impl* server = &server_;
    std::weak_ptr<ReplyGate> gate = server_.gate;
    server_.handler(request, [gate, server, id](HttpResponse r) {
      std::shared_ptr<ReplyGate> g = gate.lock();
      if (!g) return;
      std::lock_guard<std::mutex> lock(g->mu);
      if (g->stopped) return;
      net::post(g->executor, [server, id, r = std::move(r)]() mutable {
        auto it = server->waiting.find(id);
        if (it == server->waiting.end()) return;
        auto self = std::static_pointer_cast<Session>(it->second);
        server->waiting.erase(it);
        self->Answer(std::move(r));
      });
    });
  }

  Stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_{kMaxHttpHeaderBytes};
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  bool head_only_ = false;  // a HEAD request: headers only, whatever status
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopped || ec == net::error::operation_aborted) return;
    if (ec) {
      Log(LogLevel::kWarn, options.log_name + ".accept_failed",
          {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      backoff.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopped) Accept();
      });
      return;
    }
    if (connections >= options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else if (tls) {
      std::make_shared<Session<TlsStream>>(std::move(socket), *this)->Run();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), *this)->Run();
    }
    Accept();
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                      Handler handler) {
  Result<platform::ListenAddress> address =
      platform::ParseListenAddress(options.listen, options.listen_key);
  if (!address.ok()) return address.status();
  const tcp::endpoint endpoint(net::ip::make_address(address->ip),
                               address->port);
  auto impl = std::make_shared<Impl>();
  if (options.tls) {
    Result<std::unique_ptr<ssl::context>> ctx =
        HttpTlsContext(*options.tls, options.listen_key);
    if (!ctx.ok()) return ctx.status();
    impl->tls = std::move(ctx).value();
  }
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  const std::string& listen = impl->options.listen;
  beast::error_code ec;
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable(impl->options.listen_key + ": cannot listen on " +
                       listen + ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint(ec).port();
  impl->Accept();
  impl->thread = std::thread([i = impl.get()] { i->ioc.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl)
    : impl_(std::move(impl)), port_(impl_->port) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (!impl_) return;
  {
    // No Reply posts to the io_context from here on.
    std::lock_guard<std::mutex> lock(impl_->gate->mu);
    impl_->gate->stopped = true;
  }
  net::post(impl_->ioc, [i = impl_.get()] {
    i->stopped = true;
    beast::error_code ignored;
    i->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  impl_->thread.join();
  // The waiting sessions go first, then the handlers the io_context never
  // ran, and with them the connections still open: their sockets close.
  impl_->waiting.clear();
  impl_.reset();
}

}  // namespace storeagent::central
