// SqlCentralStore's KPI methods (docs/kpis.md): regions, the aggregates'
// reads and a return's resolved original. The aggregation itself is in
// kpi_ingest.cc, called from the ingest, ack and drift transactions.
#include <utility>

#include "central/store/kpi_ingest.h"
#include "central/store/price_book_store.h"
#include "central/store/sql_central_store.h"
#include "central/store/store_args.h"

namespace storeagent::central {

Result<bool> SqlCentralStore::SetStoreRegion(const std::string& store_id,
                                             const std::string& region,
                                             int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  STOREAGENT_RETURN_IF_ERROR(ValidateRegion(region));
  bool changed = false;
  Status txn = engine_->InTransaction("SetStoreRegion", [&](SqlTx& tx) {
    changed = false;
    std::optional<std::string> before;
    STOREAGENT_RETURN_IF_ERROR(
        tx.Query("SELECT region FROM stores WHERE store_id=?1", {store_id},
                 [&](const SqlRow& r) {
                   before = r.Text(0);
                   return Status::Ok();
                 }));
    if (!before.has_value()) {
      return NotFound("store_id: central has never seen store " + store_id);
    }
    if (*before == region) return Status::Ok();
    changed = true;
    STOREAGENT_RETURN_IF_ERROR(tx.Exec(
        "UPDATE stores SET region=?2 WHERE store_id=?1", {store_id, region}));
    // The new region's price lists and promotions (docs/central.md, "The
    // price book"), in the same transaction.
    Result<StoreRow> row = LockStore(tx, store_id);
    if (!row.ok()) return row.status();
    return pricebook::QueueForStore(tx, *row, now_us).status();
  });
  if (!txn.ok()) return txn;
  return changed;
}

Result<std::vector<StoreRegion>> SqlCentralStore::ListStoreRegions() {
  std::vector<StoreRegion> out;
  Status txn = engine_->InTransaction("ListStoreRegions", [&](SqlTx& tx) {
    out.clear();
    // Byte order on both backends (COLLATE "C": sqlite_central_store.cc).
    return tx.Query(
        "SELECT store_id, region FROM stores ORDER BY store_id COLLATE \"C\"",
        {}, [&](const SqlRow& r) {
          out.push_back({r.Text(0), r.Text(1)});
          return Status::Ok();
        });
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::vector<KpiCounterSum>> SqlCentralStore::ReadKpiCounters(
    const KpiScope& scope, const std::string& first_week,
    const std::string& last_week, bool by_store) {
  if (!scope.store_id.empty()) {
    STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(scope.store_id));
  }
  STOREAGENT_RETURN_IF_ERROR(ValidateRegion(scope.region));
  // The scope's rows of the span; a region through the stores table.
  static const std::string kWhere =
      "FROM kpi_counters WHERE week>=?1 AND week<=?2 AND (?3='' OR "
      "store_id=?3) AND (?4='' OR store_id IN (SELECT store_id FROM stores "
      "WHERE region=?4)) ";
  std::vector<KpiCounterSum> out;
  Status txn = engine_->InTransaction("ReadKpiCounters", [&](SqlTx& tx) {
    out.clear();
    const SqlParams params = {first_week, last_week, scope.store_id,
                              scope.region};
    STOREAGENT_RETURN_IF_ERROR(tx.Query(
        "SELECT week, name, SUM(value) " + kWhere + "GROUP BY week, name",
        params, [&](const SqlRow& r) {
          out.push_back({"", r.Text(0), r.Text(1), r.Int(2)});
          return Status::Ok();
        }));
    if (!by_store) return Status::Ok();
    return tx.Query("SELECT store_id, name, SUM(value) " + kWhere +
                        "GROUP BY store_id, name",
                    params, [&](const SqlRow& r) {
                      out.push_back({r.Text(0), "", r.Text(1), r.Int(2)});
                      return Status::Ok();
                    });
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<std::optional<v1::ResolvedOriginal>> SqlCentralStore::ResolveOriginal(
    const std::string& store_id, uint64_t seq) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  std::optional<v1::ResolvedOriginal> out;
  Status txn = engine_->InTransaction("ResolveOriginal", [&](SqlTx& tx) {
    Result<std::optional<v1::ResolvedOriginal>> r =
        kpi::ReadResolvedOriginal(tx, store_id, seq);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

}  // namespace storeagent::central
