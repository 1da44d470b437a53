// Head office's price book at central: the rules of keeping price lists and
// promotions and of queuing each version once to every store it may apply
// to, written once over the SQL seam (sql_seam.h) for both engines, like
// the rest of SqlCentralStore. The version rule itself is core's
// (core::DecideApply); the tables are price_book, price_book_stores and
// price_book_sent (central_schema.cc v9; docs/central.md, "The price
// book").
//
// The fan-out rule: a version that is added or replaced is queued, as a
// CentralEvent{price_list | promotion} through central_events, to
//   * every store its scope names (store_ids; rows created for stores
//     central has not seen yet), every store whose region is its region,
//     or every known store (all_stores), and
//   * every store an earlier version of the same id was queued to, so the
//     new version replaces it there even when the new scope leaves the
//     store out (the agent then drops it by its scope),
// each store once (price_book_sent's key is (store_id, kind, item_id,
// version)). A store central learns of later, or whose region changes,
// gets the held versions that apply to it and it was not sent
// (QueueForStore), at its Hello or in SetStoreRegion's transaction.
#ifndef STOREAGENT_CENTRAL_STORE_PRICE_BOOK_STORE_H_
#define STOREAGENT_CENTRAL_STORE_PRICE_BOOK_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "central/store/central_store.h"
#include "central/store/sql_seam.h"
#include "platform/status.h"
#include "storeagent/v1/price.pb.h"

namespace storeagent::central::pricebook {

// price_book.kind, and the name of the CentralEvent field that carries it.
inline constexpr std::string_view kPriceListKind = "price_list";
inline constexpr std::string_view kPromotionKind = "promotion";

// The central_events request_key of a version queued to a store:
// "#price_list:" / "#promotion:" and 40 hex digits of SHA-256(id, version),
// at most 52 characters ('#': central's own keys, never an operator's).
std::string QueueKey(std::string_view kind, const std::string& id,
                     uint64_t version);

// The scope's store ids as central's store ids (1..64 of [A-Za-z0-9._-]):
// price.proto also allows ':', which no store id at central has.
// INVALID_ARGUMENT naming `field`[i] otherwise.
Status CheckScopeStoreIds(const v1::PriceScope& scope,
                          const std::string& field);

// A list's summary (entries counted, not copied), published at now_us.
v1::PriceListSummary SummaryOf(const v1::PriceList& list, int64_t now_us);

// The publish rule above inside `tx`. REQUIRES: the list (promotion)
// passed core's validation and CheckScopeStoreIds.
Result<PublishResult> Publish(SqlTx& tx, const v1::PriceList& list,
                              int64_t now_us);
Result<PublishResult> Publish(SqlTx& tx, const v1::Promotion& promotion,
                              int64_t now_us);

// Queues to the store every held version whose scope applies to it (its id,
// row.region, all stores) and that it was not sent; returns how many.
// REQUIRES: the transaction holds row's store locked (LockStore); row's
// head moves with what is appended.
Result<uint32_t> QueueForStore(SqlTx& tx, StoreRow& row, int64_t now_us);

// ReadPriceBook inside `tx`.
Result<PriceBookRead> Read(SqlTx& tx, const std::string& store_id,
                           bool whole_lists);

}  // namespace storeagent::central::pricebook

#endif  // STOREAGENT_CENTRAL_STORE_PRICE_BOOK_STORE_H_
