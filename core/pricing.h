// The basket rule: what a basket costs at a moment, for a member or not, by
// the price book (core/price_book.h), with promotions applied best for the
// customer. Pure function, no I/O; the agent's check at record time and
// central's reports use the same code. docs/pricing.md is the reference.
//
// The rule:
//   1. Each line's shelf price is the price in force for its SKU
//      (PriceBook::PriceAt). A line whose SKU has none is kNotInBook; a line
//      sold in another unit than its price (EACH vs MILLI) is kUnitMismatch.
//      Neither is an error: the line is simply not priced (a till always
//      sells; the deviation check records it).
//   2. The promotions of a line are those active for its SKU
//      (PriceBook::PromotionsAt; member-only ones only for a member), less
//      amount_off ones in another currency than the shelf price.
//   3. Promotions never stack: each unit gets at most one.
//      * percent_off and amount_off are per line: of those that apply, the
//        line's units not taken by a multi-buy get the single one with the
//        largest discount (a tie: the smallest id). Rounding: core/money.h.
//      * multi_buy (buy n, pay m) pools the units of every EACH line of its
//        SKU set not taken by another multi-buy. The units are ordered by
//        price, dearest first (equal prices: earlier line first) and cut
//        into groups of n; leftover units (fewer than n, the cheapest) are
//        not in a group. In each group the n - m cheapest units are free;
//        the discount is their shelf price, on the line they come from.
//        MILLI lines never take part.
//      * Which multi-buys apply, best for the customer: each multi-buy's
//        gain is the value it makes free minus the per-line discounts its
//        grouped units would give up. Repeatedly, the multi-buy with the
//        largest positive gain (a tie: the smallest id) is applied and its
//        grouped units taken; the rest get their per-line best. So the
//        basket's discount is never less than any single promotion would
//        give alone, nor than the per-line best alone.
//   4. No line costs less than zero: each discount is at most its line's
//      extended amount.
//   5. All amounts are int64 minor units, checked: a basket whose total does
//      not fit is refused (INVALID_ARGUMENT naming the line), as is a
//      malformed line (the path names it: "lines[3].quantity").
#ifndef STOREAGENT_CORE_PRICING_H_
#define STOREAGENT_CORE_PRICING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/price_book.h"
#include "platform/status.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// One line to price.
struct BasketLine {
  std::string sku;
  v1::UnitOfMeasure unit = v1::UNIT_OF_MEASURE_UNSPECIFIED;
  // Pieces (EACH, 1..1,000,000) or milli-units (MILLI, 1..10^9).
  std::int64_t quantity = 0;
};

struct Basket {
  // 1..500 lines (kMaxLinesPerTransaction). A SKU may appear on several.
  std::vector<BasketLine> lines;
  // The moment priced, µs since the epoch.
  std::int64_t at_us = 0;
  // A loyalty member is identified: member-only promotions apply.
  bool member = false;
};

// The basket's lines as a sale carries them (sku, unit, quantity).
Basket BasketFromTransactionLines(
    const google::protobuf::RepeatedPtrField<v1::TransactionLine>& lines,
    std::int64_t at_us, bool member);

enum class LineStatus {
  kPriced,
  kNotInBook,     // no price in force for the SKU
  kUnitMismatch,  // the price is per piece and the line by weight, or back
};
std::string_view LineStatusName(LineStatus status);

// One promotion applied to a line.
struct AppliedPromotion {
  std::string id;
  std::uint64_t version = 0;
  // Taken off this line, minor units. 0 for a multi-buy whose group took
  // this line's units but whose free units came from another line.
  std::int64_t discount = 0;
};

// A line as the book prices it.
struct PricedLine {
  LineStatus status = LineStatus::kNotInBook;
  // The shelf price (the expected TransactionLine.unit_price) and where it
  // comes from; 0 and empty unless kPriced.
  std::int64_t unit_price = 0;
  std::string price_list_id;
  std::uint64_t price_list_version = 0;
  // quantity at unit_price (core/money.h ExtendedAmount).
  std::int64_t extended = 0;
  // Sum of `promotions`' discounts, 0..extended.
  std::int64_t discount = 0;
  // extended - discount: what the line is expected to cost.
  std::int64_t net = 0;
  // In the order applied: multi-buys first, then the per-line one.
  std::vector<AppliedPromotion> promotions;
};

struct PricedBasket {
  // One per Basket line, same order.
  std::vector<PricedLine> lines;
  // Sums over the priced lines.
  std::int64_t extended_total = 0;
  std::int64_t discount_total = 0;
  std::int64_t net_total = 0;
};

// Prices `basket` for `store` by `book`. REQUIRES nothing of the basket:
// malformed lines are refused by path. store.currency is required (the
// store's prices and every amount are in it).
Result<PricedBasket> PriceBasket(const PriceBook& book,
                                 const StoreContext& store,
                                 const Basket& basket);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_PRICING_H_
