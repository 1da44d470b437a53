// core/price_book.h: effective windows at their edges, versions replacing,
// scope precedence and its tie-breaks, active promotions.
#include "core/price_book.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

using test::FleetScope;
using test::MakeList;
using test::RefusedAt;
using test::RegionScope;
using test::StoresScope;

const StoreContext kS1{"s1", "north", "EUR"};

void Apply(PriceBook& book, const v1::PriceList& list,
           ApplyOutcome expected = ApplyOutcome::kAdded) {
  Result<ApplyOutcome> r = book.ApplyPriceList(list);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, expected) << ApplyOutcomeName(*r);
}

void Apply(PriceBook& book, const v1::Promotion& p,
           ApplyOutcome expected = ApplyOutcome::kAdded) {
  Result<ApplyOutcome> r = book.ApplyPromotion(p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, expected) << ApplyOutcomeName(*r);
}

// The price of `sku` at `at`, -1 when none is in force.
std::int64_t PriceOf(const PriceBook& book, const std::string& sku,
                     std::int64_t at, const StoreContext& store = kS1) {
  std::optional<PriceInForce> p = book.PriceAt(store, sku, at);
  return p ? p->unit_price : -1;
}

std::vector<std::string> PromotionIds(const PriceBook& book,
                                      const std::string& sku, std::int64_t at,
                                      bool member,
                                      const StoreContext& store = kS1) {
  std::vector<std::string> ids;
  for (const v1::Promotion* p : book.PromotionsAt(store, sku, at, member)) {
    ids.push_back(p->id());
  }
  return ids;
}

TEST(PriceBook, WindowStartInclusiveEndExclusive) {
  PriceBook book;
  Apply(book, MakeList("spring", 1, {{"apple", 40}}, FleetScope(), 1000, 2000));
  EXPECT_EQ(PriceOf(book, "apple", 999), -1);
  EXPECT_EQ(PriceOf(book, "apple", 1000), 40);
  EXPECT_EQ(PriceOf(book, "apple", 1999), 40);
  EXPECT_EQ(PriceOf(book, "apple", 2000), -1);
  // Open-ended (to 0) and since always (from 0).
  Apply(book, MakeList("base", 1, {{"apple", 50}}));
  EXPECT_EQ(PriceOf(book, "apple", 0), 50);
  EXPECT_EQ(PriceOf(book, "apple", 1500), 40);  // later effective_from wins
  EXPECT_EQ(PriceOf(book, "apple", 2000), 50);
  EXPECT_EQ(PriceOf(book, "apple", INT64_MAX), 50);
  // An empty window is never in force.
  Apply(book, MakeList("gone", 1, {{"pear", 1}}, FleetScope(), 500, 500));
  EXPECT_EQ(PriceOf(book, "pear", 500), -1);
}

TEST(PriceBook, LaterVersionReplacesWhole) {
  PriceBook book;
  Apply(book, MakeList("base", 1, {{"apple", 50}, {"pear", 70}}));
  Apply(book, MakeList("base", 2, {{"apple", 55}}), ApplyOutcome::kReplaced);
  EXPECT_EQ(PriceOf(book, "apple", 0), 55);
  EXPECT_EQ(PriceOf(book, "pear", 0), -1);  // not in version 2
  EXPECT_EQ(book.price_list_count(), 1u);
  EXPECT_EQ(book.FindPriceList("base")->version(), 2u);
  // An earlier version arriving late is ignored.
  Apply(book, MakeList("base", 1, {{"apple", 50}, {"pear", 70}}),
        ApplyOutcome::kStale);
  EXPECT_EQ(PriceOf(book, "apple", 0), 55);
  EXPECT_EQ(PriceOf(book, "pear", 0), -1);
  // The same version again: a retry.
  Apply(book, MakeList("base", 2, {{"apple", 55}}), ApplyOutcome::kUnchanged);
  // The same version with other content: refused, nothing changes.
  Result<ApplyOutcome> r =
      book.ApplyPriceList(MakeList("base", 2, {{"apple", 1}}));
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message().rfind("price_list.version: ", 0), 0u)
      << r.status().message();
  EXPECT_EQ(PriceOf(book, "apple", 0), 55);
}

TEST(PriceBook, VersionOrderDoesNotMatter) {
  const v1::PriceList first =
      MakeList("base", 1, {{"apple", 50}, {"pear", 70}});
  const v1::PriceList second =
      MakeList("base", 2, {{"apple", 55}}, RegionScope("north"));
  const v1::PriceList third = MakeList("base", 3, {{"pear", 75}});
  PriceBook forward;
  PriceBook backward;
  for (const auto* l : {&first, &second, &third}) {
    ASSERT_TRUE(forward.ApplyPriceList(*l).ok());
  }
  for (const auto* l : {&third, &first, &second}) {
    ASSERT_TRUE(backward.ApplyPriceList(*l).ok());
  }
  for (const std::string sku : {"apple", "pear"}) {
    EXPECT_EQ(PriceOf(forward, sku, 0), PriceOf(backward, sku, 0)) << sku;
  }
  EXPECT_EQ(PriceOf(forward, "apple", 0), -1);
  EXPECT_EQ(PriceOf(forward, "pear", 0), 75);
}

