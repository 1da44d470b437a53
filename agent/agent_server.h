// AgentServer: storeagentd's running parts wired together: the database
// (writer + readers + journal), the recorder, stock operations, the timers
// on one Scheduler (disk guard, hold expiry, journal pruning), and the gRPC
// server with the POS and availability APIs,
// health checking and reflection.
//
// Start() returns once the database is open and every listener listens.
// Shutdown() stops taking calls, lets in-flight calls finish (their commits
// included), then closes the database.
#ifndef STOREAGENT_AGENT_AGENT_SERVER_H_
#define STOREAGENT_AGENT_AGENT_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/agent_metrics.h"
#include "agent/availability_service.h"
#include "agent/checkpoint_timer.h"
#include "agent/config.h"
#include "agent/disk_guard.h"
#include "agent/hold_expiry_timer.h"
#include "agent/http/staff_http_server.h"
#include "agent/journal_prune_timer.h"
#include "agent/pos_service.h"
#include "agent/price_book_holder.h"
#include "agent/price_service.h"
#include "agent/recorder.h"
#include "agent/stock_ops.h"
#include "agent/sync/sync_client.h"
#include "agent/sync/sync_gate.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"
#include "platform/file_lock.h"
#include "platform/scheduler.h"
#include "platform/signing.h"
#include "storage/agent_database.h"
#include "storage/escrow_keeper.h"

namespace storeagent::agent {

struct ServerOverrides {
  // A registered SQLite VFS for the database (tests inject faults).
  std::string vfs;
  // Where the timers (disk guard, hold expiry, journal pruning) run; null:
  // a ThreadScheduler of the server's own, on real time. Tests pass a
  // SimScheduler. REQUIRES: outlives the server.
  Scheduler* scheduler = nullptr;
};

// Sync wiring, before anything else submits to the writer: the escrow
// keeper as the journal's after-append hook (`config`'s escrow policy), and
// the empty-DB gate, closed while central never confirmed this database
// (with sync enabled). Also what the sync simulator opens a store with.
Status PrepareSync(storage::AgentDatabase& db, const AgentConfig& config,
                   std::unique_ptr<storage::EscrowKeeper>* keeper,
                   std::unique_ptr<SyncGate>* gate);

class AgentServer {
 public:
  static Result<std::unique_ptr<AgentServer>> Start(
      const AgentConfig& config, const Clock& clock,
      const ServerOverrides& overrides = {});
  ~AgentServer();

  // Health of every service: SERVING unless the disk reserve is reached.
  void SetServing(bool serving);

  // The TCP port actually bound (useful with "127.0.0.1:0"), or 0.
  int tcp_port() const { return tcp_port_; }
  // The staff HTTP port actually bound, or 0 when the page is off.
  int http_port() const;
  // The staff page is on and speaks HTTPS.
  bool staff_page_https() const;
  storage::AgentDatabase& database() { return *db_; }
  // What the timers run on (storeagentd's watchdog runs here too).
  Scheduler& scheduler() { return *scheduler_; }
  StockOps& stock_ops() { return *stock_ops_; }
  const SyncHealth& sync_health() const { return sync_health_; }

  // What the sync client reports (status, /metrics). It writes here.
  SyncHealth& sync_health() { return sync_health_; }
  AgentMetrics& metrics() { return *metrics_; }
  // The metrics.listen port actually bound, or 0.
  int metrics_port() const { return metrics_http_ ? metrics_http_->port() : 0; }

  // SIGHUP: re-read TLS files. The sync client sets this hook; it gets the
  // new configuration and answers whether its TLS files load (on error it
  // keeps the ones it has). Without a hook, reloads skip sync.
  using SyncReloadHook = std::function<Status(const AgentConfig&)>;
  void SetSyncReloadHook(SyncReloadHook hook);
  bool has_sync_reload_hook();

  // Applies the run-time parts of `next` (the keys in `apply`, see
  // agent/config_reload.h): staff users; re-reads the staff page's HTTPS
  // pair (a bad pair is logged as http.tls_reload_failed naming the file,
  // and the served one stays); starts the staff page if it was off for
  // unusable files and `next`'s pass (on the http.listen it started with);
  // calls the sync hook if set. The log settings are the caller's
  // (ConfigureLog). Returns the sync hook's error, if any. Thread-safe.
  Status ApplyReload(const AgentConfig& next,
                     const std::vector<std::string>& apply);

  // Idempotent. Waits at most `grace_ms` for in-flight calls.
  void Shutdown(int grace_ms = 5000);

 private:
  explicit AgentServer(const Clock& clock) : clock_(clock) {}
  // REQUIRES: http_mu_ held. Re-reads the served pair (HTTPS on and off
  // switch only with a restart).
  void ReloadHttpsPair(const AgentConfig& next);
  // REQUIRES: http_mu_ held, http_ null. Starts the staff page on `c`, or
  // when CheckStaffHttps refuses `c`, logs http.disabled (why) and returns
  // OK (the page stays off). Errors: the page could not listen.
  Status StartStaffPage(const AgentConfig& c);
  // GET /metrics for the staff and metrics listeners.
  StaffHttpServer::MetricsHandler MetricsHandler();
  // For /metrics.
  StaffPageFigures StaffPage() const;

  const Clock& clock_;

  AgentConfig config_;
  FileLock lock_;  // on the data directory, first to take, last to go
  // The server's own scheduler when none was passed; declared before the
  // timers, so destroyed after them. Stopped in Shutdown() once they are.
  std::unique_ptr<ThreadScheduler> own_scheduler_;
  Scheduler* scheduler_ = nullptr;
  std::unique_ptr<DiskGuard> disk_guard_;
  // The store's checkpoint key; before the database, which signs with it.
  std::unique_ptr<crypto::SigningKey> signing_key_;
  std::unique_ptr<storage::AgentDatabase> db_;
  SyncHealth sync_health_;
  std::unique_ptr<storage::EscrowKeeper> escrow_;
  std::unique_ptr<SyncGate> sync_gate_;
  std::unique_ptr<PriceBookHolder> prices_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<PosServiceImpl> pos_;
  std::unique_ptr<PriceServiceImpl> price_service_;
  std::unique_ptr<StockOps> stock_ops_;
  std::unique_ptr<AvailabilityServiceImpl> availability_;
  std::unique_ptr<HoldExpiryTimer> expiry_timer_;
  std::unique_ptr<JournalPruneTimer> prune_timer_;
  std::unique_ptr<CheckpointTimer> checkpoint_timer_;
  std::unique_ptr<AgentMetrics> metrics_;
  // The staff page may start at a SIGHUP (it was off): guarded by
  // http_mu_.
  mutable std::mutex http_mu_;
  std::unique_ptr<StaffHttpServer> http_;
  std::unique_ptr<StaffHttpServer> metrics_http_;
  std::mutex reload_mu_;
  SyncReloadHook sync_reload_hook_;  // guarded by reload_mu_
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<SyncClient> sync_;
  int tcp_port_ = 0;
  bool shut_down_ = false;
  std::atomic<bool> started_{false};
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_AGENT_SERVER_H_
