// A sale line against the price book (core/price_deviation.h).
#include "core/price_deviation.h"

#include "core/limits.h"

namespace storeagent::core {

std::string_view DeviationReasonName(DeviationReason reason) {
  switch (reason) {
    case DeviationReason::kNoneGiven:
      return "none_given";
    case DeviationReason::kManualOverride:
      return "manual_override";
    case DeviationReason::kPriceMatch:
      return "price_match";
    case DeviationReason::kDamagedGoods:
      return "damaged_goods";
    case DeviationReason::kUnknownSku:
      return "unknown_sku";
  }
  return "?";
}

std::string_view DeviationKindName(DeviationKind kind) {
  switch (kind) {
    case DeviationKind::kNotInBook:
      return "not_in_book";
    case DeviationKind::kUnitMismatch:
      return "unit_mismatch";
    case DeviationKind::kCurrency:
      return "currency";
    case DeviationKind::kUnitPrice:
      return "unit_price";
    case DeviationKind::kNetAmount:
      return "net_amount";
  }
  return "?";
}

ChargedLine ChargedFromTransactionLine(const v1::TransactionLine& line) {
  ChargedLine charged;
  charged.currency = line.unit_price().currency();
  charged.unit_price = line.unit_price().minor_units();
  std::int64_t discounts = 0;
  for (const v1::Discount& d : line.discounts()) {
    discounts += d.amount().minor_units();  // <= 10 x 10^12 when valid
  }
  charged.net = line.extended_amount().minor_units() - discounts;
  return charged;
}

std::optional<PriceDeviation> CheckPriceDeviation(
    const PricedLine& expected, v1::UnitOfMeasure unit,
    const ChargedLine& charged, std::string_view store_currency,
    DeviationReason reason) {
  PriceDeviation d;
  d.reason = reason;
  d.charged_unit_price = charged.unit_price;
  d.charged_net = charged.net;
  switch (expected.status) {
    case LineStatus::kNotInBook:
      d.kind = DeviationKind::kNotInBook;
      return d;
    case LineStatus::kUnitMismatch:
      d.kind = DeviationKind::kUnitMismatch;
      return d;
    case LineStatus::kPriced:
      break;
  }
  d.expected_unit_price = expected.unit_price;
  d.expected_net = expected.net;
  d.price_list_id = expected.price_list_id;
  if (charged.currency != store_currency) {
    d.kind = DeviationKind::kCurrency;
    return d;
  }
  // Both sides are amounts of at most ~10^18 in magnitude: no overflow.
  d.difference = charged.net - expected.net;
  if (charged.unit_price != expected.unit_price) {
    d.kind = DeviationKind::kUnitPrice;
    return d;
  }
  const std::int64_t tolerance =
      unit == v1::UNIT_OF_MEASURE_MILLI ? kMilliExtendedToleranceMinorUnits : 0;
  if (d.difference > tolerance || d.difference < -tolerance) {
    d.kind = DeviationKind::kNetAmount;
    return d;
  }
  return std::nullopt;
}

}  // namespace storeagent::core
