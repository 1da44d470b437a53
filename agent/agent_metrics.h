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
#include "platform/status.h"
#include "storage/agent_database.h"

namespace storeagent::agent {

// Figures read from the database in one read transaction.
struct DbFigures {
  uint64_t head_seq = 0;
  uint64_t central_acked_seq = 0;
  // recorded_at of seq central_acked_seq + 1; 0 when nothing is unacked.
  int64_t oldest_unacked_us = 0;
  // core::HoldStateName -> holds in that state.
  std::map<std::string, uint64_t> holds;
};

// REQUIRES: `db` is not inside a transaction of the caller's.
Result<DbFigures> ReadDbFigures(sqlite3* db);

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

  // Renders every metric; `done` runs once, on a reader thread (or at once
  // with an error when the pool is stopping).
  void Scrape(std::function<void(Result<std::string>)> done);

  // The rendering itself, from figures already read (tests).
  std::string Render(const DbFigures& figures) const;

 private:
  const Clock& clock_;
  platform::Histogram batch_size_;
  platform::Histogram commit_seconds_;
  storage::AgentDatabase* db_ = nullptr;
  const DiskGuard* disk_ = nullptr;
  const SyncHealth* sync_ = nullptr;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_AGENT_METRICS_H_
