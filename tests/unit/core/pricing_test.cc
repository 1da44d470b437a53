// core/pricing.h, the basket rule, on hand-made cases: overlapping
// promotions, multi-buy across lines, member-only with and without a member,
// weighed goods and rounding, against values worked out by hand in the
// comments.
#include "core/pricing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::RefusedAt;

using test::kEach;
using test::kMilli;
using test::kStore;

class PricingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(book_
                    .ApplyPriceList(test::MakeList("base", 1,
                                                   {{"apple", 50},
                                                    {"milk", 120},
                                                    {"soap", 333},
                                                    {"gum", 5},
                                                    {"wine-a", 899},
                                                    {"wine-b", 1299},
                                                    {"wine-c", 599},
                                                    {"cheese", 1899, kMilli}}))
                    .ok());
  }

  void Add(const v1::Promotion& p) {
    Result<ApplyOutcome> r = book_.ApplyPromotion(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  PricedBasket Price(std::vector<BasketLine> lines, bool member = false) {
    Basket basket{std::move(lines), 1000, member};
    Result<PricedBasket> r = PriceBasket(book_, kStore, basket);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PricedBasket{};
  }

  static std::vector<std::string> Ids(const PricedLine& line) {
    std::vector<std::string> ids;
    for (const AppliedPromotion& p : line.promotions) ids.push_back(p.id);
    return ids;
  }

  PriceBook book_;
};

using IdList = std::vector<std::string>;

TEST_F(PricingTest, NoPromotionsShelfPrices) {
  PricedBasket b = Price({{"apple", kEach, 3}, {"milk", kEach, 2}});
  ASSERT_EQ(b.lines.size(), 2u);
  EXPECT_EQ(b.lines[0].status, LineStatus::kPriced);
  EXPECT_EQ(b.lines[0].unit_price, 50);
  EXPECT_EQ(b.lines[0].extended, 150);
  EXPECT_EQ(b.lines[0].discount, 0);
  EXPECT_EQ(b.lines[0].net, 150);
  EXPECT_EQ(b.lines[0].price_list_id, "base");
  EXPECT_EQ(b.lines[1].net, 240);
  EXPECT_EQ(b.extended_total, 390);
  EXPECT_EQ(b.discount_total, 0);
  EXPECT_EQ(b.net_total, 390);
}

TEST_F(PricingTest, OverlappingPerLinePromotionsBestWins) {
  // milk 1.20: 10 % off = 0.12 a unit, 0.15 off = 0.15 a unit.
  Add(test::PercentOff("milk-10pct", {"milk"}, 1000));
  Add(test::AmountOff("milk-15c", {"milk"}, 15));
  // soap 3.33: 20 % off beats 0.50 off on two: 133.2 -> 133 vs 100.
  Add(test::PercentOff("soap-20pct", {"soap"}, 2000));
  Add(test::AmountOff("soap-50c", {"soap", "milk"}, 50));
  PricedBasket b = Price({{"milk", kEach, 3}, {"soap", kEach, 2}});
  // milk x3 = 360: 10 % = 36, 0.15 x 3 = 45, 0.50 x 3 = 150 (soap-50c holds
  // milk too): the best, 150, alone; promotions do not stack.
  EXPECT_EQ(b.lines[0].extended, 360);
  EXPECT_EQ(b.lines[0].discount, 150);
  EXPECT_EQ(b.lines[0].net, 210);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"soap-50c"});
  // soap x2 = 666: 20 % = 133.2 -> 133; 0.50 x 2 = 100.
  EXPECT_EQ(b.lines[1].discount, 133);
  EXPECT_EQ(b.lines[1].net, 533);
  EXPECT_EQ(Ids(b.lines[1]), IdList{"soap-20pct"});
  EXPECT_EQ(b.discount_total, 283);
  EXPECT_EQ(b.net_total, 1026 - 283);
}

