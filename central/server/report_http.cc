#include "central/server/report_http.h"

#include <google/protobuf/util/json_util.h>

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "central/server/central_config.h"
#include "central/server/client_cert_verifier.h"
#include "central/server/http_server.h"
#include "central/server/peer_identity.h"
#include "central/server/report_page.h"
#include "central/server/report_query.h"
#include "platform/log.h"
#include "platform/tls.h"

namespace storeagent::central {
namespace {

constexpr char kListenKey[] = "report.listen";
constexpr char kJson[] = "application/json";

HttpResponse Json(int status, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = kJson;
  r.body = body + "\n";
  return r;
}

// {"error":{"code":"INVALID_ARGUMENT","parameter":"weeks","message":"..."}}
HttpResponse JsonError(int status, std::string_view code,
                       const std::string& message,
                       const std::string& parameter = "") {
  nlohmann::json e = {{"code", code}, {"message", message}};
  if (!parameter.empty()) e["parameter"] = parameter;
  return Json(status, nlohmann::json{{"error", e}}.dump());
}

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body) + "\n";
  return r;
}

// The HTTP status of a provider's gRPC status.
int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 409;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

constexpr std::string_view kCodeNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};

std::string_view CodeName(grpc::StatusCode code) {
  const auto i = static_cast<size_t>(code);
  return i < std::size(kCodeNames) ? kCodeNames[i] : "UNKNOWN";
}

// The security headers of every answer (as the agent's staff page).
std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {{"Cache-Control", "no-store"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Content-Security-Policy",
           "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
           "form-action 'self'"}};
}

// Whether a Host header names this machine's loopback: 127.0.0.1, [::1]
// or localhost, with or without a port.
bool IsLoopbackHost(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {
    const size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    name = name.substr(0, close + 1);
  } else if (const size_t colon = name.find(':');
             colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  return lower == "127.0.0.1" || lower == "[::1]" || lower == "localhost";
}

}  // namespace

struct ReportHttpServer::Impl {
  bool tls = false;
  KpiReportProvider provider;
  std::shared_ptr<const ClientCertVerifier> verifier;  // with tls
  std::atomic<int> in_flight{0};
  boost::asio::thread_pool pool{kReportThreads};
  std::unique_ptr<HttpServer> http;  // after the pool: stopped first

  void Handle(const HttpRequest& req, HttpServer::Reply reply);
  // OK, or why the caller may not see the page.
  Status Authorize(const HttpRequest& req) const;
  void ServeReport(const HttpRequest& req, HttpServer::Reply reply);
};

Status ReportHttpServer::Impl::Authorize(const HttpRequest& req) const {
  if (!tls) {
    // Plain HTTP listens on loopback only (central_config refuses any other
    // address), so the host's own users are who may read. A Host that does
    // not name the loopback is a page elsewhere reaching in through DNS
    // rebinding: refused.
    if (IsLoopbackHost(req.host)) return Status::Ok();
    std::string shown;
    for (char c : req.host.substr(0, 64)) {
      shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return PermissionDenied(
        "Host '" + shown +
        "' is not this machine's loopback: the plain-HTTP report page "
        "answers only to 127.0.0.1, [::1] or localhost (use report.tls for "
        "other names; docs/security.md)");
  }
  if (req.client_cert_pem.empty()) {
    return PermissionDenied(
        "the report page needs an admin client certificate (reader or "
        "operator); issue one with: installer/dev-ca admin DIR NAME --role "
        "reader (docs/security.md)");
  }
  const ClientCertVerdict verdict =
      verifier->Verify(req.client_cert_pem, req.client_chain_pem);
  if (!verdict.accepted || !verdict.leaf) {
    return PermissionDenied("the client certificate was refused: " +
                            verdict.reason);
  }
  Result<AdminCaller> caller = AdminCallerFromCertificate(
      verdict.leaf->uri_sans, verdict.leaf->subject_cn, "the report page");
  if (!caller.ok()) return caller.status();
  return Status::Ok();  // a reader or an operator: both may read
}

void ReportHttpServer::Impl::Handle(const HttpRequest& req,
                                    HttpServer::Reply reply) {
  const bool api = req.path.rfind("/api/", 0) == 0;
  if (Status allowed = Authorize(req); !allowed.ok()) {
    Log(LogLevel::kWarn, "report.denied",
        {{"peer", req.peer},
         {"path", req.path},
         {"reason", allowed.message()}});
    return reply(api ? JsonError(403, "PERMISSION_DENIED", allowed.message())
                     : Text(403, allowed.message()));
  }
  const ReportAsset* asset = FindReportAsset(req.path);
  if (asset == nullptr && req.path != "/api/kpi") {
    return reply(api ? JsonError(404, "NOT_FOUND", req.path + ": no such API")
                     : Text(404, req.path + ": not found (the report page "
                                            "is at /)"));
  }
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r =
        api ? JsonError(405, "METHOD_NOT_ALLOWED", req.path + ": GET only")
            : Text(405, req.path + ": GET or HEAD only");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return reply(std::move(r));
  }
  if (asset != nullptr) {
    HttpResponse r;
    r.content_type = std::string(asset->content_type);
    r.body = std::string(asset->body);
    return reply(std::move(r));
  }
  ServeReport(req, std::move(reply));
}

