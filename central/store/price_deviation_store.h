// Sale lines the stores charged other than the price book, as central keeps
// them (docs/central.md, "Price deviations"): at ingest, in the batch's
// transaction, every sale the agent checked against its price book
// (Sale.price_book_central_seq != 0) adds its lines to the store's
// price_lines.checked counter of the sale's ISO week and its deviating lines
// (TransactionLine.price_deviation set) to price_lines.deviating
// (kpi_counters, so the counts go in the batch's one counter upsert), and
// each deviating line becomes one price_deviations row. A sale that was not
// checked costs one comparison. The read answers
// CentralAdminService.ListPriceDeviations. Written once over the SQL seam
// for both backends.
#ifndef STOREAGENT_CENTRAL_STORE_PRICE_DEVIATION_STORE_H_
#define STOREAGENT_CENTRAL_STORE_PRICE_DEVIATION_STORE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "central/store/central_store.h"
#include "central/store/ingest_plan.h"
#include "central/store/kpi_ingest.h"
#include "central/store/sql_seam.h"
#include "platform/status.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central::deviations {

// The names a deviation's kind and reason are stored and shown by
// (docs/pricing.md, "Deviations"): "not_in_book", "unit_mismatch",
// "currency", "unit_price", "net_amount" ("unspecified" for 0); "none_given",
// "manual_override", "price_match", "damaged_goods", "unknown_sku".
std::string_view KindName(v1::PriceDeviationKind kind);
std::string_view ReasonName(v1::PriceReason reason);
// Back from a stored name; an unknown one reads as 0 (UNSPECIFIED).
v1::PriceDeviationKind KindFromName(std::string_view name);
v1::PriceReason ReasonFromName(std::string_view name);

// A batch's checked sales: their counts and their deviating lines.
class BatchDeviations {
 public:
  // `r` is a sale central commits now (a new seq of `store_id`, not
  // quarantined). Nothing happens unless the agent checked it
  // (price_book_central_seq != 0); then its lines count as checked and
  // those with a price_deviation as deviating, in the week of its
  // recorded_at_us, in `deltas`, and each deviating line is kept as a row.
  void AddSale(const std::string& store_id, const v1::JournalRecord& r,
               kpi::CounterDeltas& deltas);
  bool empty() const { return rows_.empty(); }
  // The rows as one plain INSERT (a batch's seqs are new, so no conflict
  // check); none when the batch had no deviating line. Borrows from this
  // object: keep it until the rows are written.
  void AppendTo(std::vector<SqlRows>& out) const;

 private:
  struct Row {
    std::string store_id;
    int64_t seq = 0;
    int64_t line = 0;
    int64_t recorded_at_us = 0;
    std::string terminal_id, client_txn_id, receipt_number, operator_id, sku;
    std::string_view kind, reason;
    int64_t expected_unit_price = 0, expected_net = 0;
    int64_t charged_unit_price = 0, charged_net = 0, difference = 0;
    std::string price_list_id;
    int64_t price_list_version = 0;
  };
  std::deque<Row> rows_;  // stable addresses: SqlRows borrows from them
};

// The deviation side of an ingest when the KPI aggregation is off: the
// plan's checked sales counted and listed on their own, in one
// SqlTx::ExecRows (none when the batch has no checked sale). With the
// aggregation on, kpi::OnIngest does the same inside its one write.
Status OnIngestWithoutKpis(SqlTx& tx, const std::string& store_id,
                           const IngestPlan& plan);

// ListPriceDeviations' read (PriceDeviationQuery): the rows newest first
// (recorded_at_us descending, then store id, seq descending, line), and the
// all-time counts of the query's store (every store when none).
Result<PriceDeviationList> List(SqlTx& tx, const PriceDeviationQuery& query);

}  // namespace storeagent::central::deviations

#endif  // STOREAGENT_CENTRAL_STORE_PRICE_DEVIATION_STORE_H_