TEST_F(PricingTest, EqualDiscountsTieToSmallerId) {
  Add(test::AmountOff("b-promo", {"apple"}, 10));
  Add(test::PercentOff("a-promo", {"apple"}, 2000));  // 20 % of 50 = 10
  PricedBasket b = Price({{"apple", kEach, 1}});
  EXPECT_EQ(b.lines[0].discount, 10);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"a-promo"});
}

TEST_F(PricingTest, MultiBuyAcrossLines) {
  Add(test::MultiBuy("wine-3for2", {"wine-a", "wine-b", "wine-c"}, 3, 2));
  // Units dearest first: b 12.99, a 8.99, a 8.99 | c 5.99 (left over).
  // One group of three; its cheapest (the second wine-a) is free.
  PricedBasket b =
      Price({{"wine-a", kEach, 2}, {"wine-b", kEach, 1}, {"wine-c", kEach, 1}});
  EXPECT_EQ(b.lines[0].discount, 899);
  EXPECT_EQ(b.lines[0].net, 899);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"wine-3for2"});
  EXPECT_EQ(b.lines[1].discount, 0);
  EXPECT_EQ(Ids(b.lines[1]), IdList{"wine-3for2"});  // in the group, not free
  EXPECT_EQ(b.lines[2].discount, 0);
  EXPECT_EQ(Ids(b.lines[2]), IdList{});  // left over
  EXPECT_EQ(b.extended_total, 1798 + 1299 + 599);
  EXPECT_EQ(b.discount_total, 899);

  // Two more wine-c: a second group c, c, c with one free.
  b = Price({{"wine-a", kEach, 2}, {"wine-b", kEach, 1}, {"wine-c", kEach, 3}});
  EXPECT_EQ(b.lines[0].discount, 899);
  EXPECT_EQ(b.lines[2].discount, 599);
  EXPECT_EQ(b.discount_total, 1498);
  EXPECT_EQ(b.net_total, 1798 + 1299 + 1797 - 1498);

  // The same SKU on two lines pools: wine-a x1 and wine-a x2.
  b = Price({{"wine-a", kEach, 1}, {"wine-a", kEach, 2}});
  EXPECT_EQ(b.lines[0].discount, 0);
  EXPECT_EQ(b.lines[1].discount, 899);  // equal prices: the later unit free
  EXPECT_EQ(b.discount_total, 899);

  // Fewer than three: nothing.
  b = Price({{"wine-a", kEach, 1}, {"wine-b", kEach, 1}});
  EXPECT_EQ(b.discount_total, 0);
  EXPECT_EQ(Ids(b.lines[0]), IdList{});
}

TEST_F(PricingTest, MultiBuyAgainstPercentOffBestForCustomer) {
  Add(test::MultiBuy("wine-3for2", {"wine-a", "wine-b", "wine-c"}, 3, 2));
  Add(test::PercentOff("wine-a-10pct", {"wine-a"}, 1000));
  Add(test::PercentOff("wine-b-50pct", {"wine-b"}, 5000));
  // wine-a x4 = 35.96. Multi-buy frees one (8.99) and takes three units out
  // of the 10 %: 10 % of 4 = 3.596 -> 3.60, of 1 = 0.899 -> 0.90, so it
  // gives up 2.70 for 8.99: applied. The fourth unit keeps its 10 %.
  PricedBasket b = Price({{"wine-a", kEach, 4}});
  EXPECT_EQ(b.lines[0].discount, 899 + 90);
  EXPECT_EQ(b.lines[0].net, 3596 - 989);
  ASSERT_EQ(b.lines[0].promotions.size(), 2u);
  EXPECT_EQ(b.lines[0].promotions[0].id, "wine-3for2");
  EXPECT_EQ(b.lines[0].promotions[0].discount, 899);
  EXPECT_EQ(b.lines[0].promotions[1].id, "wine-a-10pct");
  EXPECT_EQ(b.lines[0].promotions[1].discount, 90);

  // wine-b x3 = 38.97: 50 % = 19.485 -> 19.49 beats one free (12.99).
  b = Price({{"wine-b", kEach, 3}});
  EXPECT_EQ(b.lines[0].discount, 1949);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"wine-b-50pct"});
}

