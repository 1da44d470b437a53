// Stock verification: replays the whole journal and then the inbox of
// central events (head office's movements) through core::StockReplay and
// compares the result with the materialised `stock` and `holds` tables
// (storage/stock_ledger.h). Used by `storeagentctl stock rebuild --verify`
// and the tests.
//
// Verification only: nothing is written. Safe next to a running agent: the
// journal and both tables are read in one read transaction, so they come from
// the same snapshot.
#ifndef STOREAGENT_STORAGE_STOCK_REBUILD_H_
#define STOREAGENT_STORAGE_STOCK_REBUILD_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"

namespace storeagent::storage {

// Journal records read per ReadRange page while replaying.
inline constexpr size_t kRebuildPageSize = 1000;

// One disagreement between a table and the journal.
struct StockDifference {
  enum class Subject { kSku, kHold };
  Subject subject = Subject::kSku;
  // The SKU or the hold's order_ref.
  std::string key;
  // "on_hand", "held", "unavailable", "count_store_seq",
  // "count_central_seq", "count_qty", "escrow" for SKUs; "state" for holds.
  std::string field;
  // What the table holds and what the journal says; "absent" when one side
  // has no row at all, "none" for a SKU never counted.
  std::string table_value;
  std::string journal_value;

  // "sku A-1: on_hand: table 11, journal 10".
  std::string ToString() const;
};

struct RebuildReport {
  uint64_t events_replayed = 0;
  // Central events of the inbox replayed after the journal.
  uint64_t central_events_replayed = 0;
  uint64_t head_seq = 0;
  // SKUs and holds compared (the union of the table's and the journal's).
  uint64_t skus_checked = 0;
  uint64_t holds_checked = 0;
  // Empty when the tables agree with the journal.
  std::vector<StockDifference> differences;
  // OK, or why the journal could not be replayed (a record the stock rule
  // refuses); the comparison is then not made. 0 when OK.
  Status replay_problem;
  uint64_t problem_seq = 0;

  bool agrees() const { return replay_problem.ok() && differences.empty(); }
};

// REQUIRES: `db` is open on an agent database (any connection; read-only is
// enough) and not inside a transaction of the caller's. A Result error means
// the database could not be read (or its journal was pruned, so the figures
// cannot be recomputed from it: FAILED_PRECONDITION); disagreements are in
// the report.
Result<RebuildReport> VerifyStock(sqlite3* db);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_STOCK_REBUILD_H_
