// One connection of StaffHttpServer (internal to agent/http): an
// HttpSession on a strand of its own reads a request (header limit, body
// limit, timeout), hands it to the host and writes the answer the host
// posts back; keep-alive, 100-continue, and a clean close after errors.
// HttpSession<PlainStream> speaks HTTP; HttpSession<TlsStream> first does
// the TLS handshake (within the I/O timeout) and ends with close_notify.
// Boost types stay in these internal headers, out of the public one.
#ifndef STOREAGENT_AGENT_HTTP_HTTP_SESSION_H_
#define STOREAGENT_AGENT_HTTP_HTTP_SESSION_H_

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "agent/http/staff_api.h"
#include "agent/http/staff_http_server.h"
#include "agent/http/staff_message.h"
#include "platform/status.h"

namespace storeagent::agent {

// What a connection needs from the server. Thread-safe.
class HttpSessionHost {
 public:
  virtual ~HttpSessionHost() = default;
  virtual const StaffHttpLimits& limits() const = 0;
  virtual bool stopping() const = 0;
  // Hands `request` to the API, which calls `reply` once from any thread;
  // false (nothing called) once the server is stopping. An accepted call
  // is in flight until CallDone().
  virtual bool Handle(const StaffRequest& request, StaffApi::Reply reply) = 0;
  // After an accepted request's reply callback, and every copy of it, has
  // been destroyed (on whatever thread held it last): nothing of the
  // connection is referenced from outside the I/O thread any more.
  virtual void CallDone() = 0;
  // A response to a request for `path` (no query; empty when the request
  // line was never read) with HTTP `status` is being written.
  virtual void Answered(std::string_view path, int status) = 0;
  // The TLS context for a connection accepted now; nullptr: plain HTTP.
  virtual std::shared_ptr<boost::asio::ssl::context> tls_context() const {
    return nullptr;
  }
};

// What the registry needs of a connection, plain or TLS.
class HttpConnection {
 public:
  virtual ~HttpConnection() = default;
  // Closes the connection on its strand; pending operations end.
  virtual void Close() = 0;
};

// The connections open now, to count and to close them all. Thread-safe.
class SessionRegistry {
 public:
  void Add(HttpConnection* s, std::weak_ptr<HttpConnection> w);
  void Remove(HttpConnection* s);
  size_t size() const;
  void CloseAll();

 private:
  mutable std::mutex mu_;
  std::unordered_map<HttpConnection*, std::weak_ptr<HttpConnection>> sessions_;
};

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Instantiated for PlainStream and TlsStream (http_session.cc).
template <class Stream>
class HttpSession : public HttpConnection,
                    public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `tls`: the context for a TlsStream, nullptr for a PlainStream.
  HttpSession(boost::asio::ip::tcp::socket&& socket,
              std::shared_ptr<boost::asio::ssl::context> tls,
              HttpSessionHost& host, std::shared_ptr<SessionRegistry> registry);
  ~HttpSession() override;

  void Start();
  void Close() override;
  // Writes `response` (on the strand).
  void Write(StaffResponse response, bool close);

 private:
  using std::enable_shared_from_this<HttpSession<Stream>>::shared_from_this;
  boost::beast::tcp_stream& Lowest() {
    return boost::beast::get_lowest_layer(stream_);
  }
  void OnHandshake(boost::beast::error_code ec);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void OnReadError(boost::beast::error_code ec);
  void Dispatch();
  void OnWrite(bool close, boost::beast::error_code ec);
  void Drain();
  void CloseNow();

  std::shared_ptr<boost::asio::ssl::context> tls_;  // before stream_
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<
      boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  HttpSessionHost& host_;
  std::shared_ptr<SessionRegistry> registry_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  std::string method_;
  std::string path_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_HTTP_SESSION_H_
