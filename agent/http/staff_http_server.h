// StaffHttpServer: the staff page and its JSON API over HTTP/1.1
// (Boost.Beast), for store staff on the loopback interface or the store LAN.
// With http.tls_cert_file and http.tls_key_file it speaks only HTTPS
// (TLS 1.2+); plain HTTP is allowed on a loopback address only, so bearer
// tokens never cross the store LAN in clear.
//
// One I/O thread runs an Asio io_context; every connection has its own
// strand. A request is parsed on the I/O thread and handed to StaffApi,
// whose StockOps calls answer on storage threads; the answer is posted back
// onto the connection's strand to be written, so nothing ever blocks the
// I/O thread. Routing, authentication and JSON live in StaffApi
// (agent/http/staff_api.h) and are tested without sockets.
//
// Limits (StaffHttpLimits): request header 8 KiB (431), body 64 KiB (413),
// 30 s to read a request or write a response, 256 connections at once (the
// next is answered 503 and closed). Keep-alive is honoured.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_HTTP_SERVER_H_
#define STOREAGENT_AGENT_HTTP_STAFF_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "agent/config.h"
#include "agent/http/staff_message.h"
#include "agent/price_book_holder.h"
#include "agent/stock_ops.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"
#include "platform/metrics.h"
#include "platform/status.h"

namespace storeagent::agent {

struct StaffHttpLimits {
  // Request line plus headers.
  std::size_t max_header_bytes = 8 * 1024;
  // Request body.
  std::size_t max_body_bytes = 64 * 1024;
  // To read one request, or to write one response.
  int io_timeout_ms = 30'000;
  // Connections open at once; one more is answered 503 and closed.
  int max_connections = 256;
};

class StaffHttpServer {
 public:
  // Listens on config.http_listen ("ADDRESS:PORT", port 0 = any free one)
  // with config.http_users, over TLS when config.http_tls_cert_file is set.
  // INVALID_ARGUMENT naming "http.listen" for a bad address or a
  // non-loopback one without TLS; an error naming http.tls_cert_file or
  // http.tls_key_file for a bad pair (LoadHttpsPair, checked at `clock`'s
  // now); UNAVAILABLE when it cannot bind.
  // REQUIRES: ops and clock outlive the server.
  static Result<std::unique_ptr<StaffHttpServer>> Start(
      const AgentConfig& config, StockOps& ops, const Clock& clock);
  // The same with other limits (tests).
  static Result<std::unique_ptr<StaffHttpServer>> Start(
      const AgentConfig& config, StockOps& ops, const Clock& clock,
      const StaffHttpLimits& limits);

  // Answers GET /metrics (no token) by calling `reply` once, from any
  // thread. Set with SetMetricsHandler; until then /metrics is 404.
  using MetricsHandler =
      std::function<void(std::function<void(StaffResponse)> reply)>;

  // A server that answers only GET /metrics (everything else 404) on
  // `listen` (config key metrics.listen, named in errors).
  static Result<std::unique_ptr<StaffHttpServer>> StartMetricsOnly(
      const std::string& listen, StockOps& ops, const Clock& clock,
      MetricsHandler handler);

  StaffHttpServer(const StaffHttpServer&) = delete;
  StaffHttpServer& operator=(const StaffHttpServer&) = delete;
  ~StaffHttpServer();  // Stop()

  // The bound TCP port.
  int port() const;

  // Stops accepting, lets the StockOps calls in flight answer, closes every
  // connection and joins the I/O thread. Idempotent.
  void Stop();

  // Serves HTTPS.
  bool https() const;
  // notAfter of the certificate served, µs since epoch; 0 on plain HTTP.
  int64_t cert_not_after_us() const;

  // HTTPS only: re-reads the pair (the paths may be new) and serves it to
  // connections accepted from now on. A bad pair changes nothing and the
  // error names the file; both outcomes are logged (http.tls_reloaded,
  // http.tls_reload_failed). FAILED_PRECONDITION on a plain server.
  // Thread-safe.
  Status ReloadTls(const std::string& cert_file, const std::string& key_file);

  // Replaces the staff users; requests already authenticated finish as
  // they started. Thread-safe.
  void SetUsers(std::vector<StaffUser> users);

  // Serves /metrics from now on. Thread-safe.
  void SetMetricsHandler(MetricsHandler handler);

  // From now on every response written counts into `family` (labels
  // route, code: StaffApi::RouteLabel and the HTTP status); null stops it.
  // A connection over the limit, refused with 503 before any request is
  // read, is not counted. REQUIRES: `family` outlives the server.
  // Thread-safe.
  void CountRequestsIn(platform::CounterFamily* family);
  // GET /api/v1/status reports `health` (the sync link) from now on.
  // REQUIRES: `health` outlives the server. Thread-safe.
  void SetSyncHealth(const SyncHealth* health);
  // GET /api/v1/products prices from `prices` (StaffApi::SetPriceBook).
  void SetPriceBook(const PriceBookHolder* prices);

  struct Impl;

 private:
  explicit StaffHttpServer(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<StaffHttpServer>> StartOn(
      const AgentConfig& config, StockOps& ops, const Clock& clock,
      const StaffHttpLimits& limits, std::string_view listen_key,
      MetricsHandler metrics_only);

  std::unique_ptr<Impl> impl_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_HTTP_SERVER_H_
