// The indexes head office's KPIs keep beside the events (docs/kpis.md):
// sales (kpi_sales: a void takes a sale back out, a return finds its
// original), returns (kpi_returns: resolved or pending originals) and
// click-and-collect holds (kpi_holds: placed and picked times, finished
// once). KpiIndex serves one ingest transaction of one store: rows of the
// batch are kept in memory (a return finds a sale earlier in its batch) and
// written at the end in one statement (AppendWrites); the rows of earlier
// batches the batch needs are read first, all in one statement (Prefetch),
// and a lookup Prefetch did not foresee is read on its own.
#ifndef STOREAGENT_CENTRAL_STORE_KPI_INDEX_H_
#define STOREAGENT_CENTRAL_STORE_KPI_INDEX_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "central/store/ingest_plan.h"
#include "central/store/sql_seam.h"
#include "platform/status.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::central::kpi {

// Whether `plan` brings something a pending return may be waiting for (a
// sale or a collected hold, not quarantined): only then are pending
// returns read (KpiIndex::Prefetch), so only then is SqlTx::WriteIngest's
// `pending_returns` worth asking for.
bool BringsOriginals(const IngestPlan& plan);

struct SaleRow {
  std::string store_id, terminal_id, client_txn_id;
  uint64_t seq = 0;
  int64_t recorded_at_us = 0;
  std::string receipt_number, order_ref, channel, business_day;
  int64_t total_minor = 0;
  int64_t lines = 0;
  bool member = false;
  bool voided = false;
  static SaleRow Of(const std::string& store_id, const v1::JournalRecord& r);
};

// Where a return's goods were sold, as central found it.
struct Original {
  std::string store_id;
  uint64_t seq = 0;  // 0: an online order
  std::string order_ref;
  int64_t sold_at_us = 0;
  std::string channel, business_day;
  static Original OfSale(const SaleRow& s);
};

struct ReturnRow {
  std::string store_id;
  uint64_t seq = 0;
  std::string terminal_id, client_txn_id;
  int64_t recorded_at_us = 0;
  int64_t total_minor = 0;
  bool voided = false;
  // What the return said (orig_store: its own store when it named none).
  std::string orig_store, orig_terminal, orig_txn, orig_reference, orig_channel,
      orig_business_day;
  int64_t orig_sold_at_us = 0;
  bool resolved = false;
  Original res;
  // The refund-cycle bucket counted for it; -1: none.
  int cycle_bucket = -1;
  static ReturnRow Of(const std::string& store_id, const v1::JournalRecord& r);
};

struct HoldRow {
  std::string store_id, order_ref;
  int64_t placed_at_us = 0;
  int64_t picked_at_us = 0;
  // "" (unknown to central), "held", "picked", "collected",
  // "short_picked", "cancelled", "expired", "withdrawn" (cancelled for
  // central).
  std::string state;
  int64_t finished_at_us = 0;
};

class KpiIndex {
 public:
  // `pending_returns`: whether a pending return of an earlier batch names
  // the store (false: PendingReturns does not read them).
  KpiIndex(SqlTx& tx, const std::string& store_id, bool pending_returns)
      : tx_(tx), store_(store_id), store_pending_(pending_returns) {}

  // Reads, in one SqlTx::QueryLookups, every row of earlier batches the
  // lookups below will ask for while `plan` is aggregated (what a return's
  // original, a void's sale or return, a hold event's hold and the pending
  // returns need), except what the batch itself holds. Optional: without
  // it each lookup reads on its own; the answers are the same (nothing is
  // written until AppendWrites).
  Status Prefetch(const IngestPlan& plan);

  void AddSale(SaleRow s);
  void AddReturn(ReturnRow r);
  void PutHold(HoldRow h);
  // The store's hold, read or made (state "") on first touch; changes to
  // it are written by AppendWrites.
  Result<HoldRow*> HoldForUpdate(const std::string& order_ref);
  void NoteCollected(const std::string& order_ref);

