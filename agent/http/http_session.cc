#include "agent/http/http_session.h"

#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

#include "agent/http/staff_json.h"
#include "platform/log.h"

namespace storeagent::agent {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::milliseconds Timeout(const HttpSessionHost& host) {
  return std::chrono::milliseconds(host.limits().io_timeout_ms);
}

// The reply of one request, owned by the callback handed to the API (and
// from there to a storage thread): moves the session onto its strand once.
// It holds the session and a strand executor of the server's io_context, so
// the call counts as in flight until this is destroyed, not merely until
// the reply runs: whichever thread drops the last copy of the callback
// releases the session and the executor first and then tells the host, and
// the server's Stop() waits for that before the io_context goes away.
template <class Session>
struct PendingReply {
  ~PendingReply() {
    // Never answered (a storage thread dropped the call): the session is
    // let go on its own strand, not on this thread.
    if (session) net::post(executor, [s = std::move(session)] {});
    executor = net::any_io_executor();
    if (counted) host->CallDone();
  }

  std::shared_ptr<Session> session;
  net::any_io_executor executor;
  HttpSessionHost* host = nullptr;
  bool counted = false;  // the host accepted the call; set before any copy
                         // of the callback can be the last one
  std::atomic<bool> fired{false};
};

}  // namespace

// ---- SessionRegistry --------------------------------------------------------

void SessionRegistry::Add(HttpConnection* s, std::weak_ptr<HttpConnection> w) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.emplace(s, std::move(w));
}

void SessionRegistry::Remove(HttpConnection* s) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(s);
}

size_t SessionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

void SessionRegistry::CloseAll() {
  std::vector<std::shared_ptr<HttpConnection>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [ptr, weak] : sessions_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (auto& s : open) s->Close();
}

// ---- HttpSession ------------------------------------------------------------

namespace {

// The stream of a session: TLS over TCP with `tls`, or TCP alone.
template <class Stream>
Stream MakeStream(tcp::socket&& socket, net::ssl::context* tls) {
  if constexpr (HttpSession<Stream>::kTls) {
    return Stream(std::move(socket), *tls);
  } else {
    (void)tls;
    return Stream(std::move(socket));
  }
}

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(tcp::socket&& socket,
                                 std::shared_ptr<net::ssl::context> tls,
                                 HttpSessionHost& host,
                                 std::shared_ptr<SessionRegistry> registry)
    : tls_(std::move(tls)),
      stream_(MakeStream<Stream>(std::move(socket), tls_.get())),
      host_(host),
      registry_(std::move(registry)) {}

template <class Stream>
HttpSession<Stream>::~HttpSession() {
  registry_->Remove(this);
}

template <class Stream>
void HttpSession<Stream>::Start() {
  registry_->Add(this, this->weak_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if constexpr (kTls) {
      // The handshake is bounded like a read.
      self->Lowest().expires_after(Timeout(self->host_));
      self->stream_.async_handshake(
          net::ssl::stream_base::server,
          [self](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      self->ReadHeader();
    }
  });
}

template <class Stream>
void HttpSession<Stream>::OnHandshake(beast::error_code ec) {
  if (ec) {
    // Plain HTTP on the HTTPS port, an old client, a certificate the
    // client refused, or the timeout.
    Log(LogLevel::kDebug, "http.tls_handshake_failed",
        {{"error", ec.message()}});
    return CloseNow();
  }
  ReadHeader();
}

template <class Stream>
void HttpSession<Stream>::Close() {
  net::post(stream_.get_executor(),
            [self = shared_from_this()] { self->CloseNow(); });
}

template <class Stream>
void HttpSession<Stream>::CloseNow() {
  beast::error_code ec;
  Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
  Lowest().close();
}

template <class Stream>
void HttpSession<Stream>::ReadHeader() {
  // A request that fails before its header parses is counted under no
  // route, not the previous request's on this connection.
  path_.clear();
  parser_.emplace();
  parser_->header_limit(
      static_cast<std::uint32_t>(host_.limits().max_header_bytes));
  parser_->body_limit(host_.limits().max_body_bytes);
  Lowest().expires_after(Timeout(host_));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->OnHeader(ec);
      });
}

template <class Stream>
void HttpSession<Stream>::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  const auto& req = parser_->get();
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  head_ = req.method() == http::verb::head;
  method_ = std::string(req.method_string());
  path_ = std::string(req.target().substr(0, req.target().find('?')));
  if (parser_->is_done()) return Dispatch();
  if (beast::iequals(req[http::field::expect], "100-continue")) {
    Lowest().expires_after(Timeout(host_));
    net::async_write(
        stream_, net::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](beast::error_code wec, std::size_t) {
          if (wec) return;
          self->ReadBody();
        });
    return;
  }
  ReadBody();
}

