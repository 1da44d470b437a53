// The shared sample events are valid, so tests built on them fail only for
// the change they make.
#include "tests/unit/core/sample_events.h"

#include <gtest/gtest.h>

#include "core/event_validation.h"
#include "tests/unit/core/expect_refused.h"

namespace storeagent::core {
namespace {

using test::IsOk;

TEST(SampleEvents, SalesOfEverySizeAreValid) {
  for (int lines = 1; lines <= 500; lines += (lines < 20 ? 1 : 37)) {
    EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleSale(lines)))) << lines;
    EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleCashSale(lines))))
        << lines;
  }
}

TEST(SampleEvents, EveryKindIsValid) {
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleReturn())));
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SamplePostVoid())));
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleNoSale())));
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleDailyClose())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SampleIdentified())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SampleEnrolment())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SamplePointsEarned())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SamplePointsRedeemed())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SampleConsentChanged())));
  EXPECT_TRUE(IsOk(ValidateClientKey(test::SampleClientKey(), "client_key")));
}

TEST(SampleEvents, SaleHasTheAdvertisedShape) {
  const v1::Transaction txn = test::SampleSale();
  ASSERT_TRUE(txn.has_sale());
  EXPECT_EQ(txn.sale().lines_size(), 5);
  EXPECT_EQ(txn.sale().tenders_size(), 1);
  EXPECT_EQ(txn.sale().totals().total().currency(), "EUR");
  EXPECT_EQ(txn.sale().lines(4).unit(), v1::UNIT_OF_MEASURE_MILLI);
  EXPECT_EQ(txn.sale().lines(1).discounts_size(), 1);
  const v1::Transaction cash = test::SampleCashSale();
  EXPECT_EQ(cash.sale().tenders(0).kind(), v1::Tender::KIND_CASH);
  EXPECT_GT(cash.sale().totals().change_given().minor_units(), 0);
}

TEST(SampleEvents, RecomputeTotalsMakesEditsAddUp) {
  v1::Transaction txn = test::SampleSale();
  v1::TransactionLine* line = txn.mutable_sale()->mutable_lines(0);
  line->set_quantity(line->quantity() + 1);
  *line->mutable_extended_amount() =
      test::Eur(line->quantity() * line->unit_price().minor_units());
  EXPECT_FALSE(ValidateTransaction(txn).ok());
  test::RecomputeTotals(&txn);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
}

}  // namespace
}  // namespace storeagent::core
