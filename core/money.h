// Money arithmetic for prices and promotions: the rounding rules written
// once, on int64 minor units, every step checked for overflow.
//
// The agent and central price with these functions and nothing else, so a
// till, the agent's check and head office's reports round the same way.
// docs/pricing.md ("Rounding") is the reference; in short:
//   * EACH goods: extended = quantity x unit price, exact.
//   * MILLI goods (weighed or measured; quantity in milli-units, price per
//     whole unit): extended = quantity x price / 1000 rounded half up, the
//     rule the POS contract already states for TransactionLine (pos-api.md).
//   * percent off: the discount on a line is extended x bp / 10000 rounded
//     half up, once per line. A tie (exactly half a minor unit) therefore
//     goes to the customer, and rounding per line rather than per unit keeps
//     the error at most half a minor unit per line whatever the quantity.
//     Half-even would be unbiased over many lines, but "half a cent goes to
//     the customer" is the rule a person can check on a receipt and the one
//     the MILLI extended amount already uses.
//   * amount off: the unit price less the amount, never below zero; the line
//     is then extended at the reduced price (for MILLI, rounded half up
//     again), and the discount is the difference of the two extended
//     amounts, so extended - discount is exactly what the reduced price
//     costs.
// Every amount is int64 minor units; a result that does not fit (or an input
// outside its domain) is INVALID_ARGUMENT naming `what`, never a wrapped
// number. No floating point.
#ifndef STOREAGENT_CORE_MONEY_H_
#define STOREAGENT_CORE_MONEY_H_

#include <cstdint>
#include <string_view>

#include "platform/status.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// 128-bit intermediate for products of two int64 amounts.
__extension__ typedef __int128 WideInt;

// a + b, a - b, a x b; INVALID_ARGUMENT "<what>: ... overflows int64" when
// the exact result does not fit.
Result<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b,
                                std::string_view what);
Result<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b,
                                std::string_view what);
Result<std::int64_t> CheckedMul(std::int64_t a, std::int64_t b,
                                std::string_view what);

// round_half_up(numerator / denominator). REQUIRES: denominator > 0.
// INVALID_ARGUMENT naming `what` when numerator < 0 (money here is never
// negative) or the result does not fit int64.
Result<std::int64_t> DivideRoundHalfUp(WideInt numerator,
                                       std::int64_t denominator,
                                       std::string_view what);

// What `quantity` units cost at `unit_price` (minor units per piece for
// EACH, per whole unit for MILLI). quantity >= 0, unit_price >= 0, unit
// EACH or MILLI, otherwise INVALID_ARGUMENT naming `what`.
Result<std::int64_t> ExtendedAmount(v1::UnitOfMeasure unit,
                                    std::int64_t quantity,
                                    std::int64_t unit_price,
                                    std::string_view what);

// The percent-off discount on a line whose extended amount is `extended`:
// round_half_up(extended x basis_points / 10000). extended >= 0 and
// basis_points 0..10000, otherwise INVALID_ARGUMENT naming `what`. The
// result is within 0..extended.
Result<std::int64_t> PercentOffDiscount(std::int64_t extended,
                                        std::int32_t basis_points,
                                        std::string_view what);

// The amount-off discount on a line: ExtendedAmount at unit_price minus
// ExtendedAmount at max(0, unit_price - amount_off). amount_off >= 0. The
// result is within 0..ExtendedAmount(unit, quantity, unit_price).
Result<std::int64_t> AmountOffDiscount(v1::UnitOfMeasure unit,
                                       std::int64_t quantity,
                                       std::int64_t unit_price,
                                       std::int64_t amount_off,
                                       std::string_view what);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_MONEY_H_
