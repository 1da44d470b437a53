// SqlCentralStore's price book methods (docs/central.md, "The price book")
// and the deviation list ("Price deviations"): the arguments checked here,
// the rules in price_book_store.cc and price_deviation_store.cc.
#include <utility>

#include "central/store/price_book_store.h"
#include "central/store/price_deviation_store.h"
#include "central/store/sql_central_store.h"
#include "central/store/store_args.h"
#include "core/price_validation.h"

namespace storeagent::central {
namespace {

// Publish of a list or promotion `item` in its own transaction.
template <typename M>
Result<PublishResult> PublishIn(SqlEngine& engine, const std::string& what,
                                const M& item, int64_t now_us) {
  PublishResult out;
  Status txn = engine.InTransaction(what, [&](SqlTx& tx) {
    Result<PublishResult> r = pricebook::Publish(tx, item, now_us);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

}  // namespace

Result<PublishResult> SqlCentralStore::PublishPriceList(
    const v1::PriceList& list, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(core::ValidatePriceList(list));
  STOREAGENT_RETURN_IF_ERROR(pricebook::CheckScopeStoreIds(
      list.scope(), "price_list.scope.store_ids"));
  return PublishIn(*engine_, "PublishPriceList", list, now_us);
}

Result<PublishResult> SqlCentralStore::PublishPromotion(
    const v1::Promotion& promotion, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(core::ValidatePromotion(promotion));
  STOREAGENT_RETURN_IF_ERROR(pricebook::CheckScopeStoreIds(
      promotion.scope(), "promotion.scope.store_ids"));
  return PublishIn(*engine_, "PublishPromotion", promotion, now_us);
}

Result<PriceBookQueued> SqlCentralStore::QueuePriceBook(
    const std::string& store_id, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  PriceBookQueued out;
  Status txn = engine_->InTransaction("QueuePriceBook", [&](SqlTx& tx) {
    Result<StoreRow> row = LockStore(tx, store_id);
    if (!row.ok()) return row.status();
    Result<uint32_t> queued = pricebook::QueueForStore(tx, *row, now_us);
    if (!queued.ok()) return queued.status();
    out.row = std::move(row).value();
    out.queued = *queued;
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<PriceBookRead> SqlCentralStore::ReadPriceBook(
    const std::string& store_id, bool whole_lists) {
  if (!store_id.empty()) STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(store_id));
  PriceBookRead out;
  Status txn = engine_->InTransaction("ReadPriceBook", [&](SqlTx& tx) {
    Result<PriceBookRead> r = pricebook::Read(tx, store_id, whole_lists);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

Result<PriceDeviationList> SqlCentralStore::ListPriceDeviations(
    const PriceDeviationQuery& query) {
  if (!query.store_id.empty()) {
    STOREAGENT_RETURN_IF_ERROR(ValidateStoreId(query.store_id));
  }
  PriceDeviationList out;
  Status txn = engine_->InTransaction("ListPriceDeviations", [&](SqlTx& tx) {
    Result<PriceDeviationList> l = deviations::List(tx, query);
    if (!l.ok()) return l.status();
    out = *std::move(l);
    return Status::Ok();
  });
  if (!txn.ok()) return txn;
  return out;
}

}  // namespace storeagent::central