template <class Stream>
void HttpSession<Stream>::ReadBody() {
  Lowest().expires_after(Timeout(host_));
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->OnBody(ec);
      });
}

template <class Stream>
void HttpSession<Stream>::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

template <class Stream>
void HttpSession<Stream>::OnReadError(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    return Write(
        ErrorResponse(413, "PAYLOAD_TOO_LARGE",
                      "body: larger than " +
                          std::to_string(host_.limits().max_body_bytes) +
                          " bytes"),
        true);
  }
  if (ec == http::error::header_limit) {
    return Write(
        ErrorResponse(431, "HEADERS_TOO_LARGE",
                      "header: request line and headers exceed " +
                          std::to_string(host_.limits().max_header_bytes) +
                          " bytes"),
        true);
  }
  if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == beast::error::timeout ||
      ec.category() !=
          http::make_error_code(http::error::end_of_stream).category()) {
    // The peer went away, idled out, or the server is stopping.
    return CloseNow();
  }
  // Malformed HTTP: say so once, then close.
  Write(ErrorResponse(400, "INVALID_ARGUMENT",
                      "request: malformed HTTP (" + ec.message() + ")"),
        true);
}

template <class Stream>
void HttpSession<Stream>::Dispatch() {
  auto& req = parser_->get();
  StaffRequest request;
  request.method = method_;
  request.target = std::string(req.target());
  request.authorization = std::string(req[http::field::authorization]);
  beast::error_code peer_ec;
  const auto peer = Lowest().socket().remote_endpoint(peer_ec);
  if (!peer_ec) {
    const std::string address = peer.address().to_string();
    request.peer = (peer.address().is_v6() ? "[" + address + "]" : address) +
                   ":" + std::to_string(peer.port());
  }
  auto key = req.find("Idempotency-Key");
  if (key != req.end()) request.idempotency_key = std::string(key->value());
  request.body = std::move(req.body());

  auto pending = std::make_shared<PendingReply<HttpSession>>();
  pending->session = shared_from_this();
  pending->executor = stream_.get_executor();
  pending->host = &host_;
  // `pending` stays referenced here until Handle() returns, so no other
  // thread can run its destructor before `counted` is set.
  bool accepted = host_.Handle(request, [pending](StaffResponse response) {
    if (pending->fired.exchange(true)) return;  // only the first answer
    net::post(pending->executor, [session = std::move(pending->session),
                                  response = std::move(response)]() mutable {
      session->Write(std::move(response), false);
    });
  });
  if (!accepted) {
    pending->session.reset();
    Write(ErrorResponse(Unavailable("server: stopping")), true);
    return;
  }
  pending->counted = true;
}

template <class Stream>
void HttpSession<Stream>::Write(StaffResponse r, bool close) {
  auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(r.status), version_);
  res->set(http::field::server, "storeagent");
  res->set(http::field::content_type, r.content_type);
  res->set(http::field::cache_control, "no-store");
  res->set("X-Content-Type-Options", "nosniff");
  res->set("X-Frame-Options", "DENY");
  res->set("Referrer-Policy", "no-referrer");
  res->set("Content-Security-Policy",
           "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
           "form-action 'self'");
  for (auto& [name, value] : r.headers) res->set(name, value);
  close = close || !keep_alive_ || host_.stopping();
  res->keep_alive(!close);
  host_.Answered(path_, r.status);
  Log(LogLevel::kDebug, "http.request",
      {{"method", method_},
       {"path", path_},
       {"status", std::to_string(r.status)}});
  if (head_) {
    res->content_length(r.body.size());
  } else {
    res->body() = std::move(r.body);
    res->prepare_payload();
  }
  Lowest().expires_after(Timeout(host_));
  http::async_write(
      stream_, *res,
      [self = shared_from_this(), res, close](
          beast::error_code ec, std::size_t) { self->OnWrite(close, ec); });
}

template <class Stream>
void HttpSession<Stream>::OnWrite(bool close, beast::error_code ec) {
  if (ec) return CloseNow();
  if constexpr (kTls) {
    if (close) {
      // close_notify, then wait (bounded) for the peer's or its close.
      Lowest().expires_after(Timeout(host_));
      return stream_.async_shutdown(
          [self = shared_from_this()](beast::error_code) { self->CloseNow(); });
    }
  }
  if (close) {
    // Half-close, then read and drop what the peer still sends (a body
    // refused unread) until it closes or the timeout: closing with unread
    // data would reset the connection before the peer read the answer.
    beast::error_code sec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, sec);
    Lowest().expires_after(Timeout(host_));
    return Drain();
  }
  ReadHeader();
}

template <class Stream>
void HttpSession<Stream>::Drain() {
  buffer_.clear();
  stream_.async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (!ec) self->Drain();
      });
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace storeagent::agent
