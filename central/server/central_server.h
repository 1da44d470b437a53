// CentralServer: storecentrald's parts wired together: the CentralStore,
// the worker pool, the replica cache, the Sync service on sync.listen (mTLS
// unless tls.insecure), the CentralAdminService service on admin.listen, and
// /metrics on metrics.listen when set, and head office's KPI report page on
// report.listen when set (report_http.h). Both gRPC ports also answer
// grpc.health.v1.Health (the service names "storeagent.v1.SyncService" and
// "storeagent.v1.CentralAdminService", and "" for the whole server: SERVING
// until shutdown begins) and server reflection, with the port's own
// credentials.
#ifndef STOREAGENT_CENTRAL_SERVER_CENTRAL_SERVER_H_
#define STOREAGENT_CENTRAL_SERVER_CENTRAL_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "central/server/central_config.h"
#include "central/server/metrics_http.h"
#include "central/server/report_http.h"
#include "central/store/central_store.h"
#include "platform/clock.h"
#include "platform/scheduler.h"
#include "platform/status.h"

namespace storeagent::central {

class AdminServiceImpl;
class AdminServiceV02;
class CentralMetrics;
class CentralWatchdog;
class ReplicaCache;
class StreamLeases;
class SyncHub;
class SyncServiceImpl;
class SyncServiceV02;

class CentralServer {
 public:
  // Opens config.store_url (or uses `store` when given, for tests), starts
  // the pool and both listeners. Port 0 in a listen address picks a free
  // port (see sync_port(), admin_port()).
  static Result<std::unique_ptr<CentralServer>> Start(
      const CentralConfig& config, const Clock& clock,
      std::unique_ptr<CentralStore> store = nullptr);
  ~CentralServer();

  int sync_port() const { return sync_port_; }
  int admin_port() const { return admin_port_; }
  // The /metrics port; 0 when metrics.listen is off.
  int metrics_port() const;
  // The report page's port; 0 when report.listen is off.
  int report_port() const;
  CentralStore& store() { return *store_; }
  // This replica's id (host:pid:random), logged at start.
  const std::string& replica_id() const;

  // /metrics as a scrape renders it now.
  std::string RenderMetrics();

  // Stops the watchdog's pings (before STOPPING=1). Idempotent.
  void StopWatchdog();

  // Starts pinging systemd's watchdog (see CentralWatchdog) every
  // timeout/2 through `notify`. Once; stopped by Shutdown().
  void StartWatchdog(std::chrono::microseconds timeout,
                     std::function<Status(std::string_view)> notify);

  // Ends every stream and call (after `grace_ms`), then the pool.
  void Shutdown(int grace_ms = 2000);

 private:
  CentralServer(const CentralConfig& config, const Clock& clock);
  // The report page on report.listen, its reports from ComputeKpiReport.
  Status StartReportPage();

  const CentralConfig config_;
  const Clock& clock_;
  std::unique_ptr<CentralStore> store_;
  std::unique_ptr<CentralMetrics> metrics_;
  boost::asio::io_context io_;
  std::unique_ptr<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_;
  std::vector<std::thread> workers_;
  std::unique_ptr<ReplicaCache> replicas_;
  std::unique_ptr<StreamLeases> leases_;
  std::unique_ptr<SyncHub> hub_;
  std::unique_ptr<SyncServiceImpl> sync_service_;
  std::unique_ptr<SyncServiceV02> sync_service_v02_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<AdminServiceV02> admin_service_v02_;
  std::unique_ptr<grpc::Server> sync_server_;
  std::unique_ptr<grpc::Server> admin_server_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  std::unique_ptr<ReportHttpServer> report_http_;
  // Central's timers in real time (platform/scheduler.h): the watchdog's.
  std::unique_ptr<ThreadScheduler> scheduler_;
  std::unique_ptr<CentralWatchdog> watchdog_;
  int sync_port_ = 0;
  int admin_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CENTRAL_SERVER_H_
