// core/price_answer.h: GetPrices answered from a price book, in the
// request's order, with found = false for an unknown SKU and member-only
// promotions only for a member.
#include "core/price_answer.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::RefusedAt;

using test::kStore;

class PriceAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        book_
            .ApplyPriceList(test::MakeList(
                "base", 3,
                {{"apple", 50}, {"cheese", 1899, v1::UNIT_OF_MEASURE_MILLI}}))
            .ok());
    v1::Promotion members = test::PercentOff("m-apple", {"apple"}, 2000);
    members.set_member_only(true);
    members.set_effective_to_us(5000);
    members.set_description("Members: 20 % off apples");
    ASSERT_TRUE(book_.ApplyPromotion(members).ok());
    ASSERT_TRUE(
        book_.ApplyPromotion(test::MultiBuy("apple-3for2", {"apple"}, 3, 2))
            .ok());
    ASSERT_TRUE(
        book_.ApplyPromotion(test::AmountOff("usd-off", {"apple"}, 5, "USD"))
            .ok());
  }
  PriceBook book_;
};

TEST_F(PriceAnswerTest, PricesInRequestOrder) {
  v1::GetPricesRequest request;
  request.add_skus("cheese");
  request.add_skus("dragonfruit");
  request.add_skus("apple");
  Result<v1::GetPricesResponse> r =
      AnswerGetPrices(book_, kStore, request, /*now_us=*/1234);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at_us(), 1234);
  ASSERT_EQ(r->prices_size(), 3);
  const v1::SkuPrice& cheese = r->prices(0);
  EXPECT_EQ(cheese.sku(), "cheese");
  EXPECT_TRUE(cheese.found());
  EXPECT_EQ(cheese.unit(), v1::UNIT_OF_MEASURE_MILLI);
  EXPECT_EQ(cheese.unit_price().minor_units(), 1899);
  EXPECT_EQ(cheese.unit_price().currency(), "EUR");
  EXPECT_EQ(cheese.price_list_id(), "base");
  EXPECT_EQ(cheese.price_list_version(), 3u);
  EXPECT_EQ(cheese.promotions_size(), 0);
  EXPECT_EQ(r->prices(1).sku(), "dragonfruit");
  EXPECT_FALSE(r->prices(1).found());
  EXPECT_FALSE(r->prices(1).has_unit_price());
  // Not a member: the multi-buy only (the USD amount does not apply).
  const v1::SkuPrice& apple = r->prices(2);
  ASSERT_EQ(apple.promotions_size(), 1);
  EXPECT_EQ(apple.promotions(0).id(), "apple-3for2");
  EXPECT_EQ(apple.promotions(0).multi_buy().buy(), 3);
  EXPECT_EQ(apple.promotions(0).multi_buy().pay(), 2);
  EXPECT_EQ(r->book_central_seq(), 0u);  // the caller's to fill
}

TEST_F(PriceAnswerTest, MemberAndMoment) {
  v1::GetPricesRequest request;
  request.add_skus("apple");
  request.mutable_member()->set_card_number("123456789");
  request.set_at_us(4999);
  Result<v1::GetPricesResponse> r = AnswerGetPrices(book_, kStore, request, 1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at_us(), 4999);
  const v1::SkuPrice& apple = r->prices(0);
  ASSERT_EQ(apple.promotions_size(), 2);
  EXPECT_EQ(apple.promotions(0).id(), "apple-3for2");
  EXPECT_EQ(apple.promotions(1).id(), "m-apple");
  EXPECT_TRUE(apple.promotions(1).member_only());
  EXPECT_EQ(apple.promotions(1).percent_off().basis_points(), 2000);
  EXPECT_EQ(apple.promotions(1).effective_to_us(), 5000);
  EXPECT_EQ(apple.promotions(1).description(), "Members: 20 % off apples");
  // At its end (exclusive) the member promotion is gone.
  request.set_at_us(5000);
  r = AnswerGetPrices(book_, kStore, request, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->prices(0).promotions_size(), 1);
}

TEST_F(PriceAnswerTest, BadRequestRefused) {
  v1::GetPricesRequest request;
  EXPECT_TRUE(
      RefusedAt(AnswerGetPrices(book_, kStore, request, 1).status(), "skus"));
  request.add_skus("apple");
  request.add_skus("apple");
  EXPECT_TRUE(RefusedAt(AnswerGetPrices(book_, kStore, request, 1).status(),
                        "skus[1]"));
}

}  // namespace
}  // namespace storeagent::core
