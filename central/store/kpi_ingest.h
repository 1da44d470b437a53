// Head office's KPIs kept as events arrive (docs/kpis.md): what an ingest,
// a central ack or a drift write adds to the per-(store, ISO week) counters
// (kpi_counters) and to the indexes of sales, returns and holds the KPIs
// need (kpi_sales, kpi_returns, kpi_holds). Each function runs inside the
// caller's transaction, so the aggregates commit with the events they come
// from; a batch is aggregated in memory first and written with one upsert
// per touched row (SqlTx::ExecValues). Written once over the SQL seam for
// both backends.
#ifndef STOREAGENT_CENTRAL_STORE_KPI_INGEST_H_
#define STOREAGENT_CENTRAL_STORE_KPI_INGEST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "central/store/ingest_plan.h"
#include "central/store/sql_seam.h"
#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central::kpi {

// Counter deltas of one transaction, merged by (store, week, name).
class CounterDeltas {
 public:
  void Add(const std::string& store_id, const std::string& week,
           const std::string& name, int64_t n);
  bool empty() const { return deltas_.empty(); }
  // One upsert per touched (store, week, name) (zero deltas skipped).
  Status Flush(SqlTx& tx) const;

 private:
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> deltas_;
};

// The KPI side of IngestBatch: `plan`'s entries (quarantined ones count
// only for data freshness), committed at now_us.
Status OnIngest(SqlTx& tx, const std::string& store_id, const IngestPlan& plan,
                int64_t now_us);

// The store acknowledged central events (acked_before, acked_now] at
// now_us: one integration-latency sample per event.
Status OnCentralAck(SqlTx& tx, const std::string& store_id,
                    uint64_t acked_before, uint64_t acked_now, int64_t now_us);

// Drift findings: one stock_drift count per row, week of found_at_us.
Status OnDrift(SqlTx& tx, const std::vector<v1::Drift>& drift);

// The original of the return at (store_id, seq) as central resolved it;
// nullopt when that entry is not a return central indexed.
Result<std::optional<v1::ResolvedOriginal>> ReadResolvedOriginal(
    SqlTx& tx, const std::string& store_id, uint64_t seq);

}  // namespace storeagent::central::kpi

#endif  // STOREAGENT_CENTRAL_STORE_KPI_INGEST_H_
