// core/price_validation.h: every limit of price.proto at its edge (the limit
// accepted, one past it refused naming the field), and malformed lists,
// promotions and GetPrices requests refused by path.
#include "core/price_validation.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::IsOk;
using test::MakeList;
using test::RefusedAt;

v1::PriceList ValidList() {
  return MakeList("base", 1,
                  {{"apple", 50}, {"cheese", 1899, v1::UNIT_OF_MEASURE_MILLI}});
}

// The values price.proto's comments state; the edge tests below are written
// against the constants, so this is the test that fails when one drifts.
TEST(PriceLimits, AsTheContractStates) {
  EXPECT_EQ(kMinPriceIdLength, 1u);
  EXPECT_EQ(kMaxPriceIdLength, 64u);
  EXPECT_EQ(kMaxPriceScopeStores, 1000);
  EXPECT_EQ(kMaxRegionLength, 64u);
  EXPECT_EQ(kMaxPriceListEntries, 100000);
  EXPECT_EQ(kMinPromotionSkus, 1);
  EXPECT_EQ(kMaxPromotionSkus, 10000);
  EXPECT_EQ(kMinPercentOffBp, 1);
  EXPECT_EQ(kMaxPercentOffBp, 10000);
  EXPECT_EQ(kBasisPointsPerWhole, 10000);
  EXPECT_EQ(kMinMultiBuyBuy, 2);
  EXPECT_EQ(kMaxMultiBuyBuy, 100);
  EXPECT_EQ(kMinMultiBuyPay, 1);
  EXPECT_EQ(kMaxPromotionDescriptionLength, 128u);
  EXPECT_EQ(kMinSkusPerPriceCall, 1);
  EXPECT_EQ(kMaxSkusPerPriceCall, 500);
}

TEST(PriceListValidation, ValidListAccepted) {
  EXPECT_TRUE(IsOk(ValidatePriceList(ValidList())));
  v1::PriceList empty = ValidList();
  empty.clear_entries();  // a withdrawn list
  EXPECT_TRUE(IsOk(ValidatePriceList(empty)));
}

TEST(PriceListValidation, IdAndVersion) {
  v1::PriceList l = ValidList();
  // A card number is refused as it would be in a sale that names the list;
  // digit groups that are not laid out as a card's are an id.
  const std::pair<std::string, bool> ids[] = {
      {std::string(kMaxPriceIdLength, 'a'), true},
      {std::string(kMaxPriceIdLength + 1, 'a'), false},
      {"", false},
      {"spring sale", false},
      {"spring-2026.v:1_a", true},
      {"4111-1111-1111-1111", false},
      {"list-4111111111111111", false},
      {"day-store-0001-15865-5272184121f023ce", true},
  };
  for (const auto& [id, ok] : ids) {
    l.set_id(id);
    if (ok) {
      EXPECT_TRUE(IsOk(ValidatePriceList(l))) << id;
    } else {
      EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.id")) << id;
    }
  }
  l.set_id("spring-2026.v:1_a");
  l.set_version(0);
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.version"));
  l.set_version(std::uint64_t{1} << 63);
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.version"));
  l.set_version((std::uint64_t{1} << 63) - 1);
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
}

TEST(PriceListValidation, Currency) {
  v1::PriceList l = ValidList();
  l.set_currency("eur");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.currency"));
  l.set_currency("");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.currency"));
  // An entry in another currency than the list's.
  l = ValidList();
  l.mutable_entries(1)->mutable_unit_price()->set_currency("USD");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l),
                        "price_list.entries[1].unit_price.currency"));
}

TEST(PriceListValidation, ScopeExactlyOne) {
  v1::PriceList l = ValidList();
  l.clear_scope();
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope"));
  *l.mutable_scope() = v1::PriceScope();  // present but empty
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope"));
  l.mutable_scope()->set_region("north");
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
  l.mutable_scope()->set_all_stores(true);
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope"));
  l.mutable_scope()->set_all_stores(false);
  l.mutable_scope()->add_store_ids("s1");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope"));
  l.mutable_scope()->clear_region();
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
  l.mutable_scope()->add_store_ids("s1");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope.store_ids[1]"));
  l.mutable_scope()->clear_store_ids();
  for (int i = 0; i < kMaxPriceScopeStores; ++i) {
    l.mutable_scope()->add_store_ids("s" + std::to_string(i));
  }
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
  l.mutable_scope()->add_store_ids("one-more");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope.store_ids"));
  l.mutable_scope()->clear_store_ids();
  l.mutable_scope()->set_region(std::string(kMaxRegionLength + 1, 'r'));
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.scope.region"));
}

