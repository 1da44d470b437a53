// The named limits hold the values the contract states (proto comments and
// docs). The edge tests elsewhere are written against these constants, so
// this is the test that fails when a constant drifts from the contract.
#include "core/limits.h"

#include <gtest/gtest.h>

namespace storeagent::core {
namespace {

TEST(Limits, CountsAndSizes) {
  EXPECT_EQ(kMaxRequestBytes, 1048576u);
  EXPECT_EQ(kMinLinesPerTransaction, 1);
  EXPECT_EQ(kMaxLinesPerTransaction, 500);
  EXPECT_EQ(kMinTendersPerTransaction, 1);
  EXPECT_EQ(kMaxTendersPerTransaction, 20);
  EXPECT_EQ(kMaxDiscountsPerLine, 10);
  EXPECT_EQ(kMaxDailyCloseTenderTotals, 20);
  EXPECT_EQ(kMaxDailyCloseTaxTotals, 20);
}

TEST(Limits, QuantitiesMoneyAndPoints) {
  EXPECT_EQ(kMinQuantityEach, 1);
  EXPECT_EQ(kMaxQuantityEach, 1000000);
  EXPECT_EQ(kMinQuantityMilli, 1);
  EXPECT_EQ(kMaxQuantityMilli, 1000000000);
  EXPECT_EQ(kMilliUnitsPerUnit, 1000);
  EXPECT_EQ(kMinAmountMinorUnits, 0);
  EXPECT_EQ(kMaxAmountMinorUnits, 1000000000000);
  EXPECT_EQ(kMilliExtendedToleranceMinorUnits, 1);
  EXPECT_EQ(kMinTaxRateBp, 0);
  EXPECT_EQ(kMaxTaxRateBp, 10000);
  EXPECT_EQ(kCurrencyCodeLength, 3u);
  EXPECT_EQ(kMinPoints, 1);
  EXPECT_EQ(kMaxPoints, 1000000);
}

TEST(Limits, IdentifiersAndCards) {
  EXPECT_EQ(kMinLoyaltyCardDigits, 6u);
  EXPECT_EQ(kMaxLoyaltyCardDigits, 32u);
  EXPECT_EQ(kMinClientKeyIdLength, 1u);
  EXPECT_EQ(kMaxClientKeyIdLength, 64u);
  EXPECT_EQ(kClientKeyIdCharset, "[A-Za-z0-9._:-]");
  EXPECT_EQ(kBusinessDayLength, 10u);
  EXPECT_EQ(kLastFourDigits, 4u);
  EXPECT_EQ(kMinPanDigits, 13u);
  EXPECT_EQ(kMaxPanDigits, 19u);
}

TEST(Limits, StringLengths) {
  EXPECT_EQ(kMaxFreeTextLength, 128u);
  EXPECT_EQ(kMinSkuLength, 1u);
  EXPECT_EQ(kMaxSkuLength, 64u);
  EXPECT_EQ(kMaxGtinLength, 32u);
  EXPECT_EQ(kMaxDescriptionLength, 128u);
  EXPECT_EQ(kMaxDiscountReasonLength, 64u);
  EXPECT_EQ(kMaxTenderTokenLength, 128u);
  EXPECT_EQ(kMaxTenderBrandLength, 32u);
  EXPECT_EQ(kMaxAuthCodeLength, 32u);
  EXPECT_EQ(kMaxOperatorIdLength, 64u);
  EXPECT_EQ(kMaxReceiptNumberLength, 64u);
  EXPECT_EQ(kMaxOriginalReferenceLength, 64u);
  EXPECT_EQ(kMaxChannelLength, 32u);
  EXPECT_EQ(kMaxStoreIdLength, 64u);
  EXPECT_EQ(kMinPostVoidReasonLength, 1u);
  EXPECT_EQ(kMaxReasonLength, 128u);
  EXPECT_EQ(kMaxContactNameLength, 128u);
  EXPECT_EQ(kMaxContactEmailLength, 254u);
  EXPECT_EQ(kMaxContactPhoneLength, 32u);
}

}  // namespace
}  // namespace storeagent::core