TEST(PriceBook, InvalidListRefusedAndChangesNothing) {
  PriceBook book;
  Apply(book, MakeList("base", 1, {{"apple", 50}}));
  v1::PriceList bad = MakeList("base", 2, {{"apple", 60}, {"apple", 61}});
  EXPECT_TRUE(RefusedAt(book.ApplyPriceList(bad).status(),
                        "price_list.entries[1].sku"));
  EXPECT_EQ(PriceOf(book, "apple", 0), 50);
  v1::Promotion p = test::PercentOff("p", {"apple"}, 20000);
  EXPECT_TRUE(RefusedAt(book.ApplyPromotion(p).status(),
                        "promotion.percent_off.basis_points"));
  EXPECT_EQ(book.promotion_count(), 0u);
}

TEST(PriceBook, MostSpecificScopeWins) {
  PriceBook book;
  // The fleet list starts last, the store list first: scope still decides.
  Apply(book, MakeList("fleet", 9, {{"apple", 100}}, FleetScope(), 300));
  Apply(book, MakeList("north", 5, {{"apple", 90}}, RegionScope("north"), 200));
  Apply(book, MakeList("s1-only", 1, {{"apple", 80}}, StoresScope({"s0", "s1"}),
                       100));
  const std::int64_t t = 1000;
  EXPECT_EQ(PriceOf(book, "apple", t, {"s1", "north", "EUR"}), 80);
  EXPECT_EQ(PriceOf(book, "apple", t, {"s2", "north", "EUR"}), 90);
  EXPECT_EQ(PriceOf(book, "apple", t, {"s3", "south", "EUR"}), 100);
  EXPECT_EQ(PriceOf(book, "apple", t, {"s4", "", "EUR"}), 100);
  // Before the fleet list starts, a store of another region has no price.
  EXPECT_EQ(PriceOf(book, "apple", 250, {"s3", "south", "EUR"}), -1);
  // Which list it came from.
  std::optional<PriceInForce> p = book.PriceAt(kS1, "apple", t);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->list_id, "s1-only");
  EXPECT_EQ(p->list_version, 1u);
  EXPECT_EQ(p->currency, "EUR");
  EXPECT_EQ(p->unit, v1::UNIT_OF_MEASURE_EACH);
}

TEST(PriceBook, TiesByEffectiveFromThenVersionThenId) {
  PriceBook book;
  Apply(book, MakeList("b-list", 1, {{"apple", 10}}, FleetScope(), 100));
  Apply(book, MakeList("c-list", 1, {{"apple", 20}}, FleetScope(), 200));
  EXPECT_EQ(PriceOf(book, "apple", 300), 20);  // later start
  Apply(book, MakeList("a-list", 4, {{"apple", 30}}, FleetScope(), 200));
  EXPECT_EQ(PriceOf(book, "apple", 300), 30);  // same start, higher version
  Apply(book, MakeList("0-list", 4, {{"apple", 40}}, FleetScope(), 200));
  EXPECT_EQ(PriceOf(book, "apple", 300), 40);  // all equal: smaller id
  Apply(book, MakeList("z-list", 4, {{"apple", 50}}, FleetScope(), 200));
  EXPECT_EQ(PriceOf(book, "apple", 300), 40);
}

TEST(PriceBook, StoreCurrencyFiltersLists) {
  PriceBook book;
  Apply(book, MakeList("usd", 1, {{"apple", 45}}, FleetScope(), 0, 0, "USD"));
  EXPECT_EQ(PriceOf(book, "apple", 0, {"s1", "north", "EUR"}), -1);
  EXPECT_EQ(PriceOf(book, "apple", 0, {"s1", "north", "USD"}), 45);
  EXPECT_EQ(PriceOf(book, "apple", 0, {"s1", "north", ""}), 45);
}

