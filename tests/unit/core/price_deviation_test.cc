// core/price_deviation.h: a sale line against the book. A line that agrees
// is no deviation whatever the POS's reason; one that differs is recorded
// with expected, charged and the reason, never refused.
#include "core/price_deviation.h"

#include <gtest/gtest.h>

#include <optional>

#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::kEach;
using test::kMilli;

// milk 1.20 x3 with 0.15 off a unit: extended 360, discount 45, net 315.
PricedLine MilkLine() {
  PricedLine line;
  line.status = LineStatus::kPriced;
  line.unit_price = 120;
  line.price_list_id = "base";
  line.price_list_version = 1;
  line.extended = 360;
  line.discount = 45;
  line.net = 315;
  return line;
}

ChargedLine Charged(std::int64_t unit_price, std::int64_t net,
                    const char* currency = "EUR") {
  return ChargedLine{currency, unit_price, net};
}

TEST(PriceDeviation, AgreeingLineIsNoDeviation) {
  EXPECT_FALSE(CheckPriceDeviation(MilkLine(), kEach, Charged(120, 315), "EUR",
                                   DeviationReason::kNoneGiven));
  // A reason does not make an agreeing line a deviation.
  EXPECT_FALSE(CheckPriceDeviation(MilkLine(), kEach, Charged(120, 315), "EUR",
                                   DeviationReason::kManualOverride));
}

TEST(PriceDeviation, UnitPriceDiffers) {
  // Price-matched down to 1.00: 300 charged, 315 expected.
  std::optional<PriceDeviation> d =
      CheckPriceDeviation(MilkLine(), kEach, Charged(100, 300), "EUR",
                          DeviationReason::kPriceMatch);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DeviationKind::kUnitPrice);
  EXPECT_EQ(d->reason, DeviationReason::kPriceMatch);
  EXPECT_EQ(d->expected_unit_price, 120);
  EXPECT_EQ(d->charged_unit_price, 100);
  EXPECT_EQ(d->expected_net, 315);
  EXPECT_EQ(d->charged_net, 300);
  EXPECT_EQ(d->difference, -15);
  EXPECT_EQ(d->price_list_id, "base");
  EXPECT_EQ(DeviationKindName(d->kind), "unit_price");
  EXPECT_EQ(DeviationReasonName(d->reason), "price_match");
}

TEST(PriceDeviation, PromotionMissedOrInvented) {
  // Shelf price right, the 0.45 promotion not given: the customer paid more.
  std::optional<PriceDeviation> d = CheckPriceDeviation(
      MilkLine(), kEach, Charged(120, 360), "EUR", DeviationReason::kNoneGiven);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DeviationKind::kNetAmount);
  EXPECT_EQ(d->difference, 45);
  // A damaged-goods discount on top: less.
  d = CheckPriceDeviation(MilkLine(), kEach, Charged(120, 200), "EUR",
                          DeviationReason::kDamagedGoods);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DeviationKind::kNetAmount);
  EXPECT_EQ(d->difference, -115);
  EXPECT_EQ(d->reason, DeviationReason::kDamagedGoods);
  // One minor unit is a deviation for EACH goods.
  EXPECT_TRUE(CheckPriceDeviation(MilkLine(), kEach, Charged(120, 316), "EUR",
                                  DeviationReason::kNoneGiven));
}

TEST(PriceDeviation, WeighedGoodsToleranceOneMinorUnit) {
  // 347 g at 18.99/kg = 6.59 (the POS may round to 6.58 or 6.60).
  PricedLine cheese;
  cheese.status = LineStatus::kPriced;
  cheese.unit_price = 1899;
  cheese.extended = 659;
  cheese.net = 659;
  for (std::int64_t net : {658, 659, 660}) {
    EXPECT_FALSE(CheckPriceDeviation(cheese, kMilli, Charged(1899, net), "EUR",
                                     DeviationReason::kNoneGiven))
        << net;
  }
  for (std::int64_t net : {657, 661}) {
    std::optional<PriceDeviation> d = CheckPriceDeviation(
        cheese, kMilli, Charged(1899, net), "EUR", DeviationReason::kNoneGiven);
    ASSERT_TRUE(d) << net;
    EXPECT_EQ(d->kind, DeviationKind::kNetAmount);
    EXPECT_EQ(d->difference, net - 659);
  }
}

TEST(PriceDeviation, NotInBookUnitMismatchCurrency) {
  PricedLine unknown;  // kNotInBook
  std::optional<PriceDeviation> d = CheckPriceDeviation(
      unknown, kEach, Charged(499, 499), "EUR", DeviationReason::kUnknownSku);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DeviationKind::kNotInBook);
  EXPECT_EQ(d->reason, DeviationReason::kUnknownSku);
  EXPECT_EQ(d->expected_unit_price, 0);
  EXPECT_EQ(d->charged_net, 499);
  EXPECT_EQ(d->difference, 0);

  PricedLine mismatch;
  mismatch.status = LineStatus::kUnitMismatch;
  d = CheckPriceDeviation(mismatch, kEach, Charged(100, 100), "EUR",
                          DeviationReason::kNoneGiven);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DeviationKind::kUnitMismatch);

  d = CheckPriceDeviation(MilkLine(), kEach, Charged(120, 315, "USD"), "EUR",
                          DeviationReason::kNoneGiven);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DeviationKind::kCurrency);
  EXPECT_EQ(d->difference, 0);
}

TEST(PriceDeviation, ChargedFromTransactionLine) {
  v1::TransactionLine line;
  line.set_sku("milk");
  line.set_unit(kEach);
  line.set_quantity(3);
  line.mutable_unit_price()->set_minor_units(120);
  line.mutable_unit_price()->set_currency("EUR");
  line.mutable_extended_amount()->set_minor_units(360);
  line.mutable_extended_amount()->set_currency("EUR");
  v1::Discount* d = line.add_discounts();
  d->mutable_amount()->set_minor_units(30);
  d->set_reason("milk-15c");
  d = line.add_discounts();
  d->mutable_amount()->set_minor_units(15);
  ChargedLine c = ChargedFromTransactionLine(line);
  EXPECT_EQ(c.currency, "EUR");
  EXPECT_EQ(c.unit_price, 120);
  EXPECT_EQ(c.net, 315);
  EXPECT_FALSE(CheckPriceDeviation(MilkLine(), kEach, c, "EUR",
                                   DeviationReason::kNoneGiven));
}

TEST(PriceDeviation, NamesOfEveryCode) {
  EXPECT_EQ(DeviationReasonName(DeviationReason::kNoneGiven), "none_given");
  EXPECT_EQ(DeviationReasonName(DeviationReason::kManualOverride),
            "manual_override");
  EXPECT_EQ(DeviationReasonName(DeviationReason::kPriceMatch), "price_match");
  EXPECT_EQ(DeviationReasonName(DeviationReason::kDamagedGoods),
            "damaged_goods");
  EXPECT_EQ(DeviationReasonName(DeviationReason::kUnknownSku), "unknown_sku");
  EXPECT_EQ(DeviationKindName(DeviationKind::kNotInBook), "not_in_book");
  EXPECT_EQ(DeviationKindName(DeviationKind::kUnitMismatch), "unit_mismatch");
  EXPECT_EQ(DeviationKindName(DeviationKind::kCurrency), "currency");
  EXPECT_EQ(DeviationKindName(DeviationKind::kNetAmount), "net_amount");
}

}  // namespace
}  // namespace storeagent::core
