// Head office's price and promotion files (storecentralctl prices import,
// promotions import; docs/pricing.md "Importing"): CSV, parsed and validated
// whole before anything is sent, so a file with one bad cell publishes
// nothing and the error names its line and column. Pure: no I/O.
//
// Prices: one row per price entry; the rows of one list_id make one
// PriceList and must agree on its version, currency, scope and window.
//   list_id,version,currency,scope,effective_from,effective_to,sku,unit,
//   unit_price_minor
// Promotions: one row per promotion.
//   promotion_id,version,scope,effective_from,effective_to,member_only,kind,
//   value,currency,skus,description
// Columns in any order, names case-insensitive; required: list_id, version,
// currency, scope, sku, unit_price_minor / promotion_id, version, scope,
// kind, value, skus. The cells:
//   scope           all | region:NAME | stores:ID ID ... (space-separated)
//   effective_from  empty (0: since always), microseconds since the epoch,
//   effective_to    YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM:SSZ; empty
//                   to: no end
//   unit            EACH (default when empty) or MILLI
//   member_only     true | false | empty (false)
//   kind, value     percent_off: basis points (1000 = 10 %); amount_off:
//                   minor units, with `currency`; multi_buy: BUY/PAY
//                   ("3/2": buy 3, pay 2)
//   skus            SKUs separated by spaces or '|'
// Then each list or promotion must pass core's validation
// (core/price_validation.h); its refusal is reported at the line of the
// entry it names, else the list's first line.
#ifndef STOREAGENT_CENTRAL_PRICE_CSV_H_
#define STOREAGENT_CENTRAL_PRICE_CSV_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/price.pb.h"

namespace storeagent::central {

struct PriceListFile {
  // In the order their first rows appear.
  std::vector<v1::PriceList> lists;
  // The line of each list's first row.
  std::vector<int64_t> lines;
};

struct PromotionFile {
  std::vector<v1::Promotion> promotions;
  std::vector<int64_t> lines;
};

// INVALID_ARGUMENT "line N, column NAME: what" (or "line N: what") for the
// first problem; an empty file or one with only a header is refused too.
Result<PriceListFile> ParsePriceListCsv(std::string_view text);
Result<PromotionFile> ParsePromotionCsv(std::string_view text);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_PRICE_CSV_H_