TEST(PriceListValidation, Window) {
  v1::PriceList l = ValidList();
  l.set_effective_from_us(-1);
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.effective_from_us"));
  l.set_effective_from_us(1000);
  l.set_effective_to_us(999);
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.effective_to_us"));
  l.set_effective_to_us(1000);  // empty window: withdrawn
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
  l.set_effective_to_us(0);  // open-ended
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
}

TEST(PriceListValidation, Entries) {
  v1::PriceList l = ValidList();
  l.mutable_entries(0)->set_sku("");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.entries[0].sku"));
  l.mutable_entries(0)->set_sku(std::string(kMaxSkuLength + 1, 'k'));
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.entries[0].sku"));
  l.mutable_entries(0)->set_sku("cheese");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.entries[1].sku"));
  l = ValidList();
  l.mutable_entries(0)->set_unit(v1::UNIT_OF_MEASURE_UNSPECIFIED);
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.entries[0].unit"));
  l = ValidList();
  l.mutable_entries(0)->clear_unit_price();
  EXPECT_TRUE(
      RefusedAt(ValidatePriceList(l), "price_list.entries[0].unit_price"));
  l = ValidList();
  l.mutable_entries(0)->mutable_unit_price()->set_minor_units(
      kMaxAmountMinorUnits);
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
  l.mutable_entries(0)->mutable_unit_price()->set_minor_units(
      kMaxAmountMinorUnits + 1);
  EXPECT_TRUE(
      RefusedAt(ValidatePriceList(l), "price_list.entries[0].unit_price"));
  l.mutable_entries(0)->mutable_unit_price()->set_minor_units(-1);
  EXPECT_TRUE(
      RefusedAt(ValidatePriceList(l), "price_list.entries[0].unit_price"));
  l.mutable_entries(0)->mutable_unit_price()->set_minor_units(0);  // free
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
}

TEST(PriceListValidation, EntryCountAtItsEdge) {
  v1::PriceList l = MakeList("big", 1, {});
  for (int i = 0; i < kMaxPriceListEntries; ++i) {
    v1::PriceEntry* e = l.add_entries();
    e->set_sku("sku-" + std::to_string(i));
    e->set_unit(v1::UNIT_OF_MEASURE_EACH);
    e->mutable_unit_price()->set_minor_units(i);
    e->mutable_unit_price()->set_currency("EUR");
  }
  EXPECT_TRUE(IsOk(ValidatePriceList(l)));
  *l.add_entries() = l.entries(0);
  l.mutable_entries(kMaxPriceListEntries)->set_sku("one-more");
  EXPECT_TRUE(RefusedAt(ValidatePriceList(l), "price_list.entries"));
}

