// Validation of stock events, holds, availability queries and catalog rows
// (proto/storeagent/v1/stock.proto, availability.proto). Same conventions as
// core/event_validation.h: INVALID_ARGUMENT, "field.path: what is wrong
// (limit)", first problem only, pure and thread-safe. Limits live in
// core/limits.h.
#ifndef STOREAGENT_CORE_STOCK_VALIDATION_H_
#define STOREAGENT_CORE_STOCK_VALIDATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/stock.pb.h"

namespace storeagent::core {

// Paths start with `field` (e.g. "movement"). 1..500 lines, unique SKUs,
// quantity non-zero and |q| <= 1e9, signs fitting the reason.
Status ValidateStockMovement(const v1::StockMovement& m,
                             std::string_view field);
// 1..500 lines, unique SKUs, counted 0..1e9; central_seq must be 0 (set by
// the agent).
Status ValidateStockCount(const v1::StockCount& c, std::string_view field);
// order_ref 1..64 of [A-Za-z0-9._:/#-], channel 0..16, 1..100 lines with
// unique SKUs, quantity 1..1e6, expires_at_us > now_us and at most 30 days
// after it; from_escrow unset (only the sync client sets it).
Status ValidateHoldPlaced(const v1::HoldPlaced& h, int64_t now_us,
                          std::string_view field);
// Whether two holds of one order have the same lines (SKU and quantity, in
// order): a placement with the same lines is a retry of the first, whatever
// its expiry and channel (a client recomputes the expiry on every attempt).
bool SameHoldLines(const google::protobuf::RepeatedPtrField<v1::HoldLine>& a,
                   const google::protobuf::RepeatedPtrField<v1::HoldLine>& b);
// Exactly one action; its order_ref valid; short_pick found quantities
// 0..1e6 with unique SKUs; reason / operator_id lengths.
Status ValidateUpdateHold(const v1::UpdateHoldRequest& r);
// order_ref alone (GetHold, URLs).
Status ValidateOrderRef(std::string_view ref, std::string_view field);
// 1..500 SKUs, each 1..64 characters with no control characters.
Status ValidateSkuList(const std::vector<std::string>& skus,
                       std::string_view field);
Status ValidateSkuList(
    const google::protobuf::RepeatedPtrField<std::string>& skus,
    std::string_view field);
// query 1..128, limit 0..50 (0 = default).
Status ValidateSearch(const v1::SearchProductsRequest& r);
// limit 0..1000 (0 = default); state a defined value.
Status ValidateListHolds(const v1::ListHoldsRequest& r);
// A whole catalog: 1..200,000 products, SKU 1..64 unique, name 1..128,
// department 0..64, price 0..1e12 with an active ISO 4217 currency (or
// price entirely absent), safety_stock 0..1e9, unit "each" or "milli" (or
// empty = each), 0..10 GTINs each 8..14 digits with a valid GS1 check digit,
// unique across the catalog. `first_row` numbers products[0] in the source
// file; errors name "row N (sku S): field: what".
Status ValidateCatalog(const std::vector<v1::Product>& products,
                       int64_t first_row = 1);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_STOCK_VALIDATION_H_
