// Head office's KPIs kept as events arrive (docs/kpis.md): what an ingest,
// a central ack or a drift write adds to the per-(store, ISO week) counters
// (kpi_counters) and to the indexes of sales, returns and holds the KPIs
// need (kpi_sales, kpi_returns, kpi_holds). Each function runs inside the
// caller's transaction, so the aggregates commit with the events they come
// from; a batch is aggregated in memory first and written with one upsert
// per touched row (SqlTx::ExecRows: one round trip on PostgreSQL). Written once
// over the SQL seam for both backends.
#ifndef STOREAGENT_CENTRAL_STORE_KPI_INGEST_H_
#define STOREAGENT_CENTRAL_STORE_KPI_INGEST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "central/store/ingest_plan.h"
#include "central/store/sql_seam.h"
#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central::kpi {

// Counter deltas of one transaction, merged by (store, week, name): a
// fixed slot per counter name, so adding one allocates nothing.
class CounterDeltas {
 public:
  // `name` one of kpi_rules.h's counters ("sales.value.<channel>" too).
  void Add(const std::string& store_id, const std::string& week,
           std::string_view name, int64_t n);
  // A histogram's bucket ("<histogram>:<bucket>").
  void AddBucket(const std::string& store_id, const std::string& week,
                 std::string_view histogram, int bucket, int64_t n);
  // One upsert row per touched (store, week, name), zero deltas skipped
  // (borrowing from this object: keep it until the rows are written).
  void AppendTo(std::vector<SqlRows>& out) const;
  Status Flush(SqlTx& tx) const;

 private:
  std::vector<int64_t>& Slots(const std::string& store_id,
                              const std::string& week);

  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> deltas_;
  std::vector<int64_t>* last_ = nullptr;  // the last (store, week) touched
  std::pair<std::string, std::string> last_key_;
};

// The KPI side of IngestBatch: `plan`'s entries (quarantined ones count
// only for data freshness), committed at now_us. `pending_returns`: whether
// a pending return of an earlier batch names the store (SqlTx::WriteIngest
// says); false skips reading them.
Status OnIngest(SqlTx& tx, const std::string& store_id, const IngestPlan& plan,
                int64_t now_us, bool pending_returns);

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

// The same for every return central indexed at `store_id` with
// after < seq <= through, by seq: one range read (a change feed page).
Result<std::map<uint64_t, v1::ResolvedOriginal>> ReadResolvedOriginals(
    SqlTx& tx, const std::string& store_id, uint64_t after, uint64_t through);

}  // namespace storeagent::central::kpi

#endif  // STOREAGENT_CENTRAL_STORE_KPI_INGEST_H_