  // Lookups for a return's original: this batch first, then the database
  // (not while local_only).
  Result<std::optional<SaleRow>> SaleByKey(const std::string& store_id,
                                           const std::string& terminal_id,
                                           const std::string& client_txn_id);
  // By receipt number (not unique: tills restart them), docs/kpis.md
  // "Original resolution": that business day's sales only when
  // `business_day` is set; of them the latest recorded at or before
  // `return_at_us`, else (clocks differ) the earliest recorded after it.
  // The batch's and the database's sales by the same rule.
  Result<std::optional<SaleRow>> SaleByReceipt(const std::string& store_id,
                                               const std::string& receipt,
                                               const std::string& business_day,
                                               int64_t return_at_us);
  Result<std::optional<SaleRow>> SaleByOrder(const std::string& order_ref);
  Result<std::optional<HoldRow>> CollectedHold(const std::string& order_ref);

  // This store's sale / return with that client key, not voided yet: marked
  // voided (written by AppendWrites) and returned; nullopt when there is none.
  Result<std::optional<SaleRow*>> SaleToVoid(const std::string& terminal_id,
                                             const std::string& client_txn_id);
  Result<std::optional<ReturnRow*>> ReturnToVoid(
      const std::string& terminal_id, const std::string& client_txn_id);

  // True when the batch brought a sale or a collected hold (something a
  // pending return may be waiting for).
  bool has_new_originals() const { return new_originals_; }
  // Pending returns that may name what this batch brought: this batch's,
  // those naming this store, and online ones naming an order it collected
  // or sold. From here on lookups see this batch only (the database was
  // looked at when each was recorded).
  // Rows of earlier batches returned here are written back by
  // AppendWrites only if a resolution changed them.
  Result<std::vector<ReturnRow*>> PendingReturns();

  // The batch's rows and the changes to earlier ones, for one
  // SqlTx::ExecRows (they borrow from this index: keep it until then).
  void AppendWrites(std::vector<SqlRows>& out) const;

 private:
  // A lookup's rows of earlier batches: read by Prefetch, else on first
  // use. The key is the lookup's parameters (MemoKey).
  template <typename T>
  using Memo = std::map<std::string, std::vector<T>>;
  // The rows of `lookup` (its shape: sql, types, width) for `key`, from
  // `memo` or read now.
  template <typename T, typename From>
  Result<const std::vector<T>*> Read(Memo<T>& memo, const SqlLookup& lookup,
                                     const std::vector<std::string_view>& key,
                                     From from);

  SqlTx& tx_;
  const std::string& store_;
  Memo<SaleRow> sale_by_key_db_, sale_by_receipt_db_, sale_by_order_db_;
  Memo<HoldRow> collected_db_, hold_db_;
  Memo<ReturnRow> return_by_key_db_, pending_by_store_db_, pending_by_order_db_;
  const bool store_pending_;
  bool local_only_ = false;
  bool new_originals_ = false;
  std::deque<SaleRow> sales_;      // this batch's
  std::deque<ReturnRow> returns_;  // this batch's
  std::map<std::pair<std::string, std::string>, SaleRow*> sale_by_key_;
  std::map<std::string, std::vector<SaleRow*>> sale_by_receipt_;
  std::map<std::string, SaleRow*> sale_by_order_;
  std::map<std::pair<std::string, std::string>, ReturnRow*> return_by_key_;
  std::map<std::string, HoldRow> holds_;  // this store's, touched
  std::set<std::string> new_orders_;
  // Rows of earlier batches changed by this one.
  std::deque<SaleRow> old_sales_voided_;
  // Returns of earlier batches this one may change (a void's, pending
  // ones), each beside its row as read: only those that differ from it are
  // written back, so a pending return no batch resolves is never rewritten.
  std::deque<std::pair<ReturnRow, ReturnRow>> old_returns_;
  std::set<std::pair<std::string, uint64_t>> old_return_keys_;
};

}  // namespace storeagent::central::kpi

#endif  // STOREAGENT_CENTRAL_STORE_KPI_INDEX_H_
