// core/pricing.h on random books and baskets (fixed seed, so a failure
// repeats): every line within 0..extended, totals that add up, never
// negative; the best-for-customer choice never gives less than any single
// promotion alone, nor than the per-line promotions alone; a multi-buy alone
// equals a unit-by-unit count written here independently; and the order in
// which promotions reached the book does not matter. Then the same on the
// largest basket under many overlapping promotions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/pricing.h"
#include "tests/unit/core/price_samples.h"

namespace storeagent::core {
namespace {

constexpr std::uint64_t kSeed = 20261203;
constexpr int kRounds = 1500;
using test::kStore;

struct Case {
  v1::PriceList list;
  std::vector<v1::Promotion> promotions;
  Basket basket;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  Case Next() {
    Case c;
    std::vector<test::Price> prices;
    for (int i = 0; i < 6; ++i) {
      const bool milli = i >= 4;
      prices.push_back(
          {"s" + std::to_string(i), milli ? Int(100, 5000) : Int(0, 2000),
           milli ? v1::UNIT_OF_MEASURE_MILLI : v1::UNIT_OF_MEASURE_EACH});
    }
    c.list = test::MakeList("base", 1, prices);
    const int promotions = static_cast<int>(Int(1, 4));
    for (int i = 0; i < promotions; ++i) {
      std::vector<std::string> skus;
      for (int s = 0; s < 6; ++s) {
        if (Int(0, 2) == 0) skus.push_back("s" + std::to_string(s));
      }
      if (skus.empty()) skus.push_back("s" + std::to_string(Int(0, 5)));
      const std::string id = "p" + std::to_string(i);
      v1::Promotion p;
      switch (Int(0, 2)) {
        case 0:
          p = test::PercentOff(id, skus, static_cast<int>(Int(1, 10000)));
          break;
        case 1:
          p = test::AmountOff(id, skus, Int(1, 1500));
          break;
        default: {
          const int buy = static_cast<int>(Int(2, 4));
          p = test::MultiBuy(id, skus, buy, static_cast<int>(Int(1, buy - 1)));
        }
      }
      p.set_member_only(Int(0, 3) == 0);
      c.promotions.push_back(p);
    }
    const int lines = static_cast<int>(Int(1, 6));
    for (int i = 0; i < lines; ++i) {
      const int s = static_cast<int>(Int(0, 5));
      const bool milli = s >= 4;
      c.basket.lines.push_back(
          {"s" + std::to_string(s),
           milli ? v1::UNIT_OF_MEASURE_MILLI : v1::UNIT_OF_MEASURE_EACH,
           milli ? Int(1, 3000) : Int(1, 8)});
    }
    c.basket.member = Int(0, 1) == 1;
    return c;
  }

