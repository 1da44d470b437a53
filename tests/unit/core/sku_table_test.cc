// SkuTable (core/sku_table.h), as StockReplay keeps its figures: every SKU
// set is found with its latest value through each growth of the index,
// SKUs never set or erased are not, erasing keeps every other SKU found,
// the ordered view is in SKU order, and copies and moves answer on their
// own.
#include "core/sku_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/stock_replay.h"

namespace storeagent::core {
namespace {

std::string TableSku(int i) { return "SKU-" + std::to_string(i); }

SkuFigures TableOnHand(int64_t n) {
  SkuFigures f;
  f.on_hand = n;
  return f;
}

// Each of SKUs 0..n-1 found with on_hand == i + offset; SKU n is not.
void ExpectTableHolds(const SkuTable<SkuFigures>& t, int n, int64_t offset) {
  ASSERT_EQ(t.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const SkuFigures* f = t.Find(TableSku(i));
    ASSERT_NE(f, nullptr) << TableSku(i);
    EXPECT_EQ(f->on_hand, i + offset) << TableSku(i);
  }
  EXPECT_EQ(t.Find(TableSku(n)), nullptr);
}

TEST(SkuTableTest, AnEmptyTableFindsNothing) {
  const SkuTable<SkuFigures> t;
  EXPECT_EQ(t.Find("A"), nullptr);
  EXPECT_EQ(t.Find(""), nullptr);
  EXPECT_TRUE(t.ordered().empty());
}

TEST(SkuTableTest, EverySkuIsFoundThroughEachGrowth) {
  SkuTable<SkuFigures> t;
  for (int i = 0; i < 5000; ++i) {
    t.Set(TableSku(i), TableOnHand(i));
    ASSERT_NE(t.Find(TableSku(i)), nullptr) << TableSku(i);
    ASSERT_NE(t.Find(TableSku(0)), nullptr) << "after " << TableSku(i);
  }
  ExpectTableHolds(t, 5000, 0);
}

// FindMany answers what Find answers, SKU by SKU, across its passes:
// present, absent, repeated, and none at all from an empty table.
TEST(SkuTableTest, FindManyAnswersAsFindDoes) {
  SkuTable<SkuFigures> t;
  std::vector<const SkuFigures*> found{nullptr};
  const std::vector<std::string> asked = [] {
    std::vector<std::string> v;
    for (int i = 0; i < 45; ++i) v.push_back(TableSku(i * 7 % 60));
    v.push_back(TableSku(3));
    v.push_back("");
    return v;
  }();
  t.FindMany(asked, &found);
  ASSERT_EQ(found.size(), asked.size());
  for (const SkuFigures* f : found) EXPECT_EQ(f, nullptr);
  for (int i = 0; i < 40; ++i) t.Set(TableSku(i), TableOnHand(i));
  t.FindMany(asked, &found);
  ASSERT_EQ(found.size(), asked.size());
  for (size_t i = 0; i < asked.size(); ++i) {
    EXPECT_EQ(found[i], t.Find(asked[i])) << asked[i];
  }
  EXPECT_NE(found[asked.size() - 2], nullptr);
  t.FindMany({}, &found);
  EXPECT_TRUE(found.empty());
}

// Erasing any SKU, in any order, leaves every other one found (the index
// closes the hole it leaves in a run of slots), through growth.
TEST(SkuTableTest, ErasingKeepsEveryOtherSkuFound) {
  SkuTable<int64_t> t;
  std::vector<int> live;
  for (int i = 0; i < 2000; ++i) {
    t.Set(TableSku(i), i);
    live.push_back(i);
  }
  std::mt19937 rng(7);
  std::shuffle(live.begin(), live.end(), rng);
  for (size_t n = 0; n < 1500; ++n) {
    const int gone = live.back();
    live.pop_back();
    t.Erase(TableSku(gone));
    ASSERT_EQ(t.Find(TableSku(gone)), nullptr) << gone;
    if (n % 100 == 0) {
      for (int i : live) ASSERT_NE(t.Find(TableSku(i)), nullptr) << i;
    }
  }
  t.Erase("never set");
  ASSERT_EQ(t.size(), live.size());
  for (int i : live) {
    const int64_t* v = t.Find(TableSku(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, i);
  }
  for (int i = 2000; i < 2600; ++i) t.Set(TableSku(i), i);  // grows again
  for (int i : live) EXPECT_NE(t.Find(TableSku(i)), nullptr) << i;
  EXPECT_NE(t.Find(TableSku(2599)), nullptr);
  EXPECT_EQ(t.size(), live.size() + 600);
}

TEST(SkuTableTest, SettingAgainReplacesTheFigures) {
  SkuTable<SkuFigures> t;
  for (int i = 0; i < 100; ++i) t.Set(TableSku(i), TableOnHand(i));
  for (int i = 0; i < 100; ++i) t.Set(TableSku(i), TableOnHand(i + 7));
  ExpectTableHolds(t, 100, 7);
  SkuFigures counted = TableOnHand(3);
  counted.count = CountReset{TableSku(5), 3, 42, 0};
  t.Set(TableSku(5), counted);
  ASSERT_TRUE(t.Find(TableSku(5))->count.has_value());
  EXPECT_EQ(t.Find(TableSku(5))->count->store_seq, 42u);
}

TEST(SkuTableTest, TheOrderedViewIsInSkuOrder) {
  SkuTable<SkuFigures> t;
  for (const char* sku : {"C", "A", "B"}) t.Set(sku, TableOnHand(1));
  std::string order;
  for (const auto& [sku, f] : t.ordered()) order += sku;
  EXPECT_EQ(order, "ABC");
}

TEST(SkuTableTest, ACopyAnswersOnItsOwn) {
  auto original = std::make_unique<SkuTable<SkuFigures>>();
  for (int i = 0; i < 300; ++i) original->Set(TableSku(i), TableOnHand(i));
  SkuTable<SkuFigures> copy(*original);
  SkuTable<SkuFigures> assigned;
  assigned.Set("other", TableOnHand(1));
  assigned = *original;
  // The original changes, then goes: the copies keep what they copied.
  for (int i = 0; i < 300; ++i) original->Set(TableSku(i), TableOnHand(-1));
  original->Set(TableSku(300), TableOnHand(300));
  original.reset();
  ExpectTableHolds(copy, 300, 0);
  ExpectTableHolds(assigned, 300, 0);
  EXPECT_EQ(assigned.Find("other"), nullptr);
  copy.Set(TableSku(300), TableOnHand(300));
  ExpectTableHolds(copy, 301, 0);
  ExpectTableHolds(assigned, 300, 0);
}

TEST(SkuTableTest, AMovedTableAnswersAsBefore) {
  SkuTable<SkuFigures> t;
  for (int i = 0; i < 300; ++i) t.Set(TableSku(i), TableOnHand(i));
  SkuTable<SkuFigures> moved(std::move(t));
  ExpectTableHolds(moved, 300, 0);
  SkuTable<SkuFigures> assigned;
  assigned.Set("other", TableOnHand(1));
  assigned = std::move(moved);
  ExpectTableHolds(assigned, 300, 0);
  assigned.Set(TableSku(300), TableOnHand(300));
  ExpectTableHolds(assigned, 301, 0);
}

}  // namespace
}  // namespace storeagent::core