TEST_F(PricingTest, TwoMultiBuysOverlapBestGainFirst) {
  Add(test::MultiBuy("a-2for1", {"wine-a"}, 2, 1));
  Add(test::MultiBuy("all-3for2", {"wine-a", "wine-b", "wine-c"}, 3, 2));
  // wine-a x2 + wine-b x1. a-2for1 frees 8.99; all-3for2 groups b, a, a and
  // frees 8.99 too: equal gains, the smaller id (a-2for1) goes first and
  // leaves only wine-b for the other.
  PricedBasket b = Price({{"wine-a", kEach, 2}, {"wine-b", kEach, 1}});
  EXPECT_EQ(b.discount_total, 899);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"a-2for1"});
  EXPECT_EQ(Ids(b.lines[1]), IdList{});
  // wine-a x4 + wine-b x2: 2-for-1 frees 2 x 8.99 = 17.98; 3-for-2 groups
  // b b a | a a a and frees a + a = 17.98: tie, 2-for-1 first, then
  // 3-for-2 has b, b left: nothing.
  b = Price({{"wine-a", kEach, 4}, {"wine-b", kEach, 2}});
  EXPECT_EQ(b.discount_total, 1798);
  // wine-a x2 + wine-b x3 + wine-c x1: 3-for-2 groups b b b | a a c, frees
  // 12.99 + 5.99 = 18.98 (and nothing on the 2-for-1 is given up first);
  // 2-for-1 alone frees 8.99. 3-for-2 first; nothing left for 2-for-1.
  b = Price({{"wine-a", kEach, 2}, {"wine-b", kEach, 3}, {"wine-c", kEach, 1}});
  EXPECT_EQ(b.discount_total, 1299 + 599);
  EXPECT_EQ(b.lines[1].discount, 1299);
  EXPECT_EQ(b.lines[2].discount, 599);
  EXPECT_EQ(b.lines[0].discount, 0);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"all-3for2"});
}

TEST_F(PricingTest, MemberOnlyWithAndWithoutMember) {
  v1::Promotion members = test::PercentOff("apple-members-20", {"apple"}, 2000);
  members.set_member_only(true);
  Add(members);
  Add(test::PercentOff("apple-10", {"apple"}, 1000));
  // 10 apples = 5.00: a member gets 20 % (1.00), anyone else 10 % (0.50).
  PricedBasket with = Price({{"apple", kEach, 10}}, /*member=*/true);
  EXPECT_EQ(with.lines[0].discount, 100);
  EXPECT_EQ(Ids(with.lines[0]), IdList{"apple-members-20"});
  PricedBasket without = Price({{"apple", kEach, 10}}, /*member=*/false);
  EXPECT_EQ(without.lines[0].discount, 50);
  EXPECT_EQ(Ids(without.lines[0]), IdList{"apple-10"});

  // A member-only multi-buy does nothing without a member.
  v1::Promotion mb = test::MultiBuy("milk-members-2for1", {"milk"}, 2, 1);
  mb.set_member_only(true);
  Add(mb);
  EXPECT_EQ(Price({{"milk", kEach, 2}}, false).discount_total, 0);
  EXPECT_EQ(Price({{"milk", kEach, 2}}, true).discount_total, 120);
}

