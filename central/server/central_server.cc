#include "central/server/central_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "central/server/admin_service.h"
#include "central/server/central_metrics.h"
#include "central/server/central_watchdog.h"
#include "central/server/kpi_report.h"
#include "central/server/mutual_tls.h"
#include "central/server/replica_cache.h"
#include "central/server/sync_hub.h"
#include "central/server/sync_stream.h"
#include "central/store/pg_stream_leases.h"
#include "central/store/stream_leases.h"
#include "core/limits.h"
#include "platform/listen_address.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

// The interceptor that counts every finished call by code.
void CountCalls(grpc::ServerBuilder& builder, CentralMetrics& metrics) {
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(metrics.grpc().InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
}

// A listener that did not start: names the key, the address and, when a
// bind shows it, why ("Address already in use").
Status ListenFailed(const std::string& key, const std::string& address) {
  const std::string why = platform::ExplainBindFailure(address);
  return Unavailable(key + ": cannot listen on " + address +
                     (why.empty() ? std::string() : ": " + why));
}

constexpr char kSyncServiceName[] = "storeagent.v1.SyncService";
constexpr char kAdminServiceName[] = "storeagent.v1.CentralAdminService";
// The same services under their 0.2 names (docs/contract.md), for health
// checks configured before the upgrade.
constexpr char kSyncServiceNameV02[] = "storeagent.v1.Sync";
constexpr char kAdminServiceNameV02[] = "storeagent.v1.CentralAdmin";

// grpc.health.v1 answers for `server`: the whole server and `service`.
void SetServing(grpc::Server* server, const char* service, bool serving) {
  if (server == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(service, serving);
  health->SetServingStatus(serving);
}

bool IsPostgres(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

}  // namespace

CentralServer::CentralServer(const CentralConfig& config, const Clock& clock)
    : config_(config), clock_(clock) {}

Result<std::unique_ptr<CentralServer>> CentralServer::Start(
    const CentralConfig& config, const Clock& clock,
    std::unique_ptr<CentralStore> store) {
  std::unique_ptr<CentralServer> s(new CentralServer(config, clock));
  if (store) {
    s->store_ = std::move(store);
  } else {
    Result<std::unique_ptr<CentralStore>> opened = OpenCentralStore(
        config.store_url, clock, static_cast<size_t>(config.worker_threads));
    if (!opened.ok()) {
      return Status(opened.status().code(),
                    "store.url: " + opened.status().message());
    }
    s->store_ = std::move(opened).value();
  }
  s->store_->SetKpiAggregation(config.kpi_enabled);
  s->metrics_ = std::make_unique<CentralMetrics>();
  s->work_ = std::make_unique<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      s->io_.get_executor());
  for (int i = 0; i < config.worker_threads; ++i) {
    s->workers_.emplace_back([io = &s->io_] { io->run(); });
  }
  s->replicas_ = std::make_unique<ReplicaCache>(*s->store_, clock);
  // Which replica holds each store's stream: PostgreSQL's stream_leases
  // (shared by every replica), or this process's memory on SQLite.
  const std::string replica_id = NewReplicaId();
  if (IsPostgres(config.store_url)) {
    Result<std::unique_ptr<StreamLeases>> leases = OpenPgStreamLeases(
        config.store_url, replica_id, kStreamLeaseTime, clock);
    if (!leases.ok()) {
      s->Shutdown(0);
      return Status(leases.status().code(),
                    "store.url: stream leases: " + leases.status().message());
    }
    s->leases_ = std::move(leases).value();
  } else {
    s->leases_ = std::make_unique<LocalStreamLeases>(replica_id);
  }
  s->hub_ = std::make_unique<SyncHub>(SyncContext{s->config_, *s->store_,
                                                  *s->replicas_, clock, s->io_,
                                                  *s->metrics_, *s->leases_});
  s->sync_service_ =
      std::make_unique<SyncServiceImpl>(*s->hub_, /*require_peer_id=*/
                                        !config.insecure);
  s->sync_service_v02_ = std::make_unique<SyncServiceV02>(*s->sync_service_);
  s->admin_service_ = std::make_unique<AdminServiceImpl>(*s->hub_);
  s->admin_service_v02_ = std::make_unique<AdminServiceV02>(*s->admin_service_);

  // Both ports: grpc.health.v1 and reflection.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  // Mutual TLS: the client's certificate is verified by our verifier, which
  // logs and counts a refusal (mutual_tls.h).
  const auto credentials = [&](bool tls, TlsListener listener)
      -> Result<std::shared_ptr<grpc::ServerCredentials>> {
    if (!tls) return grpc::InsecureServerCredentials();
    return MutualTlsCredentials(config, listener,
                                s->metrics_->handshake_refusals());
  };
  Result<std::shared_ptr<grpc::ServerCredentials>> sync_credentials =
      credentials(!config.insecure, TlsListener::kSync);
  Result<std::shared_ptr<grpc::ServerCredentials>> admin_credentials =
      credentials(config.admin_tls, TlsListener::kAdmin);
  for (const auto* c : {&sync_credentials, &admin_credentials}) {
    if (!c->ok()) {
      s->Shutdown(0);
      return c->status();
    }
  }

  // Agents' keepalive pings: allowed down to sync.min_keepalive_s.
  grpc::ServerBuilder sync;
  sync.AddListeningPort(config.sync_listen, *sync_credentials, &s->sync_port_);
  // A batch of max_batch_bytes, or one journal entry alone however small
  // the limit (an agent sends a larger entry by itself), plus framing. An
  // entry may carry its record twice, parsed and as its canonical bytes
  // (docs/sync-protocol.md, "Record bytes"), each up to about a request's
  // size plus what the agent adds.
  sync.SetMaxReceiveMessageSize(
      static_cast<int>(std::max<size_t>(config.max_batch_bytes,
                                        3 * core::kMaxRequestBytes)) +
      (64 << 10));
  sync.SetMaxSendMessageSize(16 << 20);
  sync.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                          static_cast<int>(config.min_keepalive_s) * 1000);
  sync.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // gRPC sets SO_REUSEPORT by default: a second central on a taken port
  // would start and the kernel would split the stores between the two.
  sync.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  sync.RegisterService(s->sync_service_.get());
  CountCalls(sync, *s->metrics_);  // metrics_ outlives both servers
  // Stores still on 0.2 dial the service's old name (docs/contract.md).
  sync.RegisterService(s->sync_service_v02_.get());
  s->sync_server_ = sync.BuildAndStart();
  if (s->sync_server_ == nullptr || s->sync_port_ == 0) {
    s->Shutdown(0);
    return ListenFailed("sync.listen", config.sync_listen);
  }

  grpc::ServerBuilder admin;
  admin.AddListeningPort(config.admin_listen, *admin_credentials,
                         &s->admin_port_);
  admin.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  admin.RegisterService(s->admin_service_.get());
  CountCalls(admin, *s->metrics_);
  // Head-office tools written against 0.2 call the old name.
  admin.RegisterService(s->admin_service_v02_.get());
  s->admin_server_ = admin.BuildAndStart();
  if (s->admin_server_ == nullptr || s->admin_port_ == 0) {
    s->Shutdown(0);
    return ListenFailed("admin.listen", config.admin_listen);
  }
  SetServing(s->sync_server_.get(), kSyncServiceName, true);
  SetServing(s->sync_server_.get(), kSyncServiceNameV02, true);
  SetServing(s->admin_server_.get(), kAdminServiceName, true);
  SetServing(s->admin_server_.get(), kAdminServiceNameV02, true);
  if (!config.metrics_listen.empty()) {
    CentralServer* self = s.get();
    Result<std::unique_ptr<MetricsHttpServer>> m = MetricsHttpServer::Start(
        config.metrics_listen, "metrics.listen",
        [self]() -> Result<std::string> { return self->RenderMetrics(); });
    if (!m.ok()) {
      s->Shutdown(0);
      return m.status();
    }
    s->metrics_http_ = std::move(m).value();
  }
  if (!config.report_listen.empty()) {
    Status started = s->StartReportPage();
    if (!started.ok()) {
      s->Shutdown(0);
      return started;
    }
  }
  if (IsPostgres(config.store_url)) {
    s->hub_->StartPolling(std::chrono::seconds(config.poll_interval_s));
    s->hub_->StartLeases(kStreamLeaseTime);
  }
  Log(LogLevel::kInfo, "central.started",
      {{"sync", config.sync_listen + " port " + std::to_string(s->sync_port_)},
       {"tls", config.insecure ? "off (tls.insecure)" : "mutual"},
       {"admin",
        config.admin_listen + " port " + std::to_string(s->admin_port_)},
       {"metrics", s->metrics_http_ ? config.metrics_listen + " port " +
                                          std::to_string(s->metrics_port())
                                    : std::string("off")},
       {"report", s->report_http_
                      ? config.report_listen + " port " +
                            std::to_string(s->report_port()) +
                            (config.report_tls ? " https, admin certificates"
                                               : " http, loopback")
                      : std::string("off")},
       {"workers", std::to_string(config.worker_threads)},
       {"replica", s->leases_->replica_id()},
       {"leases", s->leases_->shared()
                      ? "PostgreSQL stream_leases, " +
                            std::to_string(kStreamLeaseTime.count()) +
                            " s, channel " + s->leases_->channel()
                      : std::string("in this process (SQLite)")}});
  if (config.insecure) {
    Log(LogLevel::kWarn, "central.insecure",
        {{"reason",
          "tls.insecure = true: the sync port is plaintext and trusts the "
          "store id agents send; for local tests only"}});
  }
  return s;
}