TEST(PromotionValidation, KindsAtTheirEdges) {
  v1::Promotion p = test::PercentOff("p", {"apple"}, kMaxPercentOffBp);
  EXPECT_TRUE(IsOk(ValidatePromotion(p)));
  p.mutable_percent_off()->set_basis_points(kMaxPercentOffBp + 1);
  EXPECT_TRUE(
      RefusedAt(ValidatePromotion(p), "promotion.percent_off.basis_points"));
  p.mutable_percent_off()->set_basis_points(0);
  EXPECT_TRUE(
      RefusedAt(ValidatePromotion(p), "promotion.percent_off.basis_points"));

  p = test::AmountOff("a", {"apple"}, kMaxAmountMinorUnits);
  EXPECT_TRUE(IsOk(ValidatePromotion(p)));
  p.mutable_amount_off()->mutable_amount()->set_minor_units(0);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.amount_off.amount"));
  p.mutable_amount_off()->mutable_amount()->set_minor_units(
      kMaxAmountMinorUnits + 1);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.amount_off.amount"));
  p.mutable_amount_off()->mutable_amount()->set_minor_units(10);
  p.mutable_amount_off()->mutable_amount()->set_currency("XYZ");
  EXPECT_TRUE(
      RefusedAt(ValidatePromotion(p), "promotion.amount_off.amount.currency"));
  p.mutable_amount_off()->clear_amount();
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.amount_off.amount"));

  p = test::MultiBuy("m", {"apple"}, kMaxMultiBuyBuy, kMaxMultiBuyBuy - 1);
  EXPECT_TRUE(IsOk(ValidatePromotion(p)));
  p.mutable_multi_buy()->set_buy(kMaxMultiBuyBuy + 1);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.multi_buy.buy"));
  p.mutable_multi_buy()->set_buy(1);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.multi_buy.buy"));
  p.mutable_multi_buy()->set_buy(3);
  p.mutable_multi_buy()->set_pay(3);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.multi_buy.pay"));
  p.mutable_multi_buy()->set_pay(0);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.multi_buy.pay"));
  p.mutable_multi_buy()->set_pay(1);
  EXPECT_TRUE(IsOk(ValidatePromotion(p)));

  p.clear_kind();
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.kind"));
}

TEST(PromotionValidation, SkusScopeWindowDescription) {
  v1::Promotion p = test::PercentOff("p", {}, 1000);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.skus"));
  for (int i = 0; i < kMaxPromotionSkus; ++i) {
    p.add_skus("sku-" + std::to_string(i));
  }
  EXPECT_TRUE(IsOk(ValidatePromotion(p)));
  p.add_skus("one-more");
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.skus"));
  p = test::PercentOff("p", {"a", "b", "a"}, 1000);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.skus[2]"));
  // Two SKUs repeated: the first repeat in the list's order is named.
  p = test::PercentOff("p", {"a", "b", "b", "a"}, 1000);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.skus[2]"));
  EXPECT_NE(ValidatePromotion(p).message().find("\"b\" named twice"),
            std::string::npos)
      << ValidatePromotion(p).message();
  p = test::PercentOff("p", {"a"}, 1000);
  p.clear_scope();
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.scope"));
  p = test::PercentOff("p", {"a"}, 1000);
  p.set_effective_from_us(10);
  p.set_effective_to_us(5);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.effective_to_us"));
  p = test::PercentOff("p", {"a"}, 1000);
  p.set_description(std::string(kMaxPromotionDescriptionLength, 'd'));
  EXPECT_TRUE(IsOk(ValidatePromotion(p)));
  p.set_description(std::string(kMaxPromotionDescriptionLength + 1, 'd'));
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.description"));
  p.set_description("card 4111 1111 1111 1111");  // a card number in text
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.description"));
  p.set_description("");
  p.set_id("");
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.id"));
  p.set_id("p");
  p.set_version(0);
  EXPECT_TRUE(RefusedAt(ValidatePromotion(p), "promotion.version"));
}

TEST(GetPricesValidation, Limits) {
  v1::GetPricesRequest r;
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "skus"));
  for (int i = 0; i < kMaxSkusPerPriceCall; ++i) {
    r.add_skus("sku-" + std::to_string(i));
  }
  EXPECT_TRUE(IsOk(ValidateGetPricesRequest(r)));
  r.add_skus("one-more");
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "skus"));
  r.clear_skus();
  r.add_skus("a");
  r.add_skus("a");
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "skus[1]"));
  r.clear_skus();
  r.add_skus("a");
  r.set_at_us(-1);
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "at_us"));
  r.set_at_us(0);
  r.mutable_member()->set_pseudonym(std::string(31, 'p'));
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "member.pseudonym"));
  r.mutable_member()->set_pseudonym(std::string(kPseudonymBytes, 'p'));
  EXPECT_TRUE(IsOk(ValidateGetPricesRequest(r)));
  r.mutable_member()->set_card_number("12345");
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "member.card_number"));
  r.mutable_member()->set_card_number("123456");
  EXPECT_TRUE(IsOk(ValidateGetPricesRequest(r)));
  r.mutable_member()->Clear();
  EXPECT_TRUE(RefusedAt(ValidateGetPricesRequest(r), "member"));
}

}  // namespace
}  // namespace storeagent::core