TEST_F(PricingTest, WeighedGoods) {
  Add(test::AmountOff("cheese-2eur-kg", {"cheese"}, 200));
  Add(test::PercentOff("cheese-5pct", {"cheese"}, 500));
  Add(test::MultiBuy("cheese-2for1", {"cheese"}, 2, 1));  // EACH only
  // 347 g at 18.99/kg = 6.58953 -> 6.59. 2.00/kg off: 347 g at 16.99 =
  // 5.89553 -> 5.90, a discount of 0.69; 5 % of 6.59 = 0.3295 -> 0.33.
  PricedBasket b = Price({{"cheese", kMilli, 347}, {"cheese", kMilli, 2000}});
  EXPECT_EQ(b.lines[0].unit_price, 1899);
  EXPECT_EQ(b.lines[0].extended, 659);
  EXPECT_EQ(b.lines[0].discount, 69);
  EXPECT_EQ(b.lines[0].net, 590);
  EXPECT_EQ(Ids(b.lines[0]), IdList{"cheese-2eur-kg"});
  // 2 kg = 37.98; 2.00/kg off = 4.00; 5 % = 1.899 -> 1.90. No multi-buy.
  EXPECT_EQ(b.lines[1].extended, 3798);
  EXPECT_EQ(b.lines[1].discount, 400);
  EXPECT_EQ(Ids(b.lines[1]), IdList{"cheese-2eur-kg"});

  // Sold by the piece while priced by weight: not priced, not an error.
  b = Price({{"cheese", kEach, 1}, {"apple", kMilli, 500}});
  EXPECT_EQ(b.lines[0].status, LineStatus::kUnitMismatch);
  EXPECT_EQ(b.lines[1].status, LineStatus::kUnitMismatch);
  EXPECT_EQ(b.extended_total, 0);
}

TEST_F(PricingTest, RoundingPerLineTiesToCustomer) {
  Add(test::PercentOff("gum-10", {"gum"}, 1000));
  // 1 gum at 0.05: 10 % = 0.005 -> 0.01 (a tie goes to the customer).
  EXPECT_EQ(Price({{"gum", kEach, 1}}).lines[0].discount, 1);
  // 3 gums = 0.15: 10 % = 0.015 -> 0.02 per line, not 3 x 0.01.
  EXPECT_EQ(Price({{"gum", kEach, 3}}).lines[0].discount, 2);
  // 4 gums = 0.20: exactly 0.02.
  EXPECT_EQ(Price({{"gum", kEach, 4}}).lines[0].discount, 2);
  // soap x3 = 9.99 at 15 %: 1.4985 -> 1.50.
  Add(test::PercentOff("soap-15", {"soap"}, 1500));
  EXPECT_EQ(Price({{"soap", kEach, 3}}).lines[0].discount, 150);
}

TEST_F(PricingTest, NeverBelowZero) {
  Add(test::AmountOff("gum-1eur", {"gum"}, 100));  // more than its price
  PricedBasket b = Price({{"gum", kEach, 7}});
  EXPECT_EQ(b.lines[0].discount, 35);
  EXPECT_EQ(b.lines[0].net, 0);
  EXPECT_EQ(b.net_total, 0);
  // An amount off in another currency does not apply to EUR prices.
  Add(test::AmountOff("apple-usd", {"apple"}, 10, "USD"));
  EXPECT_EQ(Price({{"apple", kEach, 1}}).discount_total, 0);
}

TEST_F(PricingTest, UnknownSkuIsNotPricedNotRefused) {
  PricedBasket b = Price({{"dragonfruit", kEach, 1}, {"apple", kEach, 1}});
  EXPECT_EQ(b.lines[0].status, LineStatus::kNotInBook);
  EXPECT_EQ(b.lines[0].net, 0);
  EXPECT_EQ(b.lines[1].status, LineStatus::kPriced);
  EXPECT_EQ(b.net_total, 50);
}

TEST_F(PricingTest, PromotionWindowAtTheBasketMoment) {
  v1::Promotion p = test::PercentOff("apple-later", {"apple"}, 5000);
  p.set_effective_from_us(1001);  // the fixture prices at 1000
  Add(p);
  EXPECT_EQ(Price({{"apple", kEach, 2}}).discount_total, 0);
  Basket at_start{{{"apple", kEach, 2}}, 1001, false};
  Result<PricedBasket> r = PriceBasket(book_, kStore, at_start);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->discount_total, 50);
}

