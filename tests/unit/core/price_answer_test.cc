// core/price_answer.h: GetPrices answered from a price book, in the
// request's order, with found = false for an unknown SKU and member-only
// promotions only for a member.
#include "core/price_answer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::RefusedAt;

using test::kStore;

class PriceAnswerTest : public ::testing::Test {
 protected:
  Result<v1::GetPricesResponse> Answer(const v1::GetPricesRequest& request,
                                       std::int64_t now_us) {
    v1::GetPricesResponse out;
    STOREAGENT_RETURN_IF_ERROR(
        AnswerGetPrices(book_, kStore, request, now_us, &out));
    return out;
  }

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
  Result<v1::GetPricesResponse> r = Answer(request, /*now_us=*/1234);
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
  Result<v1::GetPricesResponse> r = Answer(request, 1);
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
  r = Answer(request, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->prices(0).promotions_size(), 1);
}

TEST_F(PriceAnswerTest, BadRequestRefused) {
  v1::GetPricesRequest request;
  EXPECT_TRUE(RefusedAt(Answer(request, 1).status(), "skus"));
  request.add_skus("apple");
  request.add_skus("apple");
  EXPECT_TRUE(RefusedAt(Answer(request, 1).status(), "skus[1]"));
}

// The agent answers into a reply on a protobuf arena; an answer replaces
// whatever the reply held, and a refused request leaves it as it was.
TEST_F(PriceAnswerTest, AnswersIntoAReplyOnAnArena) {
  google::protobuf::Arena arena;
  auto* out =
      google::protobuf::Arena::CreateMessage<v1::GetPricesResponse>(&arena);
  out->add_prices()->set_sku("left over");
  out->set_book_central_seq(9);
  v1::GetPricesRequest request;
  request.add_skus("apple");
  ASSERT_TRUE(AnswerGetPrices(book_, kStore, request, 7, out).ok());
  ASSERT_EQ(out->prices_size(), 1);
  EXPECT_EQ(out->prices(0).sku(), "apple");
  EXPECT_EQ(out->prices(0).unit_price().minor_units(), 50);
  EXPECT_EQ(out->book_central_seq(), 0u);
  const std::string before = out->SerializeAsString();
  request.add_skus("apple");  // a repeat: refused
  EXPECT_TRUE(
      RefusedAt(AnswerGetPrices(book_, kStore, request, 7, out), "skus[1]"));
  EXPECT_EQ(out->SerializeAsString(), before);
}

// The batched lookup GetPrices takes (PriceBook::FindSkus) answers as the
// one-SKU rules do, over a book of thousands of SKUs and a request of 500
// with unknown SKUs among them.
TEST(PriceAnswerBatch, AgreesWithPriceAtAndPromotionsAt) {
  PriceBook book;
  std::vector<test::Price> prices;
  for (int i = 0; i < 4000; ++i) {
    prices.push_back({"s" + std::to_string(i), 10 + i});
  }
  ASSERT_TRUE(book.ApplyPriceList(test::MakeList("base", 1, prices)).ok());
  for (int p = 0; p < 50; ++p) {
    std::vector<std::string> skus;
    for (int k = 0; k < 20; ++k) {
      skus.push_back("s" + std::to_string((p * 37 + k * 101) % 4500));
    }
    ASSERT_TRUE(book.ApplyPromotion(test::PercentOff("p" + std::to_string(p),
                                                     skus, 100 + p))
                    .ok());
  }
  v1::GetPricesRequest request;
  for (int i = 0; i < 500; ++i) {
    request.add_skus("s" + std::to_string((i * 9) % 4500));  // 4000..: unknown
  }
  v1::GetPricesResponse out;
  ASSERT_TRUE(AnswerGetPrices(book, kStore, request, 1, &out).ok());
  ASSERT_EQ(out.prices_size(), 500);
  int found = 0;
  for (int i = 0; i < 500; ++i) {
    const v1::SkuPrice& got = out.prices(i);
    const std::optional<PriceInForce> want =
        book.PriceAt(kStore, request.skus(i), 1);
    ASSERT_EQ(got.sku(), request.skus(i));
    ASSERT_EQ(got.found(), want.has_value()) << got.sku();
    if (!want) {
      EXPECT_EQ(got.promotions_size(), 0) << got.sku();
      continue;
    }
    ++found;
    EXPECT_EQ(got.unit_price().minor_units(), want->unit_price) << got.sku();
    const std::vector<const v1::Promotion*> promos =
        book.PromotionsAt(kStore, request.skus(i), 1, false);
    ASSERT_EQ(got.promotions_size(), static_cast<int>(promos.size()))
        << got.sku();
    for (std::size_t k = 0; k < promos.size(); ++k) {
      EXPECT_EQ(got.promotions(static_cast<int>(k)).id(), promos[k]->id());
    }
  }
  EXPECT_GT(found, 400);
  EXPECT_LT(found, 500);
}

}  // namespace
}  // namespace storeagent::core
