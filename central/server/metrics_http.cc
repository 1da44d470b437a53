// /metrics on central's small HTTP listener (http_server.h).
#include "central/server/metrics_http.h"

#include <utility>

#include "central/server/http_server.h"
#include "platform/metrics.h"

namespace storeagent::central {
namespace {

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

struct MetricsHttpServer::Impl {
  std::unique_ptr<HttpServer> http;
};

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, std::string_view listen_key, Render render) {
  HttpServerOptions options;
  options.listen = listen;
  options.listen_key = std::string(listen_key);
  options.log_name = "metrics";
  auto handler = [render = std::move(render)](const HttpRequest& req,
                                              HttpServer::Reply reply) {
    if (req.path != "/metrics") {
      return reply(Text(404, "only /metrics is served here\n"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
      HttpResponse r = Text(405, "/metrics: GET or HEAD only\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return reply(std::move(r));
    }
    // On the I/O thread: in-memory figures only.
    Result<std::string> text = render();
    if (!text.ok()) return reply(Text(503, text.status().ToString() + "\n"));
    HttpResponse r = Text(200, std::move(text).value());
    r.content_type = platform::kMetricsContentType;
    reply(std::move(r));
  };
  Result<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(std::move(options), std::move(handler));
  if (!http.ok()) return http.status();
  auto impl = std::make_unique<Impl>();
  impl->http = std::move(http).value();
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(std::move(impl)));
}

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), port_(impl_->http->port()) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

void MetricsHttpServer::Stop() {
  if (!impl_) return;
  impl_->http->Stop();
  impl_.reset();
}

}  // namespace storeagent::central
