// The HTTP transport of the staff API, after Boost.Beast's advanced server:
// one io_context on one thread, an acceptor and a strand per connection,
// error_code overloads throughout. Routing and JSON are StaffApi's.
#include "agent/http/staff_http_server.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "agent/http/http_listener.h"
#include "agent/http/https_context.h"
#include "agent/http/staff_api.h"
#include "agent/http/staff_auth.h"
#include "agent/http/staff_json.h"
#include "platform/listen_address.h"
#include "platform/log.h"

namespace storeagent::agent {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr char kPlainOffLoopback[] =
    "is not a loopback address: off loopback the staff page is served "
    "over HTTPS only (set http.tls_cert_file and http.tls_key_file), so "
    "that bearer tokens never cross the network in clear";

struct StaffHttpServer::Impl final : HttpSessionHost {
  Impl(const AgentConfig& config, StockOps& ops, const Clock& clock,
       const StaffHttpLimits& lim)
      : limit_values(lim),
        directory(config.http_users),
        api(ops, clock, directory, lim.max_body_bytes) {}

  // HttpSessionHost.
  const StaffHttpLimits& limits() const override { return limit_values; }
  bool stopping() const override { return stop_requested.load(); }
  bool Handle(const StaffRequest& request, StaffApi::Reply reply) override {
    MetricsHandler metrics_handler;
    {
      // Checked and counted under one lock, so Stop() either sees this
      // call in flight or the call sees Stop().
      std::lock_guard<std::mutex> lock(mu);
      if (stop_requested.load()) return false;
      ++in_flight;
      metrics_handler = metrics;
    }
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/metrics" && metrics_handler) {
      if (request.method != "GET" && request.method != "HEAD") {
        StaffResponse r = ErrorResponse(
            405, "METHOD_NOT_ALLOWED",
            "method: " + request.method + " not allowed here; use GET");
        r.headers.emplace_back("Allow", "GET, HEAD");
        reply(std::move(r));
      } else {
        metrics_handler(std::move(reply));
      }
      return true;
    }
    if (metrics_only) {
      reply(ErrorResponse(NotFound("path: only /metrics is served here")));
      return true;
    }
    api.Handle(request, std::move(reply));
    return true;
  }
  std::shared_ptr<net::ssl::context> tls_context() const override {
    return https ? https->Current() : nullptr;
  }
  void CallDone() override {
    std::lock_guard<std::mutex> lock(mu);
    if (--in_flight == 0) drained.notify_all();
  }
  void Answered(std::string_view path, int status) override {
    platform::CounterFamily* family = requests.load();
    if (family == nullptr) return;
    family->With({StaffApi::RouteLabel(path), std::to_string(status)}).Add();
  }

  void Run() {
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        Log(LogLevel::kError, "http.handler_failed", {{"error", e.what()}});
      }
    }
  }

  const StaffHttpLimits limit_values;
  StaffDirectory directory;
  StaffApi api;
  std::atomic<bool> stop_requested{false};  // set under mu
  std::mutex mu;
  std::condition_variable drained;
  int in_flight = 0;       // guarded by mu
  MetricsHandler metrics;  // guarded by mu
  std::atomic<platform::CounterFamily*> requests{nullptr};
  bool metrics_only = false;
  std::unique_ptr<HttpsContext> https;  // null: plain HTTP (loopback only)
  bool stopped = false;                 // guarded by stop_mu
  std::mutex stop_mu;
  int port = 0;
  // Destroyed before the members above: handlers still queued hold
  // sessions and the listener, which refer to this object.
  net::io_context ioc{1};
  std::shared_ptr<HttpListener> listener;
  std::thread thread;
};

Result<std::unique_ptr<StaffHttpServer>> StaffHttpServer::Start(
    const AgentConfig& config, StockOps& ops, const Clock& clock) {
  return Start(config, ops, clock, StaffHttpLimits{});
}

Result<std::unique_ptr<StaffHttpServer>> StaffHttpServer::Start(
    const AgentConfig& config, StockOps& ops, const Clock& clock,
    const StaffHttpLimits& limits) {
  return StartOn(config, ops, clock, limits, "http.listen", nullptr);
}

Result<std::unique_ptr<StaffHttpServer>> StaffHttpServer::StartMetricsOnly(
    const std::string& listen, StockOps& ops, const Clock& clock,
    MetricsHandler handler) {
  AgentConfig config;
  config.http_listen = listen;
  return StartOn(config, ops, clock, StaffHttpLimits{}, "metrics.listen",
                 std::move(handler));
}