CentralServer::~CentralServer() { Shutdown(); }

const std::string& CentralServer::replica_id() const {
  return leases_->replica_id();
}

int CentralServer::report_port() const {
  return report_http_ ? report_http_->port() : 0;
}

Status CentralServer::StartReportPage() {
  ReportHttpOptions options;
  options.listen = config_.report_listen;
  options.tls = config_.report_tls;
  if (options.tls) {
    options.cert_pem = config_.cert_pem;
    options.key_pem = config_.key_pem;
    options.ca_pem = config_.ca_pem;
  }
  // Called on the report server's own threads (it may read the database):
  // ComputeKpiReport(*store_, request, clock_.NowMicros(), out).
  // The same computation as CentralAdminService.GetKpiReport.
  KpiReportProvider provider = [this](const v1::GetKpiReportRequest& request,
                                      v1::GetKpiReportResponse* out) {
    return ComputeKpiReport(*store_, request, clock_.NowMicros(), out);
  };
  Result<std::unique_ptr<ReportHttpServer>> r =
      ReportHttpServer::Start(options, std::move(provider));
  if (!r.ok()) return r.status();
  report_http_ = std::move(r).value();
  return Status::Ok();
}

int CentralServer::metrics_port() const {
  return metrics_http_ ? metrics_http_->port() : 0;
}

