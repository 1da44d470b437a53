// core/money.h: the rounding rules on hand-computed values, and overflow
// refused with a message naming the amount.
#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::kEach;
using test::kMilli;
using test::RefusedAt;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::int64_t Ok(const Result<std::int64_t>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(Money, ExtendedEachIsExact) {
  EXPECT_EQ(Ok(ExtendedAmount(kEach, 3, 250, "x")), 750);
  EXPECT_EQ(Ok(ExtendedAmount(kEach, 1, 0, "x")), 0);
  // The largest line the POS contract allows: 10^6 x 10^12 fits.
  EXPECT_EQ(Ok(ExtendedAmount(kEach, 1'000'000, 1'000'000'000'000, "x")),
            1'000'000'000'000'000'000);
}

TEST(Money, ExtendedMilliRoundsHalfUp) {
  // pos-api.md's example: 1.234 kg at 2.99/kg = 3.68966 -> 3.69.
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 1234, 299, "x")), 369);
  // 1.499 -> 1, exactly 0.5 -> 1 (up), 4.5 -> 5, 2.5005 -> 3.
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 1499, 1, "x")), 1);
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 500, 1, "x")), 1);
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 1500, 3, "x")), 5);
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 2501, 1, "x")), 3);
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 499, 1, "x")), 0);
  // 347 g of cheese at 18.99/kg = 6.58953 -> 6.59.
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 347, 1899, "x")), 659);
  // 10^9 milli-units at 10^12: the product needs 70 bits, the result not.
  EXPECT_EQ(Ok(ExtendedAmount(kMilli, 1'000'000'000, 1'000'000'000'000, "x")),
            1'000'000'000'000'000'000);
}

TEST(Money, PercentOffRoundsHalfUpPerLine) {
  EXPECT_EQ(Ok(PercentOffDiscount(999, 1000, "x")), 100);     // 99.9
  EXPECT_EQ(Ok(PercentOffDiscount(995, 1000, "x")), 100);     // 99.5: tie, up
  EXPECT_EQ(Ok(PercentOffDiscount(994, 1000, "x")), 99);      // 99.4
  EXPECT_EQ(Ok(PercentOffDiscount(25, 3333, "x")), 8);        // 8.3325
  EXPECT_EQ(Ok(PercentOffDiscount(5, 1000, "x")), 1);         // 0.5: tie, up
  EXPECT_EQ(Ok(PercentOffDiscount(4, 1000, "x")), 0);         // 0.4
  EXPECT_EQ(Ok(PercentOffDiscount(15, 1000, "x")), 2);        // 1.5, not 3 x 1
  EXPECT_EQ(Ok(PercentOffDiscount(1234, 10000, "x")), 1234);  // 100 %
  EXPECT_EQ(Ok(PercentOffDiscount(1234, 0, "x")), 0);
  EXPECT_EQ(Ok(PercentOffDiscount(kMax, 10000, "x")), kMax);
  EXPECT_EQ(Ok(PercentOffDiscount(kMax, 5000, "x")), kMax / 2 + 1);
}

TEST(Money, AmountOffNeverBelowZero) {
  EXPECT_EQ(Ok(AmountOffDiscount(kEach, 3, 250, 30, "x")), 90);
  EXPECT_EQ(Ok(AmountOffDiscount(kEach, 3, 250, 300, "x")), 750);
  EXPECT_EQ(Ok(AmountOffDiscount(kEach, 3, 250, 250, "x")), 750);
  EXPECT_EQ(Ok(AmountOffDiscount(kEach, 3, 250, 0, "x")), 0);
  // 1.234 kg at 2.99/kg, 0.50/kg off: 3.69 - round(1.234 x 2.49 = 3.07266).
  EXPECT_EQ(Ok(AmountOffDiscount(kMilli, 1234, 299, 50, "x")), 369 - 307);
  // 347 g at 18.99/kg, 2.00/kg off: 6.59 - round(5.89553) = 6.59 - 5.90.
  EXPECT_EQ(Ok(AmountOffDiscount(kMilli, 347, 1899, 200, "x")), 69);
}

TEST(Money, CheckedArithmetic) {
  EXPECT_EQ(Ok(CheckedAdd(kMax - 1, 1, "x")), kMax);
  EXPECT_EQ(Ok(CheckedSub(-kMax, 1, "x")),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Ok(CheckedMul(3'037'000'499, 3'037'000'499, "x")),
            9'223'372'030'926'249'001);
  EXPECT_TRUE(
      RefusedAt(CheckedAdd(kMax, 1, "basket.total").status(), "basket.total"));
  EXPECT_TRUE(RefusedAt(
      CheckedSub(std::numeric_limits<std::int64_t>::min(), 1, "basket.total")
          .status(),
      "basket.total"));
  EXPECT_TRUE(
      RefusedAt(CheckedMul(3'037'000'500, 3'037'000'500, "a").status(), "a"));
}

TEST(Money, OverflowRefusedWithClearError) {
  // 10^7 x 10^12 = 10^19 > 2^63 - 1: refused, naming the line, never wrapped.
  Result<std::int64_t> r =
      ExtendedAmount(kEach, 10'000'000, 1'000'000'000'000, "lines[2]");
  ASSERT_TRUE(RefusedAt(r.status(), "lines[2]"));
  EXPECT_NE(r.status().message().find("overflows int64"), std::string::npos)
      << r.status().message();
  // MILLI: 10^19 milli-units' worth does not fit either.
  EXPECT_TRUE(RefusedAt(ExtendedAmount(kMilli, kMax, kMax, "lines[0]").status(),
                        "lines[0]"));
  EXPECT_TRUE(RefusedAt(
      AmountOffDiscount(kEach, 10'000'000, 1'000'000'000'000, 1, "lines[1]")
          .status(),
      "lines[1]"));
  EXPECT_TRUE(
      RefusedAt(DivideRoundHalfUp(WideInt{kMax} * 4, 2, "q").status(), "q"));
}

TEST(Money, OutOfDomainRefused) {
  EXPECT_TRUE(RefusedAt(ExtendedAmount(kEach, -1, 5, "l").status(), "l"));
  EXPECT_TRUE(RefusedAt(ExtendedAmount(kEach, 1, -5, "l").status(), "l"));
  EXPECT_TRUE(RefusedAt(
      ExtendedAmount(v1::UNIT_OF_MEASURE_UNSPECIFIED, 1, 5, "l").status(),
      "l"));
  EXPECT_TRUE(RefusedAt(PercentOffDiscount(100, 10001, "l").status(), "l"));
  EXPECT_TRUE(RefusedAt(PercentOffDiscount(-100, 100, "l").status(), "l"));
  EXPECT_TRUE(
      RefusedAt(AmountOffDiscount(kEach, 1, 100, -1, "l").status(), "l"));
  EXPECT_TRUE(RefusedAt(DivideRoundHalfUp(-1, 2, "l").status(), "l"));
  EXPECT_TRUE(RefusedAt(DivideRoundHalfUp(1, 0, "l").status(), "l"));
}

}  // namespace
}  // namespace storeagent::core
