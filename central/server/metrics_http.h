// MetricsHttpServer: storecentrald's listener that answers only GET /metrics
// (Prometheus text format 0.0.4); its other ports are gRPC.
//
// It runs on central's small HTTP listener (http_server.h): one I/O thread
// runs an Asio io_context. A connection sends one request
// and gets one answer, then is closed ("Connection: close"); Prometheus
// scrapes work that way as well as with keep-alive. GET /metrics calls
// `render` on the I/O thread (so it must be quick: in-memory figures, no
// I/O that can block) and answers 200, or 503 with the error when it
// fails; any other path is 404, any other method 405. Limits: request
// header 8 KiB (431), no body (413), 10 s per connection, 64 connections at
// once (the next is closed unanswered).
#ifndef STOREAGENT_CENTRAL_SERVER_METRICS_HTTP_H_
#define STOREAGENT_CENTRAL_SERVER_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::central {

class MetricsHttpServer {
 public:
  using Render = std::function<Result<std::string>()>;

  // Listens on `listen` ("ADDRESS:PORT", port 0 = any free one).
  // INVALID_ARGUMENT naming `listen_key` for a bad address, UNAVAILABLE
  // naming it and the address when it cannot bind.
  static Result<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& listen, std::string_view listen_key, Render render);
  ~MetricsHttpServer();  // Stop()
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // The bound TCP port (also after Stop).
  int port() const { return port_; }
  // Closes the listener and every connection, joins the I/O thread.
  // Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit MetricsHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // null once stopped
  int port_ = 0;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_METRICS_HTTP_H_