std::string CentralServer::RenderMetrics() {
  ScrapeFigures f;
  f.stores_connected = hub_->ConnectedCount();
  f.pool = store_->pool_figures();
  // Without /proc the process_* figures read zero; the rest still counts.
  if (Result<platform::ProcessFigures> p = platform::ReadProcessFigures();
      p.ok()) {
    f.process = *p;
  }
  return metrics_->Render(f);
}

void CentralServer::StopWatchdog() {
  if (watchdog_) watchdog_->Stop();
}

void CentralServer::StartWatchdog(
    std::chrono::microseconds timeout,
    std::function<Status(std::string_view)> notify) {
  if (watchdog_ || shut_down_) return;
  if (!scheduler_) scheduler_ = std::make_unique<ThreadScheduler>();
  watchdog_ = std::make_unique<CentralWatchdog>(io_, *store_, timeout,
                                                *scheduler_, std::move(notify));
  Log(LogLevel::kInfo, "watchdog.started",
      {{"timeout_ms", std::to_string(timeout.count() / 1000)}});
}

void CentralServer::Shutdown(int grace_ms) {
  if (shut_down_) return;
  shut_down_ = true;
  // Health checkers see it first; then nothing new is accepted.
  SetServing(sync_server_.get(), kSyncServiceName, false);
  SetServing(sync_server_.get(), kSyncServiceNameV02, false);
  SetServing(admin_server_.get(), kAdminServiceName, false);
  SetServing(admin_server_.get(), kAdminServiceNameV02, false);
  if (metrics_http_) metrics_http_->Stop();
  // Before the store: a report being computed reads it.
  if (report_http_) report_http_->Stop();
  if (watchdog_) watchdog_->Stop();
  if (scheduler_) scheduler_->Stop();
  const gpr_timespec deadline =
      gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                   gpr_time_from_millis(grace_ms, GPR_TIMESPAN));
  // Admin calls may wait for a store's hold answer: the pool still runs.
  if (admin_server_) admin_server_->Shutdown(deadline);
  if (sync_server_) sync_server_->Shutdown(deadline);
  if (hub_) hub_->Stop();
  if (leases_) leases_->Stop();
  work_.reset();
  io_.stop();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

}  // namespace storeagent::central
