// HttpServer: storecentrald's small HTTP/1.1 listener, shared by /metrics
// (metrics_http.h) and head office's report page (report_http.h); its other
// ports are gRPC.
//
// One I/O thread runs an Asio io_context. A connection sends one request
// and gets one answer, then is closed ("Connection: close"). With `tls` the
// listener speaks only HTTPS (TLS 1.2 or later) and asks every client for a
// certificate, which the handshake takes whatever it is: the handler gets
// the certificate the client presented (or none) and decides (the report
// page verifies it with ClientCertVerifier and answers 403 saying why, which
// a browser shows; a failed handshake would show nothing useful).
//
// Limits: request header kMaxHeaderBytes (431), no body (413), a deadline
// per connection (408-free: the connection is closed), `max_connections` at
// once (the next is closed unanswered). A request that does not parse is
// 400. Everything else goes to the handler, which answers through `Reply`
// once, from any thread; a HEAD request gets the answer's headers only.
#ifndef STOREAGENT_CENTRAL_SERVER_HTTP_SERVER_H_
#define STOREAGENT_CENTRAL_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/status.h"

namespace storeagent::central {

inline constexpr size_t kMaxHttpHeaderBytes = 8 * 1024;

struct HttpRequest {
  std::string method;  // "GET", "HEAD", ...
  std::string target;  // as sent: "/api/kpi?store=S-1"
  std::string path;    // before '?'
  std::string query;   // after '?', still percent-encoded; "" when none
  // TLS only: the client's certificate (PEM), "" when it sent none, and the
  // certificates it sent after it (PEM, possibly empty).
  std::string client_cert_pem;
  std::string client_chain_pem;
  std::string peer;  // "127.0.0.1:51234"
  std::string host;  // the Host header as sent; "" when there was none
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra headers ("Allow", "Cache-Control", ...), set after the server's.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The PEM material of an HTTPS listener.
struct HttpTls {
  std::string cert_pem;       // the server's chain, leaf first
  std::string key_pem;        // its private key
  std::string client_ca_pem;  // named in the certificate request
};

struct HttpServerOptions {
  std::string listen;      // "ADDRESS:PORT", port 0 = any free one
  std::string listen_key;  // the config key, for errors: "metrics.listen"
  std::string log_name;    // log events "<log_name>.accept_failed"
  std::optional<HttpTls> tls;
  int max_connections = 64;
  std::chrono::seconds timeout{10};
  // Headers every answer carries (security headers), before the handler's.
  std::vector<std::pair<std::string, std::string>> headers;
};

class HttpServer {
 public:
  // Called at most once per request, from any thread.
  using Reply = std::function<void(HttpResponse)>;
  // Runs on the I/O thread: must not block (hand slow work to a thread of
  // its own and reply from there). Never called after Stop() returns.
  using Handler = std::function<void(const HttpRequest&, Reply)>;

  // Listens. INVALID_ARGUMENT naming `listen_key` for a bad address or bad
  // TLS material, UNAVAILABLE naming it and the address when it cannot
  // bind.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                   Handler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound TCP port (also after Stop).
  int port() const { return port_; }
  // Closes the listener and every connection, joins the I/O thread. A
  // Reply called later does nothing. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // null once stopped
  int port_ = 0;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_HTTP_SERVER_H_