Result<std::unique_ptr<StaffHttpServer>> StaffHttpServer::StartOn(
    const AgentConfig& config, StockOps& ops, const Clock& clock,
    const StaffHttpLimits& limits, std::string_view listen_key,
    MetricsHandler metrics_only) {
  Result<platform::ListenAddress> address =
      platform::ParseListenAddress(config.http_listen, listen_key);
  if (!address.ok()) return address.status();
  const tcp::endpoint endpoint(net::ip::make_address(address->ip),
                               address->port);
  auto impl = std::make_unique<Impl>(config, ops, clock, limits);
  if (metrics_only) {
    impl->metrics_only = true;
    impl->metrics = std::move(metrics_only);
  } else if (!config.http_tls_cert_file.empty() ||
             !config.http_tls_key_file.empty()) {
    Result<std::unique_ptr<HttpsContext>> https = HttpsContext::Load(
        config.http_tls_cert_file, config.http_tls_key_file, clock);
    if (!https.ok()) return https.status();
    impl->https = std::move(https).value();
  } else if (!platform::IsLoopbackListen(config.http_listen)) {
    return InvalidArgument(std::string(listen_key) + ": " + config.http_listen +
                           " " + kPlainOffLoopback);
  }
  Result<std::shared_ptr<HttpListener>> listener =
      HttpListener::Bind(impl->ioc, endpoint, *impl);
  if (!listener.ok()) {
    return Status(listener.status().code(),
                  std::string(listen_key) + ": " + listener.status().message());
  }
  impl->listener = std::move(listener).value();
  impl->port = impl->listener->port();
  impl->listener->Run();
  impl->thread = std::thread([p = impl.get()] { p->Run(); });
  if (impl->directory.size() == 0 && !impl->metrics_only) {
    Log(LogLevel::kWarn, "http.no_users",
        {{"detail", "no [[http.users]]: every /api/ call will be refused"}});
  }
  if (impl->metrics_only) {
    Log(LogLevel::kInfo, "metrics.started",
        {{"listen", config.http_listen}, {"port", std::to_string(impl->port)}});
  } else {
    if (impl->https) {
      const tls::CertificateInfo leaf = impl->https->Leaf();
      Log(LogLevel::kInfo, "http.started",
          {{"listen", config.http_listen},
           {"port", std::to_string(impl->port)},
           {"users", std::to_string(impl->directory.size())},
           {"scheme", "https"},
           {"cert_serial", leaf.serial_hex},
           {"cert_not_after", tls::FormatUtc(leaf.not_after_us)}});
    } else {
      Log(LogLevel::kInfo, "http.started",
          {{"listen", config.http_listen},
           {"port", std::to_string(impl->port)},
           {"users", std::to_string(impl->directory.size())},
           {"scheme", "http"}});
    }
  }
  return std::unique_ptr<StaffHttpServer>(new StaffHttpServer(std::move(impl)));
}

StaffHttpServer::StaffHttpServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

StaffHttpServer::~StaffHttpServer() { Stop(); }

int StaffHttpServer::port() const { return impl_->port; }

void StaffHttpServer::SetUsers(std::vector<StaffUser> users) {
  impl_->directory.SetUsers(std::move(users));
}

bool StaffHttpServer::https() const { return impl_->https != nullptr; }

int64_t StaffHttpServer::cert_not_after_us() const {
  return impl_->https ? impl_->https->Leaf().not_after_us : 0;
}

Status StaffHttpServer::ReloadTls(const std::string& cert_file,
                                  const std::string& key_file) {
  if (!impl_->https) {
    return FailedPrecondition(
        "http.tls_cert_file: the server speaks plain HTTP; switching to "
        "HTTPS needs a restart");
  }
  Status s = impl_->https->Reload(cert_file, key_file);
  if (!s.ok()) {
    Log(LogLevel::kError, "http.tls_reload_failed",
        {{"error", s.message()},
         {"detail", "the certificate served until now stays in use"}});
    return s;
  }
  const tls::CertificateInfo leaf = impl_->https->Leaf();
  Log(LogLevel::kInfo, "http.tls_reloaded",
      {{"cert_file", cert_file},
       {"cert_serial", leaf.serial_hex},
       {"cert_not_after", tls::FormatUtc(leaf.not_after_us)}});
  return Status::Ok();
}

void StaffHttpServer::SetSyncHealth(const SyncHealth* health) {
  impl_->api.SetSyncHealth(health);
}

void StaffHttpServer::SetPriceBook(const PriceBookHolder* prices) {
  impl_->api.SetPriceBook(prices);
}

void StaffHttpServer::SetMetricsHandler(MetricsHandler handler) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->metrics = std::move(handler);
}

void StaffHttpServer::CountRequestsIn(platform::CounterFamily* family) {
  impl_->requests.store(family);
}

void StaffHttpServer::Stop() {
  std::lock_guard<std::mutex> stop_lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop_requested.store(true);
  }
  // Stop accepting and close every connection, on the I/O thread.
  net::post(impl_->ioc, [listener = impl_->listener] { listener->Close(); });
  // Calls in flight answer (StockOps calls `done` exactly once); their
  // writes fail on the closed sockets.
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    impl_->drained.wait(lock, [this] { return impl_->in_flight == 0; });
  }
  net::post(impl_->ioc, [p = impl_.get()] { p->ioc.stop(); });
  if (impl_->thread.joinable()) impl_->thread.join();
  // Runs what is ready (the closes above, aborted reads) so every
  // connection is closed when Stop() returns; the rest goes with ioc.
  impl_->ioc.restart();
  impl_->ioc.poll();
  Log(LogLevel::kInfo, "http.stopped", {{"port", std::to_string(impl_->port)}});
}

}  // namespace storeagent::agent