void ReportHttpServer::Impl::ServeReport(const HttpRequest& req,
                                         HttpServer::Reply reply) {
  v1::GetKpiReportRequest request;
  ReportQueryError error;
  if (!ParseReportQuery(req.query, &request, &error)) {
    return reply(
        JsonError(400, "INVALID_ARGUMENT", error.message, error.parameter));
  }
  if (in_flight.fetch_add(1) >= kMaxReportsInFlight) {
    in_flight.fetch_sub(1);
    HttpResponse r = JsonError(503, "UNAVAILABLE",
                               "busy: " + std::to_string(kMaxReportsInFlight) +
                                   " reports are being computed; retry");
    r.headers.emplace_back("Retry-After", "1");
    return reply(std::move(r));
  }
  boost::asio::post(
      pool, [this, request = std::move(request), reply = std::move(reply)] {
        v1::GetKpiReportResponse response;
        const grpc::Status s = provider(request, &response);
        in_flight.fetch_sub(1);
        if (!s.ok()) {
          return reply(JsonError(HttpStatusOf(s.error_code()),
                                 CodeName(s.error_code()), s.error_message()));
        }
        google::protobuf::util::JsonPrintOptions options;
        options.always_print_primitive_fields = true;
        std::string json;
        const auto printed = google::protobuf::util::MessageToJsonString(
            response, &json, options);
        if (!printed.ok()) {
          return reply(JsonError(500, "INTERNAL",
                                 "the report did not print as "
                                 "JSON: " +
                                     printed.ToString()));
        }
        reply(Json(200, json));
      });
}

Result<std::unique_ptr<ReportHttpServer>> ReportHttpServer::Start(
    const ReportHttpOptions& options, KpiReportProvider provider) {
  if (!options.tls && !IsLoopbackListen(options.listen)) {
    return InvalidArgument(
        std::string(kListenKey) + ": '" + options.listen +
        "' is not loopback: set report.tls = true (admin client certificates "
        "from tls.ca_file) or listen on 127.0.0.1 / [::1]");
  }
  auto impl = std::make_unique<Impl>();
  impl->tls = options.tls;
  impl->provider = std::move(provider);
  HttpServerOptions http;
  http.listen = options.listen;
  http.listen_key = kListenKey;
  http.log_name = "report";
  http.max_connections = kMaxReportConnections;
  http.headers = SecurityHeaders();
  if (options.tls) {
    Result<std::shared_ptr<const ClientCertVerifier>> verifier =
        ClientCertVerifier::Create(options.ca_pem);
    if (!verifier.ok()) {
      return InvalidArgument(std::string(kListenKey) +
                             ": tls.ca_file: " + verifier.status().message());
    }
    impl->verifier = std::move(verifier).value();
    http.tls = HttpTls{options.cert_pem, options.key_pem, options.ca_pem};
  }
  Impl* raw = impl.get();
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      std::move(http), [raw](const HttpRequest& req, HttpServer::Reply reply) {
        raw->Handle(req, std::move(reply));
      });
  if (!server.ok()) return server.status();
  impl->http = std::move(server).value();
  return std::unique_ptr<ReportHttpServer>(
      new ReportHttpServer(std::move(impl)));
}

ReportHttpServer::ReportHttpServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), port_(impl_->http->port()) {}

ReportHttpServer::~ReportHttpServer() { Stop(); }

void ReportHttpServer::Stop() {
  if (!impl_) return;
  impl_->http->Stop();  // no request starts, no answer is written after
  impl_->pool.join();   // the reports still being computed end
  impl_.reset();
}

}  // namespace storeagent::central
