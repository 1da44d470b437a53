// Checked int64 money arithmetic and the rounding rules of core/money.h.
#include "core/money.h"

#include <limits>
#include <string>

#include "core/limits.h"

namespace storeagent::core {
namespace {

Status Overflow(std::string_view what, const std::string& expr) {
  return InvalidArgument(std::string(what) + ": " + expr +
                         " overflows int64 minor units");
}

std::string Str(std::int64_t v) { return std::to_string(v); }

}  // namespace

Result<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b,
                                std::string_view what) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    return Overflow(what, Str(a) + " + " + Str(b));
  }
  return r;
}

Result<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b,
                                std::string_view what) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) {
    return Overflow(what, Str(a) + " - " + Str(b));
  }
  return r;
}

Result<std::int64_t> CheckedMul(std::int64_t a, std::int64_t b,
                                std::string_view what) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    return Overflow(what, Str(a) + " x " + Str(b));
  }
  return r;
}

Result<std::int64_t> DivideRoundHalfUp(WideInt numerator,
                                       std::int64_t denominator,
                                       std::string_view what) {
  if (denominator <= 0) {
    return InvalidArgument(std::string(what) + ": divisor " + Str(denominator) +
                           " must be positive");
  }
  if (numerator < 0) {
    return InvalidArgument(std::string(what) + ": negative amount");
  }
  // Quotient and remainder, so no intermediate can overflow.
  WideInt q = numerator / denominator;
  if ((numerator % denominator) * 2 >= denominator) ++q;
  if (q > std::numeric_limits<std::int64_t>::max()) {
    return InvalidArgument(std::string(what) +
                           ": result overflows int64 minor units");
  }
  return static_cast<std::int64_t>(q);
}

Result<std::int64_t> ExtendedAmount(v1::UnitOfMeasure unit,
                                    std::int64_t quantity,
                                    std::int64_t unit_price,
                                    std::string_view what) {
  if (quantity < 0) {
    return InvalidArgument(std::string(what) + ": negative quantity " +
                           Str(quantity));
  }
  if (unit_price < 0) {
    return InvalidArgument(std::string(what) + ": negative unit price " +
                           Str(unit_price));
  }
  switch (unit) {
    case v1::UNIT_OF_MEASURE_EACH:
      return CheckedMul(quantity, unit_price, what);
    case v1::UNIT_OF_MEASURE_MILLI:
      // Both factors < 2^63: the product fits 126 bits.
      return DivideRoundHalfUp(WideInt{quantity} * WideInt{unit_price},
                               kMilliUnitsPerUnit, what);
    default:
      return InvalidArgument(std::string(what) +
                             ": unit must be EACH or MILLI");
  }
}

Result<std::int64_t> PercentOffDiscount(std::int64_t extended,
                                        std::int32_t basis_points,
                                        std::string_view what) {
  if (extended < 0) {
    return InvalidArgument(std::string(what) + ": negative amount " +
                           Str(extended));
  }
  if (basis_points < 0 || basis_points > kBasisPointsPerWhole) {
    return InvalidArgument(std::string(what) + ": basis points " +
                           Str(basis_points) + " out of range (0..10000)");
  }
  // <= extended, so it fits whenever extended does.
  return DivideRoundHalfUp(WideInt{extended} * basis_points,
                           kBasisPointsPerWhole, what);
}

Result<std::int64_t> AmountOffDiscount(v1::UnitOfMeasure unit,
                                       std::int64_t quantity,
                                       std::int64_t unit_price,
                                       std::int64_t amount_off,
                                       std::string_view what) {
  if (amount_off < 0) {
    return InvalidArgument(std::string(what) + ": negative amount off " +
                           Str(amount_off));
  }
  Result<std::int64_t> full = ExtendedAmount(unit, quantity, unit_price, what);
  if (!full.ok()) return full.status();
  const std::int64_t reduced_price =
      amount_off >= unit_price ? 0 : unit_price - amount_off;
  Result<std::int64_t> reduced =
      ExtendedAmount(unit, quantity, reduced_price, what);
  if (!reduced.ok()) return reduced.status();
  return *full - *reduced;  // both >= 0, reduced <= full
}

}  // namespace storeagent::core
