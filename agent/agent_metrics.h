// AgentMetrics: what storeagentd exposes on /metrics.
//
// Commit figures are observed as they happen (the writer's commit hook);
// everything that lives in the database (journal head, sync outbox, holds)
// is read at scrape time on a reader thread of the read pool, so a scrape
// never touches the writer. docs/operations.md lists every metric.
#ifndef STOREAGENT_AGENT_AGENT_METRICS_H_
#define STOREAGENT_AGENT_AGENT_METRICS_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "agent/disk_guard.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"
#include "platform/metrics.h"
#include "platform/process_metrics.h"
#include "platform/status.h"
#include "proto/grpc_server_metrics.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

// Figures read from the database in one read transaction.
struct DbFigures {
  uint64_t head_seq = 0;
  uint64_t central_acked_seq = 0;
  // recorded_at of seq central_acked_seq + 1; 0 when nothing is unacked.
  int64_t oldest_unacked_us = 0;
  // HoldStateLabel -> holds in that state.
  std::map<std::string, uint64_t> holds;
};

// The `state` label of storeagent_holds: lower_snake_case, as Prometheus
// label values go ("held", "picked", "collected", "cancelled", "expired";
// "unknown" for a value the enum does not name).
const char* HoldStateLabel(int state);

// REQUIRES: `db` is not inside a transaction of the caller's.
Result<DbFigures> ReadDbFigures(sqlite3* db);

// The staff page as a scrape sees it (AgentServer::StaffPage).
struct StaffPageFigures {
  // http.listen is set but the page is off: its HTTPS pair, or plain HTTP
  // off loopback, failed CheckStaffHttps (log event http.disabled).
  bool off = false;
  // notAfter of the certificate served, µs since epoch; 0 when none.
  int64_t cert_not_after_us = 0;
};

class AgentMetrics {
 public:
  explicit AgentMetrics(const Clock& clock);

  // The writer's commit hook (storage::WriterOptions::on_commit).
  void OnCommit(const storage::CommitInfo& info);

  // What the scrape reads besides the database. REQUIRES: they outlive
  // this object; set once, before the first Scrape(). `disk` and `sync`
  // may be null.
  void SetSources(storage::AgentDatabase* db, const DiskGuard* disk,
                  const SyncHealth* sync);

  // The staff page's figures, read at every render. Set once, before the
  // first Scrape(); without it the page counts as not configured.
  void SetStaffPageSource(std::function<StaffPageFigures()> source);

  // Renders every metric; `done` runs once, on a reader thread (or at once
  // with an error when the pool is stopping). The process_* figures are
  // read from /proc there too.
  void Scrape(std::function<void(Result<std::string>)> done);

  // The rendering itself, from figures already read (tests). The one-
  // argument form renders the process_* families with zero figures.
  std::string Render(const DbFigures& figures,
                     const platform::ProcessFigures& process) const;
  std::string Render(const DbFigures& figures) const {
    return Render(figures, platform::ProcessFigures{});
  }

  // storeagent_grpc_server_handled_total: its interceptor goes on the
  // POS/availability gRPC server.
  rpc::GrpcServerMetrics& grpc() { return grpc_; }
  // storeagent_http_requests_total{route,code}: the staff HTTP servers
  // count into it.
  platform::CounterFamily& http_requests() { return http_requests_; }

 private:
  const Clock& clock_;
  platform::Histogram batch_size_;
  platform::Histogram commit_seconds_;
  rpc::GrpcServerMetrics grpc_;
  platform::CounterFamily http_requests_;
  storage::AgentDatabase* db_ = nullptr;
  const DiskGuard* disk_ = nullptr;
  const SyncHealth* sync_ = nullptr;
  std::function<StaffPageFigures()> staff_page_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_AGENT_METRICS_H_
