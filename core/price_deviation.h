// The check of a sale line against the price book: a line charged other
// than the book expects becomes a deviation record, never a refusal (a till
// always sells). Pure function, no I/O; the agent runs it when it records a
// sale, central counts what it records (docs/pricing.md, "Deviations").
//
// A line deviates when, against its PricedLine (core/pricing.h):
//   * kNotInBook: the book has no price for its SKU at the sale's time;
//   * kUnitMismatch: the book prices it per piece and the line is weighed,
//     or the other way round;
//   * kCurrency: the line is charged in another currency than the store's;
//   * kUnitPrice: its unit_price differs from the shelf price;
//   * kNetAmount: the unit price agrees but what the line costs after its
//     discounts (extended_amount - discounts) differs from the expected
//     net: a promotion missed, or one given that does not apply. For MILLI
//     lines a difference of one minor unit (kMilliExtendedToleranceMinorUnits,
//     the rounding the POS contract allows) is not a deviation.
// The first that holds, in that order, is the record's kind.
//
// The POS says why it charged what it did (DeviationReason); the reason is
// recorded, it does not excuse the deviation. A line that agrees with the
// book is no deviation whatever reason the POS gave.
#ifndef STOREAGENT_CORE_PRICE_DEVIATION_H_
#define STOREAGENT_CORE_PRICE_DEVIATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/pricing.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// The POS's reason code for a price it charged.
enum class DeviationReason {
  kNoneGiven,
  kManualOverride,
  kPriceMatch,
  kDamagedGoods,
  kUnknownSku,  // the till did not know the SKU and keyed a price
};
// "none_given", "manual_override", "price_match", "damaged_goods",
// "unknown_sku".
std::string_view DeviationReasonName(DeviationReason reason);

enum class DeviationKind {
  kNotInBook,
  kUnitMismatch,
  kCurrency,
  kUnitPrice,
  kNetAmount,
};
// "not_in_book", "unit_mismatch", "currency", "unit_price", "net_amount".
std::string_view DeviationKindName(DeviationKind kind);

// What a till charged for one line.
struct ChargedLine {
  std::string currency;
  std::int64_t unit_price = 0;
  // extended_amount - sum of discounts.
  std::int64_t net = 0;
};

// The charged side of a TransactionLine. Its amounts are within the POS
// contract's limits once event validation passed, so the net cannot
// overflow.
ChargedLine ChargedFromTransactionLine(const v1::TransactionLine& line);

struct PriceDeviation {
  DeviationKind kind = DeviationKind::kNotInBook;
  DeviationReason reason = DeviationReason::kNoneGiven;
  // The book's side: 0 for kNotInBook and kUnitMismatch.
  std::int64_t expected_unit_price = 0;
  std::int64_t expected_net = 0;
  std::string price_list_id;
  // The till's side.
  std::int64_t charged_unit_price = 0;
  std::int64_t charged_net = 0;
  // charged_net - expected_net: > 0 the customer paid more than the book
  // says. 0 for kNotInBook, kUnitMismatch and kCurrency (not comparable).
  std::int64_t difference = 0;
};

// The deviation of `charged` from `expected` (the PricedLine of the same
// basket line), with the POS's `reason`; nullopt when the line agrees.
// `store_currency` is the store's (StoreContext::currency).
std::optional<PriceDeviation> CheckPriceDeviation(
    const PricedLine& expected, v1::UnitOfMeasure unit,
    const ChargedLine& charged, std::string_view store_currency,
    DeviationReason reason);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_PRICE_DEVIATION_H_