TEST(PriceBook, ActivePromotions) {
  PriceBook book;
  v1::Promotion pct = test::PercentOff("pct", {"apple", "pear"}, 1000);
  pct.set_effective_from_us(1000);
  pct.set_effective_to_us(2000);
  v1::Promotion member = test::AmountOff("member", {"apple"}, 5);
  member.set_member_only(true);
  v1::Promotion other_store = test::MultiBuy("elsewhere", {"apple"}, 3, 2);
  *other_store.mutable_scope() = StoresScope({"s9"});
  v1::Promotion region = test::MultiBuy("north-3for2", {"apple"}, 3, 2);
  *region.mutable_scope() = RegionScope("north");
  for (const auto* p : {&pct, &member, &other_store, &region}) Apply(book, *p);

  using Ids = std::vector<std::string>;
  EXPECT_EQ(PromotionIds(book, "apple", 999, false), Ids{"north-3for2"});
  EXPECT_EQ(PromotionIds(book, "apple", 1000, false),
            (Ids{"north-3for2", "pct"}));
  EXPECT_EQ(PromotionIds(book, "apple", 1999, true),
            (Ids{"member", "north-3for2", "pct"}));
  EXPECT_EQ(PromotionIds(book, "apple", 2000, true),
            (Ids{"member", "north-3for2"}));
  EXPECT_EQ(PromotionIds(book, "pear", 1500, false), Ids{"pct"});
  EXPECT_EQ(PromotionIds(book, "apple", 1500, false, {"s9", "", "EUR"}),
            (Ids{"elsewhere", "pct"}));
  EXPECT_EQ(PromotionIds(book, "kiwi", 1500, true), Ids{});

  // A later version drops a SKU and ends earlier.
  v1::Promotion pct2 = test::PercentOff("pct", {"pear"}, 1500);
  pct2.set_version(2);
  pct2.set_effective_from_us(1000);
  pct2.set_effective_to_us(1500);
  Apply(book, pct2, ApplyOutcome::kReplaced);
  EXPECT_EQ(PromotionIds(book, "apple", 1200, false), Ids{"north-3for2"});
  EXPECT_EQ(PromotionIds(book, "pear", 1499, false), Ids{"pct"});
  EXPECT_EQ(PromotionIds(book, "pear", 1500, false), Ids{});
  EXPECT_EQ(book.FindPromotion("pct")->percent_off().basis_points(), 1500);
  Apply(book, pct, ApplyOutcome::kStale);
}

// The SKU index (open addressing, grown as SKUs come): thousands of SKUs,
// a list replaced by a version pricing half of them, promotions applied in
// reverse id order and answered by id.
TEST(PriceBook, ManySkusThroughGrowthAndReplacement) {
  constexpr int kSkus = 5000;
  auto sku = [](int i) { return "sku-" + std::to_string(i); };
  std::vector<test::Price> all, even;
  for (int i = 0; i < kSkus; ++i) {
    all.push_back({sku(i), 100 + i});
    if (i % 2 == 0) even.push_back({sku(i), 1 + i});
  }
  PriceBook book;
  Apply(book, MakeList("base", 1, all));
  for (int i = 0; i < kSkus; ++i) ASSERT_EQ(PriceOf(book, sku(i), 0), 100 + i);
  EXPECT_EQ(PriceOf(book, "sku-" + std::to_string(kSkus), 0), -1);
  Apply(book, MakeList("base", 2, even), ApplyOutcome::kReplaced);
  for (int i = 0; i < kSkus; ++i) {
    ASSERT_EQ(PriceOf(book, sku(i), 0), i % 2 == 0 ? 1 + i : -1) << sku(i);
  }
  for (const char* id : {"z", "m", "a"}) {
    Apply(book, test::PercentOff(id, {sku(7), sku(4999)}, 500));
  }
  using Ids = std::vector<std::string>;
  EXPECT_EQ(PromotionIds(book, sku(7), 0, false), (Ids{"a", "m", "z"}));
  EXPECT_EQ(PromotionIds(book, sku(4999), 0, false), (Ids{"a", "m", "z"}));
  EXPECT_EQ(PromotionIds(book, sku(8), 0, false), Ids{});
  // The same answers through the one-lookup path GetPrices takes.
  const PriceBook::SkuIndex* index = book.FindSku(sku(7));
  ASSERT_NE(index, nullptr);
  EXPECT_FALSE(book.PriceIn(*index, kS1, 0).has_value());  // odd: not in v2
  Ids seen;
  book.ForEachPromotionIn(*index, kS1, 0, false, [&](const v1::Promotion& p) {
    seen.push_back(p.id());
  });
  EXPECT_EQ(seen, (Ids{"a", "m", "z"}));
  const PriceBook::SkuIndex* four = book.FindSku(sku(4));
  ASSERT_NE(four, nullptr);
  const std::optional<PriceBook::PriceRef> ref = book.PriceIn(*four, kS1, 0);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->unit_price, 5);
  EXPECT_EQ(ref->list->version(), 2u);
  EXPECT_EQ(book.FindSku("nowhere"), nullptr);
}

}  // namespace
}  // namespace storeagent::core
