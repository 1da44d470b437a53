// The rules of price.proto: price lists, promotions and GetPrices requests,
// against the limits of core/limits.h ("Prices and promotions").
//
// A refusal is INVALID_ARGUMENT "<path>: <what> (<limit>)", the path rooted
// at the message's name ("price_list.entries[3].unit_price"), so central's
// import and admin API and the agent's PriceService word refusals the same
// way. Strings are checked like every other field (core/text_checks.h): UTF-8,
// no control characters, no card numbers, never echoed. Pure functions;
// thread-safe.
#ifndef STOREAGENT_CORE_PRICE_VALIDATION_H_
#define STOREAGENT_CORE_PRICE_VALIDATION_H_

#include "platform/status.h"
#include "storeagent/v1/price.pb.h"

namespace storeagent::core {

// id and version; currency an active ISO 4217 code; a scope with exactly one
// of store_ids / region / all_stores; a window with effective_from_us >= 0
// and effective_to_us 0 or >= effective_from_us; 0..100,000 entries, one
// per SKU, each with a unit (EACH or MILLI) and a price of 0..10^12 minor
// units in the list's currency.
Status ValidatePriceList(const v1::PriceList& list);

// id, version, scope and window as for a price list; 1..10,000 SKUs without
// repeats; exactly one kind: percent_off 1..10000 basis points, amount_off
// 1..10^12 minor units in an active currency, multi_buy buy 2..100 and pay
// 1..buy-1; description 0..128 characters.
Status ValidatePromotion(const v1::Promotion& promotion);

// 1..500 SKUs, each 1..64 characters, no repeats; at_us >= 0; member, when
// present, a card number of 6..32 digits or a 32-byte pseudonym.
Status ValidateGetPricesRequest(const v1::GetPricesRequest& request);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_PRICE_VALIDATION_H_