TEST(Pricing, BadBasketRefusedByPath) {
  PriceBook book;
  const Basket ok{{{"apple", kEach, 1}}, 0, false};
  EXPECT_TRUE(RefusedAt(PriceBasket(book, {"s1", "", ""}, ok).status(),
                        "store.currency"));
  EXPECT_TRUE(RefusedAt(PriceBasket(book, kStore, Basket{}).status(), "lines"));
  Basket many;
  many.lines.assign(501, BasketLine{"apple", kEach, 1});
  EXPECT_TRUE(RefusedAt(PriceBasket(book, kStore, many).status(), "lines"));
  many.lines.resize(500);
  EXPECT_TRUE(PriceBasket(book, kStore, many).ok());
  Basket bad{{{"apple", kEach, 1}, {"apple", kEach, 0}}, 0, false};
  EXPECT_TRUE(
      RefusedAt(PriceBasket(book, kStore, bad).status(), "lines[1].quantity"));
  bad.lines[1] = {"apple", kEach, 1'000'001};
  EXPECT_TRUE(
      RefusedAt(PriceBasket(book, kStore, bad).status(), "lines[1].quantity"));
  bad.lines[1] = {"apple", kMilli, 1'000'000'001};
  EXPECT_TRUE(
      RefusedAt(PriceBasket(book, kStore, bad).status(), "lines[1].quantity"));
  bad.lines[1] = {"apple", v1::UNIT_OF_MEASURE_UNSPECIFIED, 1};
  EXPECT_TRUE(
      RefusedAt(PriceBasket(book, kStore, bad).status(), "lines[1].unit"));
  bad.lines[1] = {"", kEach, 1};
  EXPECT_TRUE(
      RefusedAt(PriceBasket(book, kStore, bad).status(), "lines[1].sku"));
}

TEST(Pricing, BasketOverflowRefusedWithClearError) {
  PriceBook book;
  ASSERT_TRUE(book.ApplyPriceList(
                      test::MakeList("gold", 1, {{"bar", 1'000'000'000'000}}))
                  .ok());
  // Each line 10^6 x 10^12 = 10^18 fits; the tenth takes the total past
  // 2^63 - 1 (about 9.22 x 10^18).
  Basket basket;
  basket.lines.assign(9, BasketLine{"bar", kEach, 1'000'000});
  Result<PricedBasket> nine = PriceBasket(book, kStore, basket);
  ASSERT_TRUE(nine.ok()) << nine.status().ToString();
  EXPECT_EQ(nine->net_total, 9'000'000'000'000'000'000);
  basket.lines.push_back(BasketLine{"bar", kEach, 1'000'000});
  Result<PricedBasket> ten = PriceBasket(book, kStore, basket);
  ASSERT_TRUE(RefusedAt(ten.status(), "lines[9] (basket total)"));
  EXPECT_NE(ten.status().message().find("overflows int64"), std::string::npos);
}

TEST(Pricing, BasketFromTransactionLines) {
  v1::Sale sale;
  v1::TransactionLine* l = sale.add_lines();
  l->set_sku("cheese");
  l->set_unit(kMilli);
  l->set_quantity(347);
  Basket b = BasketFromTransactionLines(sale.lines(), 77, true);
  ASSERT_EQ(b.lines.size(), 1u);
  EXPECT_EQ(b.lines[0].sku, "cheese");
  EXPECT_EQ(b.lines[0].unit, kMilli);
  EXPECT_EQ(b.lines[0].quantity, 347);
  EXPECT_EQ(b.at_us, 77);
  EXPECT_TRUE(b.member);
}

}  // namespace
}  // namespace storeagent::core