 private:
  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  std::mt19937_64 rng_;
};

PricedBasket PriceWith(const Case& c,
                       const std::vector<const v1::Promotion*>& promotions) {
  PriceBook book;
  EXPECT_TRUE(book.ApplyPriceList(c.list).ok());
  for (const v1::Promotion* p : promotions) {
    Result<ApplyOutcome> r = book.ApplyPromotion(*p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  Result<PricedBasket> r = PriceBasket(book, kStore, c.basket);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : PricedBasket{};
}

std::int64_t UnitPrice(const Case& c, const std::string& sku) {
  for (const v1::PriceEntry& e : c.list.entries()) {
    if (e.sku() == sku) return e.unit_price().minor_units();
  }
  return -1;
}

// A multi-buy alone, unit by unit: every EACH unit of the set, dearest
// first, cut into groups of `buy`; the last buy - pay of each group free.
std::int64_t MultiBuyAlone(const Case& c, const v1::Promotion& p) {
  if (p.member_only() && !c.basket.member) return 0;
  std::vector<std::int64_t> units;
  for (const BasketLine& l : c.basket.lines) {
    if (l.unit != v1::UNIT_OF_MEASURE_EACH) continue;
    if (std::find(p.skus().begin(), p.skus().end(), l.sku) == p.skus().end()) {
      continue;
    }
    for (std::int64_t q = 0; q < l.quantity; ++q) {
      units.push_back(UnitPrice(c, l.sku));
    }
  }
  std::sort(units.begin(), units.end(), std::greater<>());
  const std::size_t buy = static_cast<std::size_t>(p.multi_buy().buy());
  const std::size_t pay = static_cast<std::size_t>(p.multi_buy().pay());
  std::int64_t free = 0;
  for (std::size_t g = 0; g + buy <= units.size(); g += buy) {
    for (std::size_t k = pay; k < buy; ++k) free += units[g + k];
  }
  return free;
}

TEST(PricingProperty, RandomBooksAndBaskets) {
  Generator gen(kSeed);
  for (int round = 0; round < kRounds; ++round) {
    const Case c = gen.Next();
    SCOPED_TRACE("seed " + std::to_string(kSeed) + " round " +
                 std::to_string(round));
    std::vector<const v1::Promotion*> all;
    std::vector<const v1::Promotion*> per_line;
    for (const v1::Promotion& p : c.promotions) {
      all.push_back(&p);
      if (!p.has_multi_buy()) per_line.push_back(&p);
    }
    const PricedBasket best = PriceWith(c, all);
    ASSERT_EQ(best.lines.size(), c.basket.lines.size());

    // Lines within bounds, totals adding up, nothing negative.
    std::int64_t extended = 0, discount = 0;
    for (const PricedLine& l : best.lines) {
      ASSERT_EQ(l.status, LineStatus::kPriced);
      EXPECT_GE(l.discount, 0);
      EXPECT_LE(l.discount, l.extended);
      EXPECT_EQ(l.net, l.extended - l.discount);
      std::int64_t sum = 0;
      for (const AppliedPromotion& a : l.promotions) sum += a.discount;
      EXPECT_EQ(sum, l.discount);
      extended += l.extended;
      discount += l.discount;
    }
    EXPECT_EQ(best.extended_total, extended);
    EXPECT_EQ(best.discount_total, discount);
    EXPECT_EQ(best.net_total, extended - discount);
    EXPECT_GE(best.net_total, 0);

    // Never less for the customer than one promotion alone...
    for (const v1::Promotion& p : c.promotions) {
      const PricedBasket alone = PriceWith(c, {&p});
      EXPECT_LE(alone.discount_total, best.discount_total) << p.id();
      if (p.has_multi_buy()) {
        EXPECT_EQ(alone.discount_total, MultiBuyAlone(c, p)) << p.id();
      }
    }
    // ... nor than the per-line promotions alone.
    EXPECT_LE(PriceWith(c, per_line).discount_total, best.discount_total);

    // The order promotions arrived in does not matter.
    std::vector<const v1::Promotion*> reversed(all.rbegin(), all.rend());
    const PricedBasket again = PriceWith(c, reversed);
    for (std::size_t i = 0; i < best.lines.size(); ++i) {
      EXPECT_EQ(again.lines[i].discount, best.lines[i].discount) << i;
    }
    if (HasFailure()) return;  // one failing case is enough to read
  }
}

// The largest basket (500 lines) over a book where every SKU is in several
// overlapping promotions of every kind: the same invariants hold.
TEST(PricingProperty, LargestBasketManyOverlappingPromotions) {
  std::mt19937_64 rng(kSeed + 1);
  auto rand = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  Case c;
  std::vector<test::Price> prices;
  for (int i = 0; i < 50; ++i) {
    prices.push_back({"s" + std::to_string(i), rand(1, 5000)});
  }
  c.list = test::MakeList("base", 1, prices);
  for (int i = 0; i < 40; ++i) {
    std::vector<std::string> skus;
    for (int k = 0; k < 10; ++k) {
      const std::string sku = "s" + std::to_string(rand(0, 49));
      if (std::find(skus.begin(), skus.end(), sku) == skus.end()) {
        skus.push_back(sku);
      }
    }
    const std::string id = "p" + std::to_string(i);
    if (i % 4 == 0) {
      c.promotions.push_back(test::PercentOff(id, skus, rand(1, 5000)));
    } else if (i % 4 == 1) {
      c.promotions.push_back(test::AmountOff(id, skus, rand(1, 800)));
    } else {
      const int buy = static_cast<int>(rand(2, 6));
      c.promotions.push_back(
          test::MultiBuy(id, skus, buy, static_cast<int>(rand(1, buy - 1))));
    }
  }
  for (int i = 0; i < 500; ++i) {
    c.basket.lines.push_back({"s" + std::to_string(rand(0, 49)),
                              v1::UNIT_OF_MEASURE_EACH, rand(1, 20)});
  }
  std::vector<const v1::Promotion*> all;
  for (const v1::Promotion& p : c.promotions) all.push_back(&p);
  const PricedBasket best = PriceWith(c, all);
  ASSERT_EQ(best.lines.size(), 500u);
  std::int64_t discount = 0;
  for (const PricedLine& l : best.lines) {
    EXPECT_GE(l.discount, 0);
    EXPECT_LE(l.discount, l.extended);
    discount += l.discount;
  }
  EXPECT_EQ(best.discount_total, discount);
  EXPECT_GT(best.discount_total, 0);
  for (const v1::Promotion& p : c.promotions) {
    const PricedBasket alone = PriceWith(c, {&p});
    EXPECT_LE(alone.discount_total, best.discount_total) << p.id();
    if (p.has_multi_buy()) {
      EXPECT_EQ(alone.discount_total, MultiBuyAlone(c, p)) << p.id();
    }
  }
}

}  // namespace
}  // namespace storeagent::core
